// SPDX-License-Identifier: MIT
// The detector's parts on their own: privacy-mask rasterisation, k-of-n hysteresis, the gain estimate,
// coarse-grid blobs, and the motion section of the config schema.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseConfig } from "../../modules/config.js";
import { createBlobFinder } from "../../modules/motion/blobs.js";
import { createGainEstimator, gainOfBin, UNITY_GAIN_BIN } from "../../modules/motion/gain.js";
import { createHysteresis } from "../../modules/motion/hysteresis.js";
import { rasterizeMask } from "../../modules/motion/privacy-mask.js";

describe("privacy mask", () => {
  test("a cell is masked when the centre of any of its 8x8 pixels is inside a polygon", () => {
    const masked = new Uint8Array(4 * 3);
    // A rectangle over pixels x 8..16.4, y 0..8: it takes pixel 16's centre (16.5)? No: 16.5 > 16.4.
    const count = rasterizeMask(
      [
        [
          [8, 0],
          [16.4, 0],
          [16.4, 8],
          [8, 8],
        ],
      ],
      32,
      24,
      4,
      3,
      masked,
    );
    assert.deepEqual(Array.from(masked), [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(count, 1);
    // One pixel centre further and the next cell is masked too.
    rasterizeMask(
      [
        [
          [8, 0],
          [16.6, 0],
          [16.6, 8],
          [8, 8],
        ],
      ],
      32,
      24,
      4,
      3,
      masked,
    );
    assert.deepEqual(Array.from(masked.subarray(0, 4)), [0, 1, 1, 0]);
  });

  test("a triangle masks the cells it touches, and polygons are unions (no even-odd between them)", () => {
    const masked = new Uint8Array(4 * 4);
    const triangle: [number, number][] = [
      [0, 0],
      [32, 0],
      [0, 32],
    ];
    rasterizeMask([triangle, triangle], 32, 32, 4, 4, masked);
    assert.deepEqual(Array.from(masked), [1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0]);
  });

  test("points outside the frame are clipped; no polygons mask nothing", () => {
    const masked = new Uint8Array(2 * 2).fill(9);
    assert.equal(rasterizeMask([], 16, 16, 2, 2, masked), 0);
    assert.deepEqual(Array.from(masked), [0, 0, 0, 0]);
    assert.equal(
      rasterizeMask(
        [
          [
            [-100, -100],
            [1000, -100],
            [1000, 1000],
            [-100, 1000],
          ],
        ],
        16,
        16,
        2,
        2,
        masked,
      ),
      4,
    );
  });
});

describe("k-of-n hysteresis", () => {
  test("starts on the k-th blob frame of n, ends after the quiet time, and holds across lighting frames", () => {
    const h = createHysteresis({ startFrames: 3, windowFrames: 5, endQuietMs: 1000 });
    const seq = [1, 0, 1, 0, 0, 0, 1, 1, 0, 1];
    const got = seq.map((c, i) => h.frame(c === 1, i * 200));
    assert.deepEqual(got, [
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      "start",
    ]);
    h.hold(2200); // a lighting frame: not quiet
    assert.equal(h.frame(false, 3000), undefined);
    assert.equal(h.frame(false, 3199), undefined);
    assert.equal(h.frame(false, 3200), "end");
    assert.equal(h.active, false);
  });

  test("startFrames above windowFrames cannot lock motion out: k is capped at n", () => {
    const h = createHysteresis({ startFrames: 9, windowFrames: 3, endQuietMs: 1000 });
    assert.deepEqual([h.frame(true, 0), h.frame(true, 200), h.frame(true, 400)], [undefined, undefined, "start"]);
  });
});

describe("robust gain", () => {
  test("the median of current/background over background cells, in 1/64-octave steps", () => {
    const cells = 100;
    const background = new Uint16Array(cells).fill(100 << 8);
    const luma = new Uint8Array(cells).fill(150); // x1.5 everywhere...
    for (let c = 0; c < 40; c++) luma[c] = 250; // ...but 40% brighter still (an object)
    const skip = new Uint8Array(cells);
    const samples = Int32Array.from({ length: cells }, (_, i) => i);
    const bin = createGainEstimator(cells).estimate(luma, background, skip, samples, samples, 16);
    // Each log2 is rounded to 1/64 octave, so the ratio is within one step (1.1%).
    assert.ok(Math.abs(bin - (UNITY_GAIN_BIN + 64 * Math.log2(1.5))) <= 1, `bin ${bin}`);
    assert.ok(Math.abs(gainOfBin(bin) / 256 - 1.5) < 0.02);
    // Cells that were foreground last frame are left out, so a visitor covering most of the frame cannot set the gain.
    skip.fill(1, 0, 80);
    for (let c = 0; c < 80; c++) luma[c] = 20;
    for (let c = 80; c < cells; c++) luma[c] = 100;
    assert.equal(createGainEstimator(cells).estimate(luma, background, skip, samples, samples, 16), UNITY_GAIN_BIN);
    assert.equal(
      createGainEstimator(cells).estimate(luma, background, skip, samples, samples, 21),
      -1,
      "too few samples",
    );
  });
});

describe("blobs on the coarse grid", () => {
  test("8x8 cells pool into 2x2 squares; 4-connected squares form blobs; small blobs neither count nor box", () => {
    const finder = createBlobFinder(40, 30);
    assert.equal(finder.factor, 2);
    const cells = Int32Array.from([
      10 * 40 + 10,
      10 * 40 + 11,
      11 * 40 + 12,
      12 * 40 + 13, // squares (5,5), (6,5), (6,6): one blob of 3
      0, // square (0,0) alone
    ]);
    const r = finder.find(cells, cells.length, 2);
    assert.equal(r.count, 1);
    assert.equal(r.largest, 3);
    assert.deepEqual(Array.from(r.box), [10, 10, 14, 14]);
    assert.equal(finder.find(cells, cells.length, 1).count, 2);
    assert.deepEqual(Array.from(finder.find(cells, cells.length, 4).box), [0, 0, 0, 0]);
  });
});

describe("motion config", () => {
  test("defaults validate; a privacy mask of polygons is accepted; a bad one names the field and what is accepted", () => {
    const ok = parseConfig({
      motion: {
        privacyMask: [
          [
            [0, 0],
            [100, 0],
            [100, 50],
          ],
        ],
        thresholdMin: 12,
      },
    });
    assert.ok(ok.ok);
    if (ok.ok)
      assert.deepEqual(ok.config.motion.privacyMask, [
        [
          [0, 0],
          [100, 0],
          [100, 50],
        ],
      ]);
    const bad = parseConfig({
      motion: {
        privacyMask: [
          [
            [0, 0],
            [100, 0],
          ],
        ],
      },
    });
    assert.equal(bad.ok, false);
    if (!bad.ok) {
      assert.equal(bad.errors[0].field, "motion.privacyMask");
      assert.match(bad.errors[0].accepted, /at most 8 polygons, each a list of 3 to 16 \[x, y\] points/);
    }
    assert.equal(
      parseConfig({
        motion: {
          privacyMask: [
            [
              [0, 0],
              [1.5, 0],
              [0, 3],
            ],
          ],
        },
      }).ok,
      false,
      "coordinates are integers",
    );
    assert.equal(parseConfig({ motion: { thresholdMin: 1 } }).ok, false);
  });
});
