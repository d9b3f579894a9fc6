// SPDX-License-Identifier: MIT
// The classification on bands (background-model.ts's `classify`) against the rule it stands for: a cell is
// foreground when its luma differs from gain x background by more than its threshold. The band is kept in half grey
// levels, so a difference of exactly the threshold may go either way; any other difference must be judged as the
// rule says. Random backgrounds, thresholds, gains and frames, on a grid tested four cells a word (40 wide) and one
// tested cell by cell (42 wide), with the upkeep rows and masked cells included. A fixed-seed generator, so a
// failure repeats.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  classify,
  createBackgroundModel,
  type ModelParams,
  resetModel,
} from "../../modules/motion/background-model.js";
import { createGrid } from "../../modules/motion/grid.js";
import { clippedBoth } from "../../modules/motion/refine.js";

function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PARAMS: ModelParams = { thresholdMin: 10, noiseFactor: 4, alphaQ16: 1024, stillFrames: 30 };

/** One random scene: returns how many cells were checked against the rule, and how many were foreground. */
function checkScene(width: number, height: number, random: () => number): { checked: number; foreground: number } {
  const g = createGrid(width, height);
  const m = createBackgroundModel(g);
  const n = g.cells;
  const luma = new Uint8Array(n);
  for (let c = 0; c < n; c++) {
    luma[c] = Math.floor(random() * 256);
    m.masked[c] = random() < 0.05 ? 1 : 0;
  }
  resetModel(m, luma, PARAMS);
  for (let c = 0; c < n; c++) {
    // Up to 255 in 8.8, so with the gain above 1 a prediction goes past white.
    m.background[c] = Math.floor(random() * 65281);
    if (!m.masked[c]) m.threshold[c] = 4 + Math.floor(random() * 60);
  }
  const gainQ8 = 200 + Math.floor(random() * 120);
  // Half the cells near their limit, where the rounding to half grey levels matters.
  for (let c = 0; c < n; c++) {
    const pred = (m.background[c] * gainQ8) >> 16;
    const t = m.threshold[c];
    const v = random() < 0.5 ? pred + (random() < 0.5 ? -1 : 1) * (t + Math.floor(random() * 3) - 1) : luma[c];
    luma[c] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  const before = Uint16Array.from(m.background);
  const thresholds = Uint8Array.from(m.threshold);
  const raw = new Int32Array(g.bitCells);
  const drop = new Int32Array(g.bitCells);
  const frame = Math.floor(random() * 64);
  const count = classify(m, luma, gainQ8, frame, PARAMS, raw, drop, random() < 0.2);
  let foreground = 0,
    checked = 0;
  for (let c = 0; c < n; c++) {
    const set = (raw[g.bitWordOf[c]] & g.bitOf[c]) !== 0;
    const pred = (before[c] * gainQ8) >> 16;
    const d = Math.abs(luma[c] - pred);
    const t = thresholds[c];
    const where = `cell ${c} of ${width}x${height}: luma ${luma[c]}, predicted ${pred}, threshold ${t}`;
    if (set) foreground++;
    if (m.masked[c]) {
      assert.equal(set, false, `a masked cell is never foreground (${where})`);
      assert.equal(m.background[c], before[c], `a masked cell's background is left alone (${where})`);
    } else if (d !== t) {
      assert.equal(set, d > t, where);
      checked++;
    }
    if (set) {
      assert.equal(m.background[c], before[c], `a foreground cell is not averaged in (${where})`);
      const dropped = (drop[g.bitWordOf[c]] & g.bitOf[c]) !== 0;
      assert.equal(dropped, clippedBoth(luma[c], pred), `drop marks the cells clipped now and as predicted (${where})`);
    }
  }
  assert.equal(count, foreground, "the count is the number of raw bits set");
  return { checked, foreground };
}

describe("motion classification on bands", () => {
  for (const [width, height] of [
    [40, 30],
    [42, 31],
  ] as const) {
    test(`${width}x${height}: foreground exactly where gain x background is off by more than the threshold`, () => {
      const random = generator(width * 1000 + height);
      let checked = 0,
        foreground = 0;
      for (let round = 0; round < 12; round++) {
        const r = checkScene(width, height, random);
        checked += r.checked;
        foreground += r.foreground;
      }
      // Both sides of the rule were exercised, many times.
      assert.ok(foreground > 1000 && checked - foreground > 1000, `foreground ${foreground} of ${checked}`);
    });
  }
});
