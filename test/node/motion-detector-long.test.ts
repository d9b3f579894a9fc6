// SPDX-License-Identifier: MIT
// The motion detector on long synthetic sequences (hundreds of frames): noise-adaptive thresholds, exposure
// ramps, partial lamps and IR switches, still objects. Node only, to keep the XS unit run (test/unit/) small.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { box, createScene, runScene } from "../support/motion-scenes.js";

describe("motion detector, long sequences", () => {
  test("a quiet scene with sensor noise gives no motion", () => {
    const r = runScene(createScene(40, 30, 1, 3), 150, () => undefined);
    assert.deepEqual(r.events, []);
  });

  test("a lamp lighting the near half only, and an IR-cut switch (grey, flatter, vignetted), give no motion", () => {
    const lamp = runScene(
      createScene(),
      60,
      () => undefined,
      (i) => (i >= 10 ? { map: (_x, y, v) => (y > 15 ? v * 1.7 : v * 1.05) } : undefined),
    );
    assert.deepEqual(lamp.events, []);
    const ir = runScene(
      createScene(),
      60,
      () => undefined,
      (i) =>
        i >= 10 && i < 40
          ? { map: (x, y, v) => (0.5 * v + 50) * (1.2 - ((x - 20) ** 2 + (y - 15) ** 2) / 1500) }
          : undefined,
    );
    assert.deepEqual(ir.events, []);
  });

  test("auto-exposure ramps (up 80% over 40 frames and back) are followed by the gain, with no motion", () => {
    const r = runScene(
      createScene(),
      100,
      () => undefined,
      (i) => ({ gain: 1 + 0.8 * Math.max(0, Math.min(1, i < 50 ? i / 40 : (90 - i) / 40)) }),
    );
    assert.deepEqual(r.events, []);
  });

  test("noise-adaptive thresholds: a flickering area (a tree) is learnt and ignored; the same change elsewhere is seen", () => {
    const scene = createScene();
    const flicker = (i: number) => (l: Float64Array) => {
      for (let y = 2; y < 12; y++)
        for (let x = 2; x < 14; x++) l[y * 40 + x] += ((i * 7 + x * 13 + y * 5) % 9) * 3.5 - 14;
    };
    const r = runScene(scene, 400, (i) => flicker(i));
    assert.deepEqual(
      r.events.filter((e) => e.frame > 300),
      [],
      "no motion from the flicker once learnt",
    );
    const fixed = runScene(scene, 400, (i) => flicker(i), undefined, { noiseFactor: 1 });
    assert.ok(
      fixed.results.slice(300).some((x) => x.active),
      "without the noise factor the flicker stays motion",
    );
    const step = runScene(scene, 40, (i) =>
      i > 5 ? box(24, 16, 34, 26, scene.background[20 * 40 + 28] + 16) : undefined,
    );
    assert.equal(step.events[0]?.event, "start", "a steady +16 change on a quiet area is motion");
  });

  test("an object that arrives and stays still (a parcel) stops being motion: it joins the background", () => {
    const r = runScene(createScene(), 120, (i) => box(Math.min(10, 2 + i), 12, Math.min(10, 2 + i) + 6, 18, 230));
    assert.deepEqual(
      r.events.map((e) => e.event),
      ["start", "end"],
    );
    assert.equal(r.results[119].foregroundCells, 0);
  });
});
