// SPDX-License-Identifier: MIT
// The motion detector on synthetic thumbnails (reference/motion.md §5), in Node and XS: what starts and ends
// motion, a lamp switch, a visitor walking up, the privacy mask. Longer sequences: test/node/motion-detector-long.test.ts.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createMotionDetector, type MotionResult } from "../../modules/motion/detector.js";
import { box, createScene, runScene, SCENE_PERIOD_MS as PERIOD_MS } from "../support/motion-scenes.js";

describe("motion detector: start and end", () => {
  test("an object crossing the frame starts motion once, with a box around it, and ends it after the quiet time", () => {
    const r = runScene(createScene(), 60, (i) => (i < 30 ? box(2 + i, 10, 8 + i, 20, 230) : undefined));
    assert.deepEqual(
      r.events.map((e) => e.event),
      ["start", "end"],
    );
    const start = r.events[0];
    assert.ok(start.frame <= 4, `starts within the k-of-n window (frame ${start.frame})`);
    const [x, y, w, h] = start.box;
    const objectX = (2 + start.frame) * 8;
    assert.ok(x <= objectX && x + w >= objectX + 48 && y <= 80 && y + h >= 160, `box ${start.box} covers the object`);
    const end = r.events[1];
    assert.ok(
      end.frame >= 30 + 3000 / PERIOD_MS - 1 && end.frame <= 30 + 3000 / PERIOD_MS + 2,
      `ends endQuietMs after the last motion (frame ${end.frame})`,
    );
    assert.ok(end.box[2] * end.box[3] > start.box[2] * start.box[3], "the end carries the whole path");
  });

  test("k of n: a blob in fewer than startFrames of windowFrames frames does not start motion", () => {
    // The object shows in every third frame only: at most 2 of any 5.
    const r = runScene(createScene(), 60, (i) => (i % 3 === 0 ? box(10, 10, 18, 18, 240) : undefined));
    assert.deepEqual(r.events, []);
    const r2 = runScene(createScene(), 60, (i) => (i % 3 === 0 ? box(10, 10, 18, 18, 240) : undefined), undefined, {
      startFrames: 2,
      windowFrames: 5,
    });
    assert.equal(r2.events[0]?.event, "start");
  });
});

describe("motion detector: lighting and a visitor", () => {
  test("a lamp switched on and off (the whole scene x1.6, then back) is lighting, not motion, and is relearnt", () => {
    const r = runScene(
      createScene(),
      80,
      () => undefined,
      (i) => (i >= 10 && i < 45 ? { gain: 1.6 } : undefined),
    );
    assert.deepEqual(r.events, []);
    assert.ok(r.lighting >= 2, "both switches are lighting events");
    assert.equal(r.results[30].lighting, false, "detection is back on after relearning");
  });

  test("a visitor walking up until they fill 85% of the frame is one motion event, not lighting", () => {
    // A dark figure grows from a small blob at the bottom to 34x26 cells over 25 frames, then stands.
    const r = runScene(createScene(), 60, (i) => {
      const s = Math.min(1, (i + 1) / 25);
      const w = 4 + 30 * s,
        h = 5 + 21 * s;
      return box(20 - w / 2, 30 - h, 20 + w / 2, 30, 25);
    });
    assert.deepEqual(
      r.events.map((e) => e.event),
      ["start"],
    );
    assert.ok(r.events[0].frame < 8, `noticed while still small (frame ${r.events[0].frame})`);
    assert.ok(
      r.results.slice(r.events[0].frame).every((x) => x.active),
      "stays one event while the visitor fills the frame",
    );
  });
});

describe("motion detector: privacy mask and foreground", () => {
  test("privacy zones: motion inside the zones is never seen, motion outside still is", () => {
    // The left half (x < 160 px) is masked.
    const zones = [{ x: 0, y: 0, width: 160, height: 240 }];
    const detector = createMotionDetector({ zones });
    const scene = createScene();
    let t = 0,
      starts = 0;
    for (let i = 0; i < 60; i++) {
      const r = detector.process(
        scene.frame(i > 20 ? box(4 + (i % 10), 8, 12 + (i % 10), 20, 240) : undefined),
        (t += PERIOD_MS),
      );
      const map = detector.foreground();
      for (let c = 0; c < map.length; c++) if (map[c]) assert.ok(c % 40 >= 20, `cell ${c} is masked but marked`);
      if (r.event === "start") starts++;
    }
    assert.equal(starts, 0);
    const unmasked = runScene(createScene(), 40, (i) => box(24 + (i % 8), 8, 30 + (i % 8), 20, 240), undefined, {
      zones,
    });
    assert.equal(unmasked.events[0]?.event, "start");
  });

  test("foreground() marks exactly the reported cells", () => {
    const detector = createMotionDetector();
    const scene = createScene();
    let t = 0,
      r: MotionResult | undefined;
    for (let i = 0; i < 30; i++)
      r = detector.process(
        scene.frame(i > 15 ? box(10 + i - 15, 10, 16 + i - 15, 16, 240) : undefined),
        (t += PERIOD_MS),
      );
    const map = detector.foreground();
    assert.equal(
      map.reduce((a, b) => a + b, 0),
      r!.foregroundCells,
    );
    assert.ok(r!.foregroundCells > 10);
  });
});
