// SPDX-License-Identifier: MIT
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createConfigStore } from "../../modules/config-store.js";
import { defaultConfig, parseConfig } from "../../modules/config.js";
import { createLogger } from "../../modules/logger.js";
import { createFakeHost } from "../support/fake-host.js";

describe("config schema", () => {
  test("defaults validate and have documented values", () => {
    const c = defaultConfig();
    assert.equal(c.button.debounceMs, 30);
    assert.equal(c.button.longPressMs, 2000);
    assert.equal(c.button.cooldownS, 5);
  });

  test("an out-of-range value names the field, the value and what is accepted", () => {
    const r = parseConfig({ button: { debounceMs: 5000 } });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.deepEqual(r.errors, [
      { field: "button.debounceMs", value: "5000", accepted: "an integer from 5 to 200 ms" },
    ]);
  });

  test("a wrong type, an unknown key and a bad pattern are each reported", () => {
    const r = parseConfig({ deviceId: "Front Door", button: { cooldownS: "5", debounce: 30 }, extra: 1 });
    assert.equal(r.ok, false);
    if (r.ok) return;
    const fields = r.errors.map((e) => e.field).sort();
    assert.deepEqual(fields, ["button.cooldownS", "button.debounce", "deviceId", "extra"]);
    const typo = r.errors.find((e) => e.field === "button.debounce")!;
    assert.match(typo.accepted, /button\.debounceMs/);
  });

  test("a non-object config is rejected", () => {
    const r = parseConfig([1, 2]);
    assert.equal(r.ok, false);
  });
});

describe("config store", () => {
  test("a bad config gives a field-level error and the previous config stays in force", () => {
    const host = createFakeHost();
    const store = createConfigStore({
      kv: host.storage.kv,
      log: createLogger(host.log, "config"),
      initial: { button: { cooldownS: 9 } },
    });
    assert.equal(store.current.button.cooldownS, 9);
    const r = store.apply({ button: { cooldownS: 9, longPressMs: 1 } });
    assert.equal(r.ok, false);
    assert.equal(store.current.button.cooldownS, 9);
    assert.equal(store.current.button.longPressMs, 2000);
    assert.ok(
      host.lines.some(
        (l) => l.level === "error" && l.message.includes("button.longPressMs") && l.message.includes("500 to 10000"),
      ),
    );
  });

  test("an accepted config persists across a reboot and wins over the flashed one", () => {
    const host = createFakeHost();
    const log = createLogger(host.log, "config");
    createConfigStore({ kv: host.storage.kv, log, initial: {} }).apply({ button: { cooldownS: 42 } });
    const again = createConfigStore({ kv: host.storage.kv, log, initial: { button: { cooldownS: 3 } } });
    assert.equal(again.current.button.cooldownS, 42);
  });

  test("an invalid flashed config at boot falls back to defaults and says why", () => {
    const host = createFakeHost();
    const store = createConfigStore({
      kv: host.storage.kv,
      log: createLogger(host.log, "config"),
      initial: { mqtt: { port: 0 } },
    });
    assert.equal(store.current.mqtt.port, 8883);
    assert.ok(host.lines.some((l) => l.message.includes("mqtt.port") && l.message.includes("1 to 65535")));
  });
});
