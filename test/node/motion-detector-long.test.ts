// SPDX-License-Identifier: MIT
// The motion detector on long synthetic sequences (hundreds of frames): noise-adaptive thresholds, exposure
// ramps, partial lamps and IR switches, still objects. Node only, to keep the XS unit run (test/unit/) small.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createMotionDetector, type MotionParams, type MotionResult } from "../../modules/motion/detector.js";
import { box, createScene, type Scene } from "../support/motion-scenes.js";

const PERIOD_MS = 200; // 5 fps, the doorbell's rate

interface Run {
  events: { event: "start" | "end"; frame: number; box: number[] }[];
  lighting: number;
  results: MotionResult[];
}

/** Feeds `frames` frames (frame i drawn by `draw(i)`, lit by `light(i)`) after 20 quiet ones. */
function run(scene: Scene, frames: number, draw: (i: number) => ((l: Float64Array) => void) | undefined, light: (i: number) => Parameters<Scene["frame"]>[1] = () => undefined, params: Partial<MotionParams> = {}): Run {
  const detector = createMotionDetector(params);
  const out: Run = { events: [], lighting: 0, results: [] };
  let t = 0;
  for (let i = -20; i < frames; i++) {
    const r = detector.process(scene.frame(i < 0 ? undefined : draw(i), i < 0 ? undefined : light(i)), (t += PERIOD_MS));
    if (i < 0) continue;
    if (r.event) out.events.push({ event: r.event, frame: i, box: [...(r.event === "end" ? r.eventBox : r.box)] });
    if (r.lighting) out.lighting++;
    out.results.push({ ...r });
  }
  return out;
}

describe("motion detector, long sequences", () => {
  test("a quiet scene with sensor noise gives no motion", () => {
    const r = run(createScene(40, 30, 1, 3), 150, () => undefined);
    assert.deepEqual(r.events, []);
  });

  test("a lamp lighting the near half only, and an IR-cut switch (grey, flatter, vignetted), give no motion", () => {
    const lamp = run(createScene(), 60, () => undefined, (i) => (i >= 10 ? { map: (_x, y, v) => (y > 15 ? v * 1.7 : v * 1.05) } : undefined));
    assert.deepEqual(lamp.events, []);
    const ir = run(createScene(), 60, () => undefined, (i) => (i >= 10 && i < 40 ? { map: (x, y, v) => (0.5 * v + 50) * (1.2 - ((x - 20) ** 2 + (y - 15) ** 2) / 1500) } : undefined));
    assert.deepEqual(ir.events, []);
  });

  test("auto-exposure ramps (up 80% over 40 frames and back) are followed by the gain, with no motion", () => {
    const r = run(createScene(), 100, () => undefined, (i) => ({ gain: 1 + 0.8 * Math.max(0, Math.min(1, i < 50 ? i / 40 : (90 - i) / 40)) }));
    assert.deepEqual(r.events, []);
  });

  test("noise-adaptive thresholds: a flickering area (a tree) is learnt and ignored; the same change elsewhere is seen", () => {
    const scene = createScene();
    const flicker = (i: number) => (l: Float64Array) => {
      for (let y = 2; y < 12; y++) for (let x = 2; x < 14; x++) l[y * 40 + x] += ((i * 7 + x * 13 + y * 5) % 9) * 3.5 - 14;
    };
    const r = run(scene, 400, (i) => flicker(i));
    assert.deepEqual(r.events.filter((e) => e.frame > 300), [], "no motion from the flicker once learnt");
    const fixed = run(scene, 400, (i) => flicker(i), undefined, { noiseFactor: 1 });
    assert.ok(fixed.results.slice(300).some((x) => x.active), "without the noise factor the flicker stays motion");
    const step = run(scene, 40, (i) => (i > 5 ? box(24, 16, 34, 26, scene.background[20 * 40 + 28] + 16) : undefined));
    assert.equal(step.events[0]?.event, "start", "a steady +16 change on a quiet area is motion");
  });

  test("an object that arrives and stays still (a parcel) stops being motion: it joins the background", () => {
    const r = run(createScene(), 120, (i) => box(Math.min(10, 2 + i), 12, Math.min(10, 2 + i) + 6, 18, 230));
    assert.deepEqual(r.events.map((e) => e.event), ["start", "end"]);
    assert.equal(r.results[119].foregroundCells, 0);
  });
});
