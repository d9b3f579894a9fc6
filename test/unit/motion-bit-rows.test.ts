// SPDX-License-Identifier: MIT
// The cleanup and the blobs on rows of bits (grid.ts) against the cell-by-cell rules they replace: random raw maps
// on grids of one, two and three words a row (words meet at cells 32 and 64), clipped cells and border cells
// included. A fixed-seed generator, so a failure repeats.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createBlobFinder } from "../../modules/motion/blobs.js";
import { createGrid, type Grid } from "../../modules/motion/grid.js";
import { clippedBoth, COVERAGE_Q8, createRefiner, listCells } from "../../modules/motion/refine.js";

function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The cleanup cell by cell, as the detector did it on the padded byte map before bit rows: the reference. */
function referenceCleanup(g: Grid, raw: Uint8Array, luma: Uint8Array, background: Uint16Array, gainQ8: number) {
  const { width, height } = g;
  const at = (x: number, y: number) => (x >= 0 && x < width && y >= 0 && y < height ? raw[y * width + x] : 0);
  const out = new Set<number>();
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      if (!at(x, y)) continue;
      const c = y * width + x;
      const left = at(x - 1, y),
        right = at(x + 1, y),
        up = at(x, y - 1),
        down = at(x, y + 1);
      if (!right && at(x + 2, y)) out.add(c + 1);
      if (!down && at(x, y + 2) && (!at(x - 1, y + 1) || !at(x + 1, y + 1))) out.add(c + width);
      const around = left + right + up + down;
      if (around === 0) continue;
      const pred = (background[c] * gainQ8) >> 16;
      if (clippedBoth(luma[c], pred)) continue;
      if (around < 3) {
        const d = luma[c] - pred;
        const limit = (d * 256) / COVERAGE_Q8;
        const says = (n: number) => (d > 0 ? luma[n] - pred <= limit : luma[n] - pred >= limit);
        if (!((left && says(c - 1)) || (right && says(c + 1)) || (up && says(c - width)) || (down && says(c + width))))
          continue;
      }
      out.add(c);
    }
  return [...out].sort((a, b) => a - b);
}

type Parts = { g: Grid; refiner: ReturnType<typeof createRefiner>; finder: ReturnType<typeof createBlobFinder> };

/**
 * One random frame: raw cells where `isRaw(cell)`, random luma (some clipped) and background; the cleanup must match
 * the reference and the blobs' boxes the walked blobs'. Returns how many boxes were found (over minCells 1 to 3).
 */
function checkFrame({ g, refiner, finder }: Parts, random: () => number, isRaw: (c: number) => boolean, label: string) {
  const cells = new Int32Array(g.cells);
  const raw = new Uint8Array(g.cells);
  const luma = new Uint8Array(g.cells);
  const background = new Uint16Array(g.cells);
  const gainQ8 = 200 + Math.floor(random() * 112);
  let boxes = 0;
  refiner.raw.fill(0);
  refiner.drop.fill(0);
  for (let c = 0; c < g.cells; c++) {
    // Some cells near white or black, so the clipped rule is exercised.
    const pick = random();
    luma[c] =
      pick < 0.05 ? 250 + Math.floor(random() * 6) : pick < 0.1 ? Math.floor(random() * 6) : Math.floor(random() * 256);
    background[c] = Math.floor(random() * 256 * 256);
    if (!isRaw(c)) continue;
    raw[c] = 1;
    refiner.raw[g.bitWordOf[c]] |= g.bitOf[c];
    if (clippedBoth(luma[c], (background[c] * gainQ8) >> 16)) refiner.drop[g.bitWordOf[c]] |= g.bitOf[c];
  }
  const expected = referenceCleanup(g, raw, luma, background, gainQ8);
  const k = refiner.refine(luma, background, gainQ8);
  assert.equal(k, expected.length, `${label}: count`);
  assert.deepEqual(Array.from(cells.subarray(0, listCells(g, refiner.bits, cells))), expected, label);
  for (const minCells of [1, 2, 3]) {
    const walked = finder.find(Int32Array.from(expected), expected.length, minCells);
    const box = Array.from(walked.box);
    assert.equal(finder.findBox(Int32Array.from(expected), expected.length, minCells), walked.count > 0);
    assert.deepEqual(Array.from(finder.box), box, `${label}, minCells ${minCells}: findBox`);
    if (walked.count > 0) boxes++;
    if (!finder.fitsBits(minCells)) continue;
    assert.equal(finder.findBoxInBits(refiner.bits, minCells), walked.count > 0);
    assert.deepEqual(Array.from(finder.box), box, `${label}, minCells ${minCells}: findBoxInBits`);
  }
  return boxes;
}

const SIZES = [
  [40, 30],
  [80, 60],
  [20, 15],
  [44, 33],
];

describe("motion cleanup and blobs on bit rows", () => {
  for (const [width, height] of SIZES) {
    test(`${width}x${height}: the cleanup matches the cell-by-cell rule, and the blobs' box matches the walked blobs'`, () => {
      const g = createGrid(width, height);
      const parts = { g, refiner: createRefiner(g), finder: createBlobFinder(width, height) };
      const random = generator(width * 1000 + height);
      let boxes = 0;
      for (let round = 0; round < 60; round++) {
        const density = 0.03 + 0.4 * random();
        boxes += checkFrame(parts, random, () => random() < density, `round ${round}`);
      }
      assert.ok(boxes > 60, "most rounds have blobs to box");
      // Squares of 3 cells straddle words: those grids box the walked blobs only.
      assert.equal(parts.finder.fitsBits(2), parts.finder.factor !== 3);
      assert.equal(parts.finder.fitsBits(3), false);
    });

    // The cleanup skips runs of empty raw rows (four at a time, then one) and the blobs list only the words with a
    // square: bands of rows and columns with empty stretches of every length between them, at the top and bottom
    // edges too, and frames with nothing, a single cell, or every cell (full words: a population count of 32).
    test(`${width}x${height}: sparse frames (bands of rows and columns, single cells, nothing) and full ones match`, () => {
      const g = createGrid(width, height);
      const parts = { g, refiner: createRefiner(g), finder: createBlobFinder(width, height) };
      const random = generator(width * 7 + height * 13);
      let boxes = 0;
      for (let round = 0; round < 120; round++) {
        const rows = new Uint8Array(height);
        const columns = new Uint8Array(width);
        // A few bands of 1 to 3 rows and of 1 to 12 columns.
        for (let band = Math.floor(random() * 4); band > 0; band--) {
          const y = Math.floor(random() * height);
          for (let r = y; r < Math.min(height, y + 1 + Math.floor(random() * 3)); r++) rows[r] = 1;
        }
        for (let band = 1 + Math.floor(random() * 3); band > 0; band--) {
          const x = Math.floor(random() * width);
          for (let c = x; c < Math.min(width, x + 1 + Math.floor(random() * 12)); c++) columns[c] = 1;
        }
        const density = 0.5 + 0.5 * random();
        const single = round % 10 === 0 ? Math.floor(random() * g.cells) : -1;
        const empty = round % 10 === 5;
        const full = round % 10 === 7;
        const isRaw = (c: number) =>
          full ||
          (!empty &&
            (c === single ||
              (single < 0 && rows[(c / width) | 0] === 1 && columns[c % width] === 1 && random() < density)));
        boxes += checkFrame(parts, random, isRaw, `sparse round ${round}`);
      }
      assert.ok(boxes > 100, `most sparse rounds have blobs to box (${boxes})`);
    });
  }
});
