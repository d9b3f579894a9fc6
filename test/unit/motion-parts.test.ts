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
  const square = (x0: number, y0: number, x1: number, y1: number) => ({
    polygon: [
      [x0, y0],
      [x1, y0],
      [x1, y1],
      [x0, y1],
    ] as [number, number][],
  });

  test("a cell is masked when the centre of any of its 8x8 pixels is inside a polygon", () => {
    const masked = new Uint8Array(4 * 3);
    // A polygon over pixels x 8..16.4, y 0..8: it does not take pixel 16's centre (16.5 > 16.4).
    const count = rasterizeMask([square(8, 0, 16.4, 8)], 32, 24, 4, 3, masked);
    assert.deepEqual(Array.from(masked), [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(count, 1);
    // One pixel centre further and the next cell is masked too.
    rasterizeMask([square(8, 0, 16.6, 8)], 32, 24, 4, 3, masked);
    assert.deepEqual(Array.from(masked.subarray(0, 4)), [0, 1, 1, 0]);
  });

  test("a rectangle zone masks every cell holding one of its pixels, x <= px < x + width (zone.ts)", () => {
    const masked = new Uint8Array(4 * 3);
    // Pixels x 15..16 and y 8..8: pixel 15 is in cell 1, pixel 16 in cell 2, both on cell row 1.
    assert.equal(rasterizeMask([{ x: 15, y: 8, width: 2, height: 1 }], 32, 24, 4, 3, masked), 2);
    assert.deepEqual(Array.from(masked), [0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]);
    // Width 1 stops at pixel 15: cell 2 stays watched; a rectangle beyond the frame is clipped.
    rasterizeMask([{ x: 15, y: 8, width: 1, height: 1 }], 32, 24, 4, 3, masked);
    assert.deepEqual(Array.from(masked.subarray(4, 8)), [0, 1, 0, 0]);
    assert.equal(rasterizeMask([{ x: 24, y: 16, width: 500, height: 500 }], 32, 24, 4, 3, masked), 1);
    assert.equal(masked[11], 1);
  });

  test("a triangle masks the cells it touches, and polygons are unions (no even-odd between them)", () => {
    const masked = new Uint8Array(4 * 4);
    const triangle = {
      polygon: [
        [0, 0],
        [32, 0],
        [0, 32],
      ] as [number, number][],
    };
    rasterizeMask([triangle, triangle], 32, 32, 4, 4, masked);
    assert.deepEqual(Array.from(masked), [1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0]);
  });

  test("points outside the frame are clipped; no zones mask nothing", () => {
    const masked = new Uint8Array(2 * 2).fill(9);
    assert.equal(rasterizeMask([], 16, 16, 2, 2, masked), 0);
    assert.deepEqual(Array.from(masked), [0, 0, 0, 0]);
    assert.equal(rasterizeMask([square(-100, -100, 1000, 1000)], 16, 16, 2, 2, masked), 4);
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
    // Bit rows of one bit a word: sample i is bit 1 of word i.
    const skip = new Int32Array(cells);
    const samples = Int32Array.from({ length: cells }, (_, i) => i);
    const bits = new Int32Array(cells).fill(1);
    const bin = createGainEstimator(cells).estimate(luma, background, skip, samples, samples, bits, 16);
    // Each log2 is rounded to 1/64 octave, so the ratio is within one step (1.1%).
    assert.ok(Math.abs(bin - (UNITY_GAIN_BIN + 64 * Math.log2(1.5))) <= 1, `bin ${bin}`);
    assert.ok(Math.abs(gainOfBin(bin) / 256 - 1.5) < 0.02);
    // Cells that were foreground last frame are left out, so a visitor covering most of the frame cannot set the gain.
    skip.fill(1, 0, 80);
    for (let c = 0; c < 80; c++) luma[c] = 20;
    for (let c = 80; c < cells; c++) luma[c] = 100;
    assert.equal(
      createGainEstimator(cells).estimate(luma, background, skip, samples, samples, bits, 16),
      UNITY_GAIN_BIN,
    );
    assert.equal(
      createGainEstimator(cells).estimate(luma, background, skip, samples, samples, bits, 21),
      -1,
      "too few samples",
    );
  });

  test("one estimator, reused across scenes, bands and sample counts, gives the plain sorted median every time", () => {
    // The estimator keeps its buffer and band table between calls; a plain sort of the counted ratios is the
    // reference. Ratios run past +-2 octaves (clamped bins 0 and 255); cell c is bit c & 31 of word c >> 5, the
    // sign bit included.
    const step = (v: number) => Math.round(64 * Math.log2(Math.max(v, 1)));
    const reference = (
      luma: Uint8Array,
      background: Uint16Array,
      skip: Int32Array,
      samples: Int32Array,
      minSamples: number,
      low: number,
      high: number,
    ) => {
      const ratios: number[] = [];
      for (const c of samples) {
        const b = background[c] >> 8;
        if (((skip[c >> 5] >>> (c & 31)) & 1) === 0 && b >= low && b < high) ratios.push(step(luma[c]) - step(b));
      }
      if (ratios.length === 0 || ratios.length < minSamples) return -1;
      ratios.sort((x, y) => x - y);
      return Math.min(255, Math.max(0, ratios[ratios.length >> 1] + UNITY_GAIN_BIN));
    };
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * n);
    };
    const cells = 400;
    const estimator = createGainEstimator(80);
    const bands: [number, number][] = [
      [16, 256],
      [0, 256],
      [60, 140],
      [16, 256],
      [200, 100],
    ];
    const seen = new Set<number>();
    for (let scene = 0; scene < 300; scene++) {
      const gain = [0.1, 0.5, 1, 1.3, 3, 9][scene % 6];
      const background = Uint16Array.from({ length: cells }, () => random(65536 >> (scene % 3)));
      const luma = Uint8Array.from(background, (b) => Math.min(255, Math.round((b / 256) * gain) + random(21) - 10));
      const skip = new Int32Array((cells >> 5) + 1);
      for (let c = 0; c < cells; c++) if (random(10) < scene % 4) skip[c >> 5] |= 1 << (c & 31);
      const samples = Int32Array.from({ length: 1 + random(80) }, () => random(cells));
      const words = samples.map((c) => c >> 5);
      const bits = samples.map((c) => 1 << (c & 31));
      const [low, high] = bands[scene % bands.length];
      const minSamples = random(24);
      const bin = estimator.estimate(luma, background, skip, samples, words, bits, minSamples, low, high);
      assert.equal(bin, reference(luma, background, skip, samples, minSamples, low, high), `scene ${scene}`);
      seen.add(bin);
    }
    // The scenes reach both clamps, the "too few" answer and bins in between.
    assert.ok(seen.has(-1) && seen.has(0) && seen.has(255) && seen.size > 20, `bins seen ${[...seen]}`);
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
  const triangle: [number, number][] = [
    [0, 0],
    [100, 0],
    [100, 50],
  ];

  test("the retired motion.privacyMask is carried into privacy.zones, with a notice that says what to write", () => {
    const ok = parseConfig({
      motion: { privacyMask: [triangle], thresholdMin: 12 },
      privacy: { zones: [{ x: 1, y: 2, width: 3, height: 4 }] },
    });
    assert.ok(ok.ok);
    if (!ok.ok) return;
    assert.deepEqual(ok.config.privacy.zones, [{ x: 1, y: 2, width: 3, height: 4 }, { polygon: triangle }]);
    assert.equal(ok.config.motion.thresholdMin, 12);
    assert.equal("privacyMask" in ok.config.motion, false, "the retired name is not kept");
    assert.equal(ok.notices.length, 1);
    assert.match(ok.notices[0], /motion\.privacyMask is retired: its 1 polygon\(s\) now join privacy\.zones/);
    assert.match(ok.notices[0], /write them as privacy\.zones, e\.g\. \[\{"polygon"/);
    const plain = parseConfig({ motion: { thresholdMin: 12 } });
    assert.ok(plain.ok && plain.notices.length === 0);
  });

  test("a bad retired mask names the polygon and point, the value and what is accepted", () => {
    const bad = parseConfig({ motion: { privacyMask: [triangle.slice(0, 2)] } });
    assert.equal(bad.ok, false);
    if (!bad.ok) {
      assert.equal(bad.errors[0].field, "motion.privacyMask[0]");
      assert.match(bad.errors[0].accepted, /a list of 3 to 32 \[x, y\] points/);
    }
    const fraction = parseConfig({ motion: { privacyMask: [[...triangle.slice(0, 2), [1.5, 3]]] } });
    assert.equal(fraction.ok, false, "coordinates are integers");
    if (!fraction.ok) assert.equal(fraction.errors[0].field, "motion.privacyMask[0][2]");
    const notList = parseConfig({ motion: { privacyMask: "left" } });
    assert.ok(!notList.ok && /write privacy\.zones instead/.test(notList.errors[0].accepted));
    assert.equal(parseConfig({ motion: { thresholdMin: 1 } }).ok, false);
  });
});
