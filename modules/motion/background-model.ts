// SPDX-License-Identifier: MIT
// The per-cell model: a selective running-average background (8.8 fixed point), a noise level and the
// threshold it implies, and a "still" check that lets a foreground cell that stops changing join the
// background (a parked car, a parcel, a ghost). `classify` is the detector's hot loop, kept to the
// fewest XS operations per cell; the upkeep rides along on a fraction of the rows per frame.
import type { Grid } from "./grid.js";
import { clippedBoth, SATURATED } from "./refine.js";

/** Per-cell state, one entry per thumbnail cell. */
export interface BackgroundModel {
  readonly grid: Grid;
  /** Background luma x 256. */
  readonly background: Uint16Array;
  /** Mean absolute residual on background frames x 16: the cell's noise level. */
  readonly noise: Uint16Array;
  /** Foreground when |residual| > threshold; 255 (never) for masked cells. */
  readonly threshold: Uint8Array;
  /** 1 where the privacy mask covers the cell (set before `resetModel`). */
  readonly masked: Uint8Array;
  /**
   * Kept by `resetModel` from `masked`: the masked cells, and 0x80 in each masked cell's byte of `maskedLanes` (read
   * four cells a word). A masked cell's band holds every luma and its background is left alone, so it is never
   * foreground whatever the gain.
   */
  maskedCells: Int32Array;
  readonly maskedLanes: Int32Array;
  /** Luma at the last still check, and the frame since which each foreground cell has stayed unchanged. */
  readonly stillLuma: Uint8Array;
  readonly stillSince: Int32Array;
  readonly stillSeen: Int32Array;
  /**
   * The background band of each cell, in half grey levels: the cell is foreground when luma / 2 is below `low` or
   * above `high` - 128 (one byte per cell, read four at a time through `low32` and `high32`). They are computed
   * for the gain `bandGain` (x 256) and serve gains from `bandGainLow` to `bandGainHigh`; `bandGainLow` is -1 when
   * the model changed and they must be computed again.
   */
  readonly low: Uint8Array;
  readonly high: Uint8Array;
  readonly low32: Int32Array;
  readonly high32: Int32Array;
  bandGain: number;
  bandGainLow: number;
  bandGainHigh: number;
  /** A word-aligned copy of the frame, for frames whose luma does not start on a 4-byte boundary. */
  readonly aligned: Uint8Array;
  readonly aligned32: Int32Array;
}

export interface ModelParams {
  /** Smallest threshold, in grey levels. */
  thresholdMin: number;
  /** Threshold = max(thresholdMin, noiseFactor x noise level). */
  noiseFactor: number;
  /** Background weight of the current frame x 65536 (1/backgroundFrames). */
  alphaQ16: number;
  /** Frames a foreground cell must stay unchanged before it is absorbed. */
  stillFrames: number;
}

/**
 * Background rows are averaged one in BACKGROUND_STRIDE per frame, with BACKGROUND_STRIDE times the weight (1/2 at
 * the default 64 frames), and every row in the frames after a lighting step. Issue 13: one in 32 (it was 8, then
 * 16), with `motion.backgroundFrames` 64 (it was 16, then 32), chosen on the highway's tuning part.
 */
export const BACKGROUND_STRIDE = 32;
/** Noise levels are refreshed one row in NOISE_STRIDE per frame (a multiple of BACKGROUND_STRIDE). */
export const NOISE_STRIDE = 64;
/** Foreground cells are checked for stillness every STILL_PERIOD frames. */
export const STILL_PERIOD = 8;
/** "Unchanged" between two still checks: at most this many grey levels apart. */
export const STILL_DELTA = 3;
/** Backgrounds at or above CLIPPED_HIGH or below CLIPPED_LOW (8.8) are clipped by the sensor: 250 and 6. */
export const CLIPPED_HIGH = 250 << 8;
export const CLIPPED_LOW = 6 << 8;
/** Noise a new cell starts with, x 16 (3 grey levels). */
const INITIAL_NOISE_Q4 = 48;

export function createBackgroundModel(grid: Grid): BackgroundModel {
  const n = grid.cells;
  const words = (n + 3) >> 2;
  const low = new Int32Array(words),
    high = new Int32Array(words),
    aligned = new Int32Array(words);
  return {
    grid,
    background: new Uint16Array(n),
    noise: new Uint16Array(n),
    threshold: new Uint8Array(n),
    masked: new Uint8Array(n),
    maskedCells: new Int32Array(0),
    maskedLanes: new Int32Array(words),
    stillLuma: new Uint8Array(n),
    stillSince: new Int32Array(n),
    stillSeen: new Int32Array(n),
    low: new Uint8Array(low.buffer),
    high: new Uint8Array(high.buffer),
    low32: low,
    high32: high,
    bandGain: 256,
    bandGainLow: -1,
    bandGainHigh: -1,
    aligned: new Uint8Array(aligned.buffer),
    aligned32: aligned,
  };
}

/** Starts over on `luma`: background = frame, initial noise, thresholds from the mask. */
export function resetModel(m: BackgroundModel, luma: Uint8Array, p: ModelParams): void {
  const n = m.grid.cells;
  for (let c = 0; c < n; c++) m.background[c] = luma[c] << 8;
  m.noise.fill(INITIAL_NOISE_Q4);
  m.stillLuma.set(luma.length === n ? luma : luma.subarray(0, n));
  m.stillSince.fill(0);
  m.stillSeen.fill(-STILL_PERIOD);
  m.bandGainLow = m.bandGainHigh = -1;
  for (let c = 0; c < n; c++)
    m.threshold[c] = m.masked[c] ? 255 : clampThreshold((p.noiseFactor * INITIAL_NOISE_Q4) >> 4, p.thresholdMin);
  const lanes = new Uint8Array(m.maskedLanes.buffer);
  const cells: number[] = [];
  for (let c = 0; c < n; c++) {
    lanes[c] = m.masked[c] ? 0x80 : 0;
    if (m.masked[c]) cells.push(c);
  }
  m.maskedCells = Int32Array.from(cells);
}

/**
 * The upkeep's weight x 65536: BACKGROUND_STRIDE / backgroundFrames, at most 1 (a shorter time constant acts as
 * BACKGROUND_STRIDE frames).
 */
function upkeepWeight(p: ModelParams): number {
  const alpha = p.alphaQ16 * BACKGROUND_STRIDE;
  return alpha > 65536 ? 65536 : alpha;
}

function clampThreshold(t: number, min: number): number {
  return t < min ? min : t > 254 ? 254 : t;
}

/** Luma at or below this is clipped black (refine.ts). */
const DARK = 255 - SATURATED;

/** |d| clamped to 255, indexed by d + ABS_OFFSET: one lookup is cheaper on XS than a compare and a negation. */
const ABS_OFFSET = 1024;
let absTable: Uint8Array | undefined;
function absolute(): Uint8Array {
  if (!absTable) {
    // Residuals run from 0 - 1009 (background 255 at the largest gain, 4x) to 255.
    absTable = new Uint8Array(ABS_OFFSET + 256);
    for (let i = 0; i < absTable.length; i++) absTable[i] = Math.min(255, Math.abs(i - ABS_OFFSET));
  }
  return absTable;
}

/**
 * The hot loop: classifies every cell of `luma` and returns how many are foreground, marked in the bit rows `raw`
 * (grid.ts; cleared by the caller), those clipped both now and as predicted in `drop` too (refine.ts's
 * `clippedBoth`). A cell is foreground when luma / 2 lies outside its band (`low`, `high`: gain x background -/+
 * threshold, in half grey levels, for the gain the bands were computed for, within 1/BAND_GAIN_SLACK of this
 * frame's `gainQ8`), so four cells are classified in one word test. The upkeep rides along on one row in
 * BACKGROUND_STRIDE (every row when `everyRow`: the frames that settle a lighting step): their background cells
 * update the running average (with BACKGROUND_STRIDE times the weight, so each cell averages at about
 * 1/backgroundFrames per frame), and one row in NOISE_STRIDE also refreshes its noise level and threshold.
 * Foreground cells are never averaged in (the selective update). Masked cells are left alone, and their band
 * holds every luma. A clipped background is judged like any other: a car on a road lit to white is motion, and the
 * road it leaves matches its background again (issue 13: treating it as unknown made a ghost of every car that
 * crossed it after a step up).
 */
export function classify(
  m: BackgroundModel,
  luma: Uint8Array,
  gainQ8: number,
  frame: number,
  p: ModelParams,
  raw: Int32Array,
  drop: Int32Array,
  everyRow = false,
): number {
  if (gainQ8 < m.bandGainLow || gainQ8 > m.bandGainHigh) computeBands(m, gainQ8);
  return (m.grid.width & 3) === 0
    ? classifyWords(m, luma, gainQ8, frame, p, raw, drop, everyRow)
    : classifyCells(m, luma, gainQ8, frame, p, raw, drop, everyRow);
}

/** The high bit of each byte of a word, as an int32 (0x80808080). */
const HIGH_BITS = -2139062144;
/** The low seven bits of each byte. */
const LOW_BITS = 0x7f7f7f7f;
/** Per byte, half of SATURATED (0x7d): (x | HIGH_BITS) - this has the high bit where luma >= SATURATED. */
const SATURATED_HALVES = (SATURATED >> 1) * 0x01010101;
/** Per byte, 128 + half of DARK (0x82): this - x has the high bit where luma <= DARK. */
const DARK_HALVES = ((128 + (DARK >> 1)) * 0x01010101) | 0;
/** Offset of the band tables' index: pred - threshold reaches -255. */
const BAND_OFFSET = 256;
let lowTable: Uint8Array | undefined;
let highTable: Uint8Array | undefined;

/**
 * The band tables, by pred -/+ threshold + BAND_OFFSET (pred up to 1023 at gain 4): `low` is the least half
 * grey level of luma / 2 that is not below pred - threshold (0: none is; 128: every one is), `high` is 128 + the
 * greatest that is not above pred + threshold (255: none is; 127: every one is). A luma one grey level past the
 * exact limit may share its half level with one inside: the band then takes it as foreground.
 */
function bandTables(): void {
  if (lowTable && highTable) return;
  lowTable = new Uint8Array(BAND_OFFSET + 1280);
  highTable = new Uint8Array(BAND_OFFSET + 1280);
  for (let i = 0; i < lowTable.length; i++) {
    const v = i - BAND_OFFSET;
    lowTable[i] = v <= 0 ? 0 : v > 255 ? 128 : (v + 1) >> 1;
    highTable[i] = v < 0 ? 127 : v >= 255 ? 255 : 127 + ((v + 1) >> 1);
  }
}

/** The bands serve gains within 1/BAND_GAIN_SLACK of the one they were computed for (about 1.6%, one gain step). */
const BAND_GAIN_SLACK = 64;

/** Computes every cell's band (`low`, `high`) for the gain `gainQ8` (x 256). */
function computeBands(m: BackgroundModel, gainQ8: number): void {
  const { background, threshold, low, high } = m;
  bandTables(); // no destructuring: an array pattern costs XS an iterator
  const lowT = lowTable as Uint8Array,
    highT = highTable as Uint8Array;
  const n = m.grid.cells;
  // Temporaries declared once: a block-scoped const costs XS a scope per iteration.
  let c = 0,
    b = 0,
    t = 0,
    pred = 0;
  do {
    b = background[c];
    t = threshold[c];
    pred = ((b * gainQ8) >> 16) + BAND_OFFSET;
    low[c] = lowT[pred - t];
    high[c] = highT[pred + t];
  } while (++c < n);
  const masked = m.maskedCells;
  for (let i = 0; i < masked.length; i++) {
    low[masked[i]] = 0;
    high[masked[i]] = 255;
  }
  const slack = Math.ceil(gainQ8 / BAND_GAIN_SLACK);
  m.bandGain = gainQ8;
  m.bandGainLow = gainQ8 - slack;
  m.bandGainHigh = gainQ8 + slack;
}

/** Brings cell `c`'s band up to date after its background or threshold changed (when bands are kept). */
export function updateBand(m: BackgroundModel, c: number): void {
  if (m.bandGainLow < 0 || m.masked[c] !== 0) return;
  const b = m.background[c];
  bandTables(); // no destructuring: an array pattern costs XS an iterator
  const pred = ((b * m.bandGain) >> 16) + BAND_OFFSET,
    t = m.threshold[c];
  m.low[c] = (lowTable as Uint8Array)[pred - t];
  m.high[c] = (highTable as Uint8Array)[pred + t];
}

/** `luma` as words: a view when it starts on a 4-byte boundary, else the model's aligned copy. */
function lumaWords(m: BackgroundModel, luma: Uint8Array): Int32Array {
  const words = m.aligned32.length;
  if ((luma.byteOffset & 3) === 0 && luma.buffer instanceof ArrayBuffer) {
    const cached = wordViews.get(luma.buffer);
    if (cached && cached.byteOffset === luma.byteOffset && cached.length === words) return cached;
    const view = new Int32Array(luma.buffer, luma.byteOffset, words);
    wordViews.set(luma.buffer, view);
    return view;
  }
  m.aligned.set(luma.length === m.aligned.length ? luma : luma.subarray(0, m.grid.cells));
  return m.aligned32;
}
const wordViews = new WeakMap<ArrayBuffer, Int32Array>();

/**
 * `classify` for grids whose width is a multiple of 4: four cells at a time, luma / 2 against each cell's band
 * in one word (SWAR, seven bits a lane and the eighth as a borrow guard). The lanes outside their bands are the
 * word's foreground: gathered into four raw bits and counted with one multiplication each, and looked at one by
 * one only when they are clipped too. The upkeep rows then update their background cells one by one.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: the hot loop, inlined for XS (BENCHMARKS.md motion)
function classifyWords(
  m: BackgroundModel,
  luma: Uint8Array,
  gainQ8: number,
  frame: number,
  p: ModelParams,
  raw: Int32Array,
  drop: Int32Array,
  everyRow: boolean,
): number {
  const { background, threshold, noise, low, high, low32, high32, maskedLanes } = m;
  const bandGain = m.bandGain;
  const { width, height, bitStride } = m.grid;
  const words = lumaWords(m, luma);
  const abs = absolute();
  bandTables(); // no destructuring: an array pattern costs XS an iterator
  const lowT = lowTable as Uint8Array,
    highT = highTable as Uint8Array;
  const alpha = upkeepWeight(p);
  const min = p.thresholdMin,
    k = p.noiseFactor;
  const H = HIGH_BITS,
    M = LOW_BITS;
  let n = 0;
  let w = 0;
  // The loops' temporaries, declared once: a block-scoped const costs XS a scope per iteration.
  let x = 0,
    f = 0,
    g = 0,
    q = 0,
    c = 0,
    b = 0,
    v = 0,
    t = 0,
    d = 0,
    cur = 0,
    lane = 0,
    last = 0,
    start = 0,
    y = 0,
    wordEnd = 0,
    bitRow = 0,
    phase = 0,
    noiseRow = false;
  for (; y < height; y++, start += width) {
    wordEnd = (start + width) >> 2;
    bitRow = (y + 1) * bitStride + 1;
    phase = (y + frame) % NOISE_STRIDE;
    if (phase % BACKGROUND_STRIDE !== 0 && !everyRow) {
      do {
        x = (words[w] >>> 1) & M;
        f = ((x | H) - low32[w]) & (high32[w] - x) & H;
        if (f === H) continue;
        // Lanes outside their bands (f's high bits) are foreground. Shifted to bits 0, 8, 16 and 24 (g), a
        // multiplication sums them into the top byte (the count) or gathers them into bits 24..27 (the raw bits); no
        // partial products collide, and the double is exact, so >>> keeps the low 32 bits.
        f ^= H;
        g = f >>> 7;
        n += (g * 0x01010101) >>> 24;
        q = (w << 2) - start;
        raw[bitRow + (q >> 5)] |= (((g * 0x01020408) >>> 24) & 15) << q;
        d = f & (((x | H) - SATURATED_HALVES) | (DARK_HALVES - x));
        if (d !== 0) markClipped(luma, background, gainQ8, w, d, drop, bitRow, q);
      } while (++w < wordEnd);
      continue;
    }
    // An upkeep row: background cells move towards the frame, and their bands with them; in a noise row (one in
    // NOISE_STRIDE) their noise levels and thresholds too.
    noiseRow = phase === 0;
    do {
      x = (words[w] >>> 1) & M;
      f = (((x | H) - low32[w]) & (high32[w] - x) & H) ^ H;
      if (f !== 0) {
        // The foreground lanes, as above: written twice so the rows without upkeep, 31 in 32, test nothing more
        // per word (one loop with an upkeep test costs 1.4 units per cell more).
        g = f >>> 7;
        n += (g * 0x01010101) >>> 24;
        q = (w << 2) - start;
        raw[bitRow + (q >> 5)] |= (((g * 0x01020408) >>> 24) & 15) << q;
        d = f & (((x | H) - SATURATED_HALVES) | (DARK_HALVES - x));
        if (d !== 0) markClipped(luma, background, gainQ8, w, d, drop, bitRow, q);
      }
      // The upkeep leaves foreground and masked cells alone.
      f |= maskedLanes[w];
      c = w << 2;
      last = c + 4;
      lane = 0x80;
      do {
        if ((f & lane) === 0) {
          cur = luma[c];
          b = background[c];
          v = b + ((((cur << 8) - b) * alpha) >> 16);
          background[c] = v;
          if (noiseRow) {
            d = abs[cur - ((b * gainQ8) >> 16) + ABS_OFFSET];
            t = noise[c];
            t += ((d << 4) - t) >> 2;
            noise[c] = t;
            t = (k * t) >> 4;
            threshold[c] = t < min ? min : t > 254 ? 254 : t;
          }
          t = threshold[c];
          v = ((v * bandGain) >> 16) + BAND_OFFSET;
          low[c] = lowT[v - t];
          high[c] = highT[v + t];
        }
        lane <<= 8;
      } while (++c < last);
    } while (++w < wordEnd);
  }
  return n;
}

/**
 * Marks in `drop` the foreground lanes `lanes` (high bits of a word's bytes) of luma word `w` that are clipped both
 * now and as predicted (refine.ts's `clippedBoth`); `q` is the word's first cell in its row, `bitRow` the row's
 * first bit word.
 */
function markClipped(
  luma: Uint8Array,
  background: Uint16Array,
  gainQ8: number,
  w: number,
  lanes: number,
  drop: Int32Array,
  bitRow: number,
  q: number,
): void {
  let c = w << 2;
  for (let lane = 0x80; lanes !== 0; lane <<= 8, c++, q++) {
    if ((lanes & lane) === 0) continue;
    lanes ^= lane;
    if (clippedBoth(luma[c], (background[c] * gainQ8) >> 16)) drop[bitRow + (q >> 5)] |= 1 << q;
  }
}

/** `classify` cell by cell (any grid width), with the same band test and upkeep as `classifyWords`. */
function classifyCells(
  m: BackgroundModel,
  luma: Uint8Array,
  gainQ8: number,
  frame: number,
  p: ModelParams,
  raw: Int32Array,
  drop: Int32Array,
  everyRow: boolean,
): number {
  const { low, high } = m;
  const { width, height, bitWordOf, bitOf } = m.grid;
  const alpha = upkeepWeight(p);
  let n = 0;
  let c = 0;
  for (let y = 0; y < height; y++) {
    const end = c + width;
    const phase = (y + frame) % NOISE_STRIDE;
    const upkeep = everyRow || phase % BACKGROUND_STRIDE === 0;
    for (; c < end; c++) {
      const h = luma[c] >> 1;
      if (h < low[c] || h + 128 > high[c]) {
        n++;
        raw[bitWordOf[c]] |= bitOf[c];
        if (clippedBoth(luma[c], (m.background[c] * gainQ8) >> 16)) drop[bitWordOf[c]] |= bitOf[c];
      } else if (upkeep && m.masked[c] === 0) upkeepCell(m, c, luma[c], gainQ8, alpha, phase === 0, p);
    }
  }
  return n;
}

/** One background cell's upkeep, as `classifyWords` inlines it: the running average, the noise level, the band. */
function upkeepCell(
  m: BackgroundModel,
  c: number,
  cur: number,
  gainQ8: number,
  alpha: number,
  noiseRow: boolean,
  p: ModelParams,
): void {
  const b = m.background[c];
  m.background[c] = b + ((((cur << 8) - b) * alpha) >> 16);
  if (noiseRow) {
    const d = absolute()[cur - ((b * gainQ8) >> 16) + ABS_OFFSET];
    const q = m.noise[c] + (((d << 4) - m.noise[c]) >> 2);
    m.noise[c] = q;
    m.threshold[c] = clampThreshold((p.noiseFactor * q) >> 4, p.thresholdMin);
  }
  updateBand(m, c);
}

/**
 * Every STILL_PERIOD frames: a foreground cell (set in the bit rows `raw`) that was foreground at the previous check
 * too and changed by at most STILL_DELTA since is still; once still for `stillFrames` frames it is taken into the
 * background, so a parked object stops being motion (and a ghost disappears).
 */
export function absorbStill(
  m: BackgroundModel,
  luma: Uint8Array,
  raw: Int32Array,
  frame: number,
  p: ModelParams,
): void {
  if (frame % STILL_PERIOD !== 0) return;
  const { background, stillLuma, stillSince, stillSeen } = m;
  const { width, height, rowWords, bitStride } = m.grid;
  const checked = frame - STILL_PERIOD;
  // Temporaries declared once: a block-scoped const costs XS a scope per iteration.
  let r = 0,
    j = 0,
    F = 0,
    bit = 0,
    c = 0,
    cur = 0,
    d = 0;
  for (; r < height; r++) {
    for (j = 0; j < rowWords; j++) {
      F = raw[(r + 1) * bitStride + 1 + j];
      while (F !== 0) {
        bit = F & -F;
        F ^= bit;
        c = r * width + j * 32 + 31 - Math.clz32(bit);
        cur = luma[c];
        d = cur - stillLuma[c];
        if (stillSeen[c] !== checked || d > STILL_DELTA || d < -STILL_DELTA) stillSince[c] = frame;
        else if (frame - stillSince[c] >= p.stillFrames) {
          background[c] = cur << 8;
          updateBand(m, c);
        }
        // Only a cell seen at this check reads its luma at the next one.
        stillLuma[c] = cur;
        stillSeen[c] = frame;
      }
    }
  }
}

/** True when thumbnail cell `c` is set in the bit rows `bits`. */
function isSet(g: Grid, bits: Int32Array, c: number): boolean {
  return (bits[g.bitWordOf[c]] & g.bitOf[c]) !== 0;
}

/**
 * Rebases the model on a lighting change fitted as a line (tone.ts): every background becomes slope x background
 * + offset, and each noise level and threshold scales with the slope, so a darker, flatter picture keeps its
 * sensitivity and a brighter one does not turn its noise into motion. Cells that were background last frame (0
 * in the bit rows `previous`) then move half-way to the frame, which takes in what a line cannot model (a detail that
 * clips at white). A clipped background (white or black) says nothing about its true level: it takes the
 * frame's value where the cell was background, and stays as it is where it was not. `thresholdMin` is the floor
 * the new thresholds keep.
 */
export function retoneBackground(
  m: BackgroundModel,
  luma: Uint8Array,
  previous: Int32Array,
  slopeQ8: number,
  offset: number,
  noiseFactor: number,
  thresholdMin: number,
): void {
  const { background, noise, threshold, masked } = m;
  const { bitWordOf, bitOf } = m.grid;
  const n = m.grid.cells;
  const offsetQ8 = offset << 8;
  m.bandGainLow = m.bandGainHigh = -1;
  // Temporaries declared once: a block-scoped const costs XS a scope per iteration.
  let c = 0,
    b = 0,
    still = false,
    v = 0,
    d = 0,
    near = 0,
    s = 0,
    t = 0;
  for (; c < n; c++) {
    b = background[c];
    still = (previous[bitWordOf[c]] & bitOf[c]) === 0;
    if (b >= CLIPPED_HIGH || b < CLIPPED_LOW) {
      if (still) background[c] = luma[c] << 8;
    } else {
      v = ((b * slopeQ8) >> 8) + offsetQ8;
      d = (luma[c] << 8) - v;
      near = threshold[c] << 9; // twice the threshold, 8.8
      if (still && d < near && d > -near) v = (v + (luma[c] << 8)) >> 1;
      background[c] = v < 0 ? 0 : v > MAX_BACKGROUND ? MAX_BACKGROUND : v;
    }
    s = (noise[c] * slopeQ8) >> 8;
    s = s < 1 ? 1 : s > 4080 ? 4080 : s;
    noise[c] = s;
    if (masked[c] === 0) {
      // clampThreshold, inlined
      t = (noiseFactor * s) >> 4;
      threshold[c] = t < thresholdMin ? thresholdMin : t > 254 ? 254 : t;
    }
  }
}

/** The largest background value: 255 in 8.8 fixed point. */
const MAX_BACKGROUND = 255 << 8;

/** Fast relearning after an illumination event: every cell moves half-way to the current frame. */
export function relearn(m: BackgroundModel, luma: Uint8Array): void {
  const { background } = m;
  m.bandGainLow = m.bandGainHigh = -1;
  const n = m.grid.cells;
  for (let c = 0; c < n; c++) {
    const b = background[c];
    background[c] = b + (((luma[c] << 8) - b) >> 1);
  }
}

/**
 * In the frame of a lighting step: the raw foreground cells (bit rows `raw`) that were not foreground in the previous
 * frame (bit rows `previous`) are marked in `residue` (thumbnail cells): what the fit may have left over, as opposed
 * to objects that were already moving.
 */
export function markResidue(g: Grid, raw: Int32Array, previous: Int32Array, residue: Uint8Array): void {
  const { width, height, rowWords, bitStride } = g;
  for (let r = 0; r < height; r++) {
    for (let j = 0; j < rowWords; j++) {
      const k = (r + 1) * bitStride + 1 + j;
      let F = raw[k] & ~previous[k];
      while (F !== 0) {
        const bit = F & -F;
        F ^= bit;
        residue[r * width + j * 32 + 31 - Math.clz32(bit)] = 1;
      }
    }
  }
}

/**
 * After a lighting step: of the raw foreground cells (bit rows `raw`, `n` of them), the residue cells
 * (markResidue), and cells that turned foreground since the last frame (not set in the bit rows `previous`), that
 * are within their threshold of the previous frame's luma are static: lighting the fit left over, not an object
 * arriving. They join the background and leave `raw`. Returns how many cells remain.
 */
export function settleStatic(
  m: BackgroundModel,
  luma: Uint8Array,
  previousLuma: Uint8Array,
  raw: Int32Array,
  n: number,
  residue: Uint8Array,
  previous: Int32Array,
): number {
  const { background, threshold } = m;
  const { width, height, rowWords, bitStride } = m.grid;
  for (let r = 0; r < height; r++) {
    for (let j = 0; j < rowWords; j++) {
      const k = (r + 1) * bitStride + 1 + j;
      let F = raw[k];
      while (F !== 0) {
        const bit = F & -F;
        F ^= bit;
        const c = r * width + j * 32 + 31 - Math.clz32(bit);
        const d = luma[c] - previousLuma[c];
        if ((residue[c] !== 0 || (previous[k] & bit) === 0) && d <= threshold[c] && d >= -threshold[c]) {
          background[c] = luma[c] << 8;
          updateBand(m, c);
          raw[k] &= ~bit;
          n--;
        }
      }
    }
  }
  return n;
}

/**
 * After a lighting step, noise levels are learnt again at once (an IR switch brings more noise with less
 * contrast): each watched cell that is background, or lighting residue, moves its noise level half-way to its
 * change since the last frame (/ sqrt 2, the difference of two noisy frames), and its threshold follows. `raw` is
 * this frame's raw foreground (bit rows).
 */
export function learnNoise(
  m: BackgroundModel,
  luma: Uint8Array,
  previous: Uint8Array,
  raw: Int32Array,
  residue: Uint8Array,
  noiseFactor: number,
  thresholdMin: number,
): void {
  const { noise, threshold, masked } = m;
  const g = m.grid;
  const n = g.cells;
  m.bandGainLow = m.bandGainHigh = -1;
  for (let c = 0; c < n; c++) {
    if (masked[c] !== 0 || (residue[c] === 0 && isSet(g, raw, c))) continue;
    const d = luma[c] - previous[c];
    const s = noise[c] + ((((d < 0 ? -d : d) * 181) >> 4) - noise[c]) / 2;
    noise[c] = s;
    threshold[c] = clampThreshold((noiseFactor * s) >> 4, thresholdMin);
  }
}
