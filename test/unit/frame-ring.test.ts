// SPDX-License-Identifier: MIT
// The clip ring (modules/video/frame-ring.ts): one buffer allocated once, never more bytes or frames than its
// bounds, oldest evicted first, and a held frame's bytes never overwritten. Runs under Node and in XS.
import { deepEqual, equal, ok } from "node:assert/strict";
import { describe, it } from "node:test";
import { createFrameRing } from "../../modules/video/frame-ring.js";

/** A frame of `size` bytes whose every byte says which frame it is. */
const bytesOf = (n: number, size: number) => new Uint8Array(size).fill(n & 0xff);

describe("clip frame ring", () => {
  it("holds at most its bytes and frames over 600 frames of varied sizes; every held frame is intact", () => {
    const ring = createFrameRing({ capacityBytes: 10_000, maxFrames: 12 });
    let seed = 7;
    const sizes = new Map<number, number>();
    for (let n = 0; n < 600; n++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const size = 1 + (seed % 4000);
      const id = ring.push(bytesOf(n, size), n * 100);
      ok(id !== undefined);
      sizes.set(id, size);
      ok(ring.bytesHeld <= ring.capacityBytes, `bytes held ${ring.bytesHeld} after frame ${n}`);
      ok(ring.framesHeld <= 12);
      for (let held = ring.nextId - ring.framesHeld; held < ring.nextId; held++) {
        const f = ring.get(held)!;
        equal(f.jpeg.length, sizes.get(held));
        const mark = (held - 1) & 0xff; // first, middle and last byte: cheap enough for the XS run
        ok(
          [0, f.jpeg.length >> 1, f.jpeg.length - 1].every((i) => f.jpeg[i] === mark),
          `frame ${held} intact`,
        );
      }
    }
    equal(ring.stats.kept, 600);
    equal(ring.stats.evicted, 600 - ring.framesHeld);
  });

  it("evicts the oldest first, and firstAtOrAfter finds the pre-roll start among those held", () => {
    const ring = createFrameRing({ capacityBytes: 1000, maxFrames: 3 });
    for (let n = 0; n < 5; n++) ring.push(bytesOf(n, 100), 1000 + n * 200);
    equal(ring.get(2), undefined);
    deepEqual([ring.get(3)?.capturedAtMs, ring.get(5)?.capturedAtMs], [1400, 1800]);
    equal(ring.firstAtOrAfter(1500), 4);
    equal(ring.firstAtOrAfter(0), 3);
    equal(ring.firstAtOrAfter(2000), undefined);
  });

  it("refuses a frame larger than the ring (counted) and keeps what it holds", () => {
    const ring = createFrameRing({ capacityBytes: 500, maxFrames: 8 });
    ring.push(bytesOf(1, 200), 0);
    equal(ring.push(bytesOf(2, 501), 1), undefined);
    equal(ring.stats.refused, 1);
    equal(ring.framesHeld, 1);
    ring.clear();
    equal(ring.bytesHeld, 0);
  });
});
