// SPDX-License-Identifier: MIT
// Outbox bounds the host's storage cannot hold are refused like any other config error (field, value, what
// fits): at boot (a stored config falls back to the flashed one) and when a set-config would apply them.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { utf8 } from "../../modules/bytes.js";
import { outboxFitErrors } from "../../modules/config-fit.js";
import { formatConfigErrors, parseConfig } from "../../modules/config.js";
import { CONFIG_KEY, createConfigStore } from "../../modules/config-store.js";
import { startFirmware } from "../../modules/firmware.js";
import { createLogger } from "../../modules/logger.js";
import { createFakeHost, MemoryKv } from "../support/fake-host.js";

/** The ESP32-CAM's storage partition as hosts/esp32/append-log.ts states it: 218 blocks of 4 KB (0xE0000, 6 reserved). */
const ESP32_STORAGE = { bytes: 218 * 4096, records: 218 };

describe("config: outbox bounds that do not fit the host's storage are refused", () => {
  test("outbox.maxKiB and outbox.maxEvents above the capacity name the field, the value and what fits", () => {
    const r = parseConfig({ outbox: { maxKiB: 16384, maxEvents: 1024 } }, { storage: ESP32_STORAGE });
    assert.equal(r.ok, false);
    const text = r.ok ? "" : formatConfigErrors(r.errors);
    assert.match(
      text,
      /^config outbox\.maxKiB: 16384 is not accepted; expected at most 872 KiB: this device's storage/m,
    );
    assert.match(text, /^config outbox\.maxEvents: 1024 is not accepted; expected at most 218 events/m);
  });

  test("the defaults and the largest bounds that fit are accepted; with no capacity, the schema's range alone applies", () => {
    assert.equal(parseConfig({}, { storage: ESP32_STORAGE }).ok, true);
    assert.equal(parseConfig({ outbox: { maxKiB: 872, maxEvents: 218 } }, { storage: ESP32_STORAGE }).ok, true);
    assert.deepEqual(
      outboxFitErrors({ maxKiB: 873, maxEvents: 218 }, ESP32_STORAGE).map((e) => e.field),
      ["outbox.maxKiB"],
    );
    assert.equal(parseConfig({ outbox: { maxKiB: 16384, maxEvents: 1024 } }).ok, true, "a Node host's disk");
  });

  test("a set-config too large for the storage changes nothing; a stored one falls back to the flashed config", () => {
    const host = createFakeHost();
    const kv = new MemoryKv();
    const log = createLogger(host.log, "config");
    const store = createConfigStore({
      kv,
      log,
      initial: { deviceId: "frontdoor" },
      limits: { storage: ESP32_STORAGE },
    });
    const r = store.apply({ deviceId: "frontdoor", outbox: { maxKiB: 4096 } });
    assert.equal(r.ok, false);
    assert.equal(store.current.outbox.maxKiB, 768);
    assert.equal(kv.get(CONFIG_KEY), undefined, "nothing persisted");
    assert.ok(host.lines.some((l) => l.level === "error" && l.message.startsWith("config outbox.maxKiB: 4096")));

    kv.set(CONFIG_KEY, utf8(JSON.stringify({ deviceId: "frontdoor", outbox: { maxEvents: 900 } })));
    const rebooted = createConfigStore({
      kv,
      log,
      initial: { deviceId: "frontdoor" },
      limits: { storage: ESP32_STORAGE },
    });
    assert.equal(rebooted.current.outbox.maxEvents, 64, "the flashed config, not the stored one");
    assert.ok(
      host.lines.some((l) => l.message === "stored config rejected" || l.message.startsWith("stored config rejected")),
    );
  });

  test("the firmware takes the capacity from its storage port", () => {
    const host = createFakeHost();
    Object.assign(host.storage.log, { capacity: ESP32_STORAGE });
    const fw = startFirmware(host, {
      firmwareVersion: "test",
      config: { deviceId: "frontdoor", outbox: { maxKiB: 2048 } },
    });
    assert.equal(fw.config.current.outbox.maxKiB, 768, "the flashed config is refused: the defaults run");
    assert.ok(host.lines.some((l) => l.message.startsWith("config outbox.maxKiB: 2048 is not accepted")));
    fw.close();
  });
});
