// SPDX-License-Identifier: MIT
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createSequencer } from "../../modules/sequence.js";
import { MemoryKv } from "../support/fake-host.js";

describe("sequence numbers", () => {
  test("never repeat across simulated reboots, at any point within a block", () => {
    const kv = new MemoryKv();
    const seen = new Set<number>();
    let last = 0;
    for (let boot = 0; boot < 20; boot++) {
      const seq = createSequencer({ kv, blockSize: 8 });
      const uses = (boot * 7) % 13; // reboot at varying points, including mid-block and at zero uses
      for (let i = 0; i < uses; i++) {
        const n = seq.next();
        assert.ok(!seen.has(n), `seq ${n} reused after reboot ${boot}`);
        assert.ok(n > last, `seq ${n} not above ${last}`);
        seen.add(n);
        last = n;
      }
    }
    assert.ok(seen.size > 100);
  });

  test("storage is written once per block, not per event", () => {
    const kv = new MemoryKv();
    const seq = createSequencer({ kv, blockSize: 64 });
    for (let i = 0; i < 640; i++) seq.next();
    assert.equal(seq.writes, 10);
    assert.equal(kv.writes, 10);
  });

  test("the block is persisted before its first number is handed out", () => {
    const kv = new MemoryKv();
    const first = createSequencer({ kv, blockSize: 4 }).next();
    // Power is cut right after the first event: the next boot must start past it.
    const second = createSequencer({ kv, blockSize: 4 }).next();
    assert.ok(second > first);
  });

  test("a reservation write torn by a power cut falls back to the other slot, never below a number used", () => {
    for (const tear of ["truncated", "erased", "flipped"] as const) {
      const kv = new MemoryKv();
      const a = createSequencer({ kv, blockSize: 4 });
      const used: number[] = [];
      for (let i = 0; i < 9; i++) used.push(a.next()); // three reservations: slots a, b, a
      // The fourth reservation (slot b) is torn as the power fails: no number of that block was handed out.
      const set = kv.set.bind(kv);
      kv.set = (key, value) => {
        const torn =
          tear === "truncated"
            ? value.slice(0, 5)
            : tear === "erased"
              ? Uint8Array.from(value, (v, i) => (i >= 3 ? 0xff : v))
              : Uint8Array.from(value, (v, i) => (i === 2 ? v ^ 4 : v));
        set(key, torn);
        throw new Error("power cut");
      };
      for (let i = 0; i < 3; i++) used.push(a.next());
      assert.throws(() => a.next(), /power cut/);
      kv.set = set;
      const b = createSequencer({ kv, blockSize: 4 });
      const first = b.next();
      assert.ok(first > Math.max(...used), `${tear}: ${first} is above every number used (${Math.max(...used)})`);
      const c = createSequencer({ kv, blockSize: 4 }).next();
      assert.ok(c > first, `${tear}: the next boot after that is above it too`);
    }
  });
});
