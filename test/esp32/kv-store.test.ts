// SPDX-License-Identifier: MIT
// hosts/esp32/kv-store.ts and storage.ts inside XS on the `preference` fake, whose set() erases a key
// before writing it (modPreference.c ERASE_KEY), as NVS does: a cut in between loses that slot.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createPreferenceKv, MAX_VALUE_BYTES } from "../../hosts/esp32/kv-store.js";
import { createEsp32Storage } from "../../hosts/esp32/storage.js";
import { cutPowerAt, flashOperations, PowerLoss, powerOn } from "../xs/moddable-fakes/power.js";
import { nvsEntries } from "../xs/moddable-fakes/preference.js";
import { freshBoard } from "./device.js";

const bytes = (n: number) => Uint8Array.of(n, n + 1, n + 2);

describe("ESP32 key-value store on preference (NVS)", () => {
  test("set, get and delete round-trip; values are copies", () => {
    freshBoard();
    const kv = createPreferenceKv();
    assert.equal(kv.get("seq"), undefined);
    kv.set("seq", bytes(1));
    kv.set("seq", bytes(2));
    const read = kv.get("seq");
    assert.deepEqual(read, bytes(2));
    read?.fill(0);
    assert.deepEqual(kv.get("seq"), bytes(2));
    kv.delete("seq");
    assert.equal(kv.get("seq"), undefined);
  });

  test("the NVS generations survive a torn write: a cut at any flash step keeps the old or the new value", () => {
    for (let cut = 1; cut <= 6; cut++) {
      freshBoard();
      let kv = createPreferenceKv();
      kv.set("seq", bytes(10));
      kv.set("seq", bytes(20));
      const before = flashOperations();
      cutPowerAt(cut);
      let completed = 0;
      try {
        for (const n of [30, 40, 50]) {
          kv.set("seq", bytes(n));
          completed = n;
        }
      } catch (error) {
        assert.ok(error instanceof PowerLoss, `cut ${cut}: ${String(error)}`);
      }
      powerOn();
      kv = createPreferenceKv(); // the next boot
      const value = kv.get("seq");
      const expected = completed === 0 ? bytes(20) : bytes(completed);
      assert.deepEqual(value, expected, `cut at flash step ${cut} (${flashOperations() - before} ran)`);
    }
  });

  test("the two slots alternate, so one slot always holds the previous value", () => {
    freshBoard();
    const kv = createPreferenceKv({ domain: "t" });
    kv.set("k", bytes(1));
    kv.set("k", bytes(2));
    kv.set("k", bytes(3));
    assert.equal(nvsEntries("t.a").has("k") && nvsEntries("t.b").has("k"), true);
  });

  test("errors name the key and the limit; nothing stored is lost", () => {
    freshBoard();
    const kv = createPreferenceKv();
    kv.set("cfg", bytes(1));
    assert.throws(() => kv.get("a-key-of-16-char"), /1 to 15/);
    assert.throws(() => kv.set("cfg", new Uint8Array(MAX_VALUE_BYTES + 1)), /at most 3996/);
    kv.set("cfg", new Uint8Array(MAX_VALUE_BYTES));
    assert.equal(kv.get("cfg")?.length, MAX_VALUE_BYTES);
    assert.throws(() => createPreferenceKv({ domain: "fourteen-chars" }), /1 to 13 characters/);
  });

  test("the storage port keeps firmware keys and host bookkeeping in separate NVS namespaces", () => {
    const log = freshBoard();
    const storage = createEsp32Storage({ log });
    storage.kv.set("log.next", bytes(1)); // the same key the host uses for its outbox ids
    storage.log.append(bytes(7));
    assert.deepEqual(storage.kv.get("log.next"), bytes(1));
    assert.ok(nvsEntries("dbhost.a").has("log.next") || nvsEntries("dbhost.b").has("log.next"));
  });
});
