// SPDX-License-Identifier: MIT
// Counters a power cut cannot corrupt: two checksummed slots (the firmware-level cases are in
// test/node/power-cut.test.ts).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createDurableNumber } from "../../modules/durable-number.js";
import { MemoryKv } from "../support/fake-host.js";

const KEYS = ["n.a", "n.b"] as const;

describe("durable numbers", () => {
  test("each write goes to the other slot; the newest whole slot wins, a torn one is ignored", () => {
    const kv = new MemoryKv();
    const n = createDurableNumber({ kv, keys: KEYS, valueBytes: 8 });
    assert.equal(n.read(), undefined);
    n.write(10);
    n.write(20);
    assert.equal(createDurableNumber({ kv, keys: KEYS, valueBytes: 8 }).read(), 20);
    for (const torn of [
      new Uint8Array(0),
      kv.get("n.b")!.slice(0, 7),
      Uint8Array.from(kv.get("n.b")!, (v, i) => (i === 3 ? v ^ 1 : v)),
    ]) {
      const copy = new MemoryKv();
      copy.set("n.a", kv.get("n.a")!);
      copy.set("n.b", torn);
      assert.equal(
        createDurableNumber({ kv: copy, keys: KEYS, valueBytes: 8 }).read(),
        10,
        "back to the value before the torn write",
      );
    }
  });
});
