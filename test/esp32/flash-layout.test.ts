// SPDX-License-Identifier: MIT
// hosts/esp32/flash-layout.ts: a config the ESP32-CAM's flash cannot hold is refused with the field, the value
// and what fits; one it accepts without a warning really fits, checked by filling the littlefs fake (the same
// 896 KiB partition, 4 KB blocks) with worst-case records through append-log.ts.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createLittlefsLog } from "../../hosts/esp32/append-log.js";
import {
  checkFlashLayout,
  LITTLEFS_BLOCK_BYTES,
  OUTBOX_USABLE_BYTES,
  STORAGE_PARTITION_BYTES,
} from "../../hosts/esp32/flash-layout.js";
import { createPreferenceKv } from "../../hosts/esp32/kv-store.js";
import { parseConfig } from "../../modules/config.js";
import { resetFiles } from "../xs/moddable-fakes/file.js";
import { freshBoard } from "./device.js";

const outbox = (maxKiB: number, maxEvents: number) => ({ outbox: { maxKiB, maxEvents } });

describe("ESP32 flash layout check", () => {
  test("an outbox larger than its partition is refused, naming the field, the value and what fits", () => {
    const { errors } = checkFlashLayout(outbox(16384, 64));
    assert.equal(errors.length, 1);
    assert.match(errors[0], /^outbox\.maxKiB: 16384 KiB does not fit the 896 KiB storage partition.*up to 872$/);
  });

  test("more events than the partition has blocks is refused", () => {
    const { errors } = checkFlashLayout(outbox(512, 1024));
    assert.equal(errors.length, 1);
    assert.match(errors[0], /^outbox\.maxEvents: 1024 events.*up to 218$/);
  });

  test("the schema's defaults start, with a worst-case warning the log shows at boot", () => {
    const parsed = parseConfig({ deviceId: "frontdoor" });
    assert.ok(parsed.ok);
    const { errors, warnings } = checkFlashLayout(parsed.config);
    assert.deepEqual(errors, []);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /counted as a drop/);
  });

  test("a config accepted without warnings fits: worst-case records fill the littlefs fake without a refusal", () => {
    const config = outbox(512, 64);
    assert.deepEqual(checkFlashLayout(config), { errors: [], warnings: [] });
    const log = freshBoard();
    resetFiles(STORAGE_PARTITION_BYTES);
    const store = createLittlefsLog({ reservations: createPreferenceKv({ domain: "dbhost" }), log });
    // Each record ends just past a block boundary, as many as fit in maxKiB and maxEvents.
    const size = 2 * LITTLEFS_BLOCK_BYTES - 12 + 1;
    const count = Math.min(config.outbox.maxEvents, Math.floor((config.outbox.maxKiB * 1024) / size));
    for (let i = 0; i < count; i++) store.append(new Uint8Array(size).fill(i));
    assert.equal(store.records().length, count);
    assert.ok(count * 3 * LITTLEFS_BLOCK_BYTES <= OUTBOX_USABLE_BYTES);
  });
});
