// SPDX-License-Identifier: MIT
// Lighting that changes while the traffic keeps moving (issue 13): the real CDnet highway frames with a step
// brighter (x1.5, clipping), a step darker (x0.5), 5 s ramps up and down, and an IR-cut switch to grey with more
// noise, all from frame 900 and generated here (scripts/motion-eval/lighting.ts), scored against the unchanged
// ground truth. Pixel F stays within 0.03 of the same frames without the change, and the frames during and right
// after a step are still found. `npm run eval:motion -- <highway> --light step-up@900` reproduces one.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type LightChange, LIGHT_CHANGES } from "../../scripts/motion-eval/lighting.js";
import { evaluateSequence, type EvalReport } from "../../scripts/motion-eval/run-eval.js";
import { fullHighway, skipWithoutFullHighway } from "../support/cdnet.js";

const AT = 900;
/** Frames played for the "right after the step" check: from the temporal ROI's start to 6 frames past the step. */
const AROUND_STEP: [number, number] = [470, AT + 6];
const MAX_F_LOSS = 0.03;

const skip = skipWithoutFullHighway();
const cache = new Map<string, EvalReport>();
function run(light: LightChange, range?: [number, number]): EvalReport {
  const key = `${light.name}@${light.at}:${range ?? "all"}`;
  let r = cache.get(key);
  if (!r) {
    r = evaluateSequence(fullHighway() as string, { light, range, sheetFrames: [] });
    cache.set(key, r);
  }
  return r;
}

describe("lighting changes while the highway's traffic moves", { skip }, () => {
  for (const name of LIGHT_CHANGES.filter((n) => n !== "none")) {
    test(`${name}@${AT}: pixel F within ${MAX_F_LOSS} of the same frames unlit`, () => {
      const base = run({ name: "none", at: 0 });
      const lit = run({ name, at: AT });
      assert.ok(base.pixel.f > 0.8, `the unlit baseline scores (F ${base.pixel.f.toFixed(3)})`);
      assert.ok(
        base.pixel.f - lit.pixel.f <= MAX_F_LOSS,
        `${name}: F ${lit.pixel.f.toFixed(3)} against ${base.pixel.f.toFixed(3)} unlit`,
      );
      assert.ok(lit.frame.recall >= 0.99, `${name}: frame recall ${lit.frame.recall.toFixed(3)}`);
      assert.equal(lit.events.count, base.events.count, `${name}: the motion event is not split or ended`);
    });
  }

  for (const name of ["step-up", "step-down", "ir"] as const) {
    test(`${name}@${AT}: every frame with motion up to 6 frames after the step is still found`, () => {
      const lit = run({ name, at: AT }, AROUND_STEP);
      assert.ok(lit.frame.tp > 300, `frames with motion scored (${lit.frame.tp})`);
      assert.equal(lit.frame.fn, 0, `${name}: ${lit.frame.fn} frames with motion missed up to frame ${AROUND_STEP[1]}`);
    });
  }
});
