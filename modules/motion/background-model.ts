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
  /** 1 where the privacy mask covers the cell. */
  readonly masked: Uint8Array;
  /** Luma at the last still check, and the frame since which each foreground cell has stayed unchanged. */
  readonly stillLuma: Uint8Array;
  readonly stillSince: Int32Array;
  readonly stillSeen: Int32Array;
  /**
   * The background band of each cell for the word test in `classify`, in half grey levels: a cell may be
   * foreground only when luma / 2 is below `low` or above `high` - 128 (one byte per cell, read four at a time
   * through `low32` and `high32`). They hold for every gain (x 256) from `bandGainLow` to `bandGainHigh`;
   * `bandGainLow` is -1 when the model changed and they must be computed again. Never wider than the exact
   * test's band at any of those gains, so the word test only skips cells that are background.
   */
  readonly low: Uint8Array;
  readonly high: Uint8Array;
  readonly low32: Int32Array;
  readonly high32: Int32Array;
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
 * the default 32 frames), and every row in the frames after a lighting step. Issue 13: one in 16 rather than 8,
 * with `motion.backgroundFrames` 32 rather than 16, costs half the upkeep for the same weight per update.
 */
export const BACKGROUND_STRIDE = 16;
/** Noise levels are refreshed one row in NOISE_STRIDE per frame (a multiple of BACKGROUND_STRIDE). */
export const NOISE_STRIDE = 32;
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
    stillLuma: new Uint8Array(n),
    stillSince: new Int32Array(n),
    stillSeen: new Int32Array(n),
    low: new Uint8Array(low.buffer),
    high: new Uint8Array(high.buffer),
    low32: low,
    high32: high,
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
 * The hot loop: classifies every cell of `luma` against gain x background (`gainQ8` = gain x 256).
 * Foreground cells are marked in the padded `map` and in the bit rows `raw` (both cleared by the caller), those
 * clipped both now and as predicted in `drop` too (refine.ts's `clippedBoth`), and listed in `list` by padded
 * index (grid.cellOf maps back); returns how many. The upkeep rides along on a rotating
 * sixteenth of the rows (every row when `everyRow`: the frames that settle a lighting step): their background
 * cells update the running average (with 16x the weight, so each cell averages at about 1/backgroundFrames per
 * frame), and one row in 32 also refreshes its noise level and threshold. Foreground cells are never averaged
 * in (the selective update). Masked cells have threshold 255, which no residual exceeds. A cell whose background
 * is clipped (white or black) says nothing about motion when it changes: it is never foreground and its
 * background follows the frame instead.
 */
export function classify(
  m: BackgroundModel,
  luma: Uint8Array,
  gainQ8: number,
  frame: number,
  p: ModelParams,
  map: Uint8Array,
  list: Int32Array,
  raw: Int32Array,
  drop: Int32Array,
  everyRow = false,
): number {
  return (m.grid.width & 3) === 0
    ? classifyWords(m, luma, gainQ8, frame, p, map, list, raw, drop, everyRow)
    : classifyCells(m, luma, gainQ8, frame, p, map, list, raw, drop, everyRow);
}

/** The high bit of each byte of a word, as an int32 (0x80808080). */
const HIGH_BITS = -2139062144;
/** The low seven bits of each byte. */
const LOW_BITS = 0x7f7f7f7f;
/** Offset of the band tables' index: pred - threshold reaches -255. */
const BAND_OFFSET = 256;
let lowTable: Uint8Array | undefined;
let highTable: Uint8Array | undefined;

/**
 * The band tables, by pred -/+ threshold + BAND_OFFSET (pred up to 1023 at gain 4): `low` is the least half
 * grey level of luma / 2 that cannot be below the band (0: none is; 128: every one may be), `high` is 128 + the
 * greatest that cannot be above it (255: none is; 127: every one may be). Rounded so the test flags a superset.
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

/** The bands are computed for gains within 1/BAND_GAIN_SLACK of the current one (about 1.6%, one gain step). */
const BAND_GAIN_SLACK = 64;

/** Computes every cell's band (`low`, `high`) for the gains `gainLow` to `gainHigh` (x 256). */
function computeBands(m: BackgroundModel, gainLow: number, gainHigh: number): void {
  const { background, threshold, low, high } = m;
  bandTables(); // no destructuring: an array pattern costs XS an iterator
  const lowT = lowTable as Uint8Array,
    highT = highTable as Uint8Array;
  const n = m.grid.cells;
  // Temporaries declared once: a block-scoped const costs XS a scope per iteration.
  let c = 0,
    b = 0,
    t = 0;
  do {
    b = background[c];
    t = threshold[c];
    low[c] = lowT[((b * gainHigh) >> 16) + BAND_OFFSET - t];
    high[c] = highT[((b * gainLow) >> 16) + BAND_OFFSET + t];
  } while (++c < n);
  m.bandGainLow = gainLow;
  m.bandGainHigh = gainHigh;
}

/** Brings cell `c`'s band up to date after its background or threshold changed (when bands are kept). */
export function updateBand(m: BackgroundModel, c: number): void {
  if (m.bandGainLow < 0) return;
  bandTables(); // no destructuring: an array pattern costs XS an iterator
  const lowT = lowTable as Uint8Array,
    highT = highTable as Uint8Array;
  const b = m.background[c],
    t = m.threshold[c];
  m.low[c] = lowT[((b * m.bandGainHigh) >> 16) + BAND_OFFSET - t];
  m.high[c] = highT[((b * m.bandGainLow) >> 16) + BAND_OFFSET + t];
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
 * in one word (SWAR, seven bits a lane and the eighth as a borrow guard), and only the words with a cell outside
 * its band are classified cell by cell. The upkeep rows are classified cell by cell, as their backgrounds move.
 * The bands hold for one gain and are computed again when the gain differs; the result is `classifyCells`'s.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: the hot loop, inlined for XS (BENCHMARKS.md motion)
function classifyWords(
  m: BackgroundModel,
  luma: Uint8Array,
  gainQ8: number,
  frame: number,
  p: ModelParams,
  map: Uint8Array,
  list: Int32Array,
  raw: Int32Array,
  drop: Int32Array,
  everyRow: boolean,
): number {
  if (gainQ8 < m.bandGainLow || gainQ8 > m.bandGainHigh)
    computeBands(m, gainQ8 - Math.ceil(gainQ8 / BAND_GAIN_SLACK), gainQ8 + Math.ceil(gainQ8 / BAND_GAIN_SLACK));
  const { background, threshold, noise, masked, low, high, low32, high32 } = m;
  const gainLow = m.bandGainLow,
    gainHigh = m.bandGainHigh;
  const { width, height, stride } = m.grid;
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
  const { bitWordOf, bitOf } = m.grid;
  let n = 0;
  let c = 0;
  let w = 0;
  // The loops' temporaries, declared once: a block-scoped const costs XS a scope per iteration.
  let x = 0,
    b = 0,
    v = 0,
    t = 0,
    d = 0,
    q = 0,
    bw = 0,
    acc = 0,
    start = 0,
    cur = 0,
    last = 0,
    y = 0,
    end = 0,
    offset = 0,
    phase = 0,
    wordEnd = 0,
    noiseRow = false;
  for (; y < height; y++) {
    start = c;
    end = c + width;
    wordEnd = end >> 2;
    offset = 2 * y + stride + 1;
    phase = (y + frame) % NOISE_STRIDE;
    if (phase % BACKGROUND_STRIDE !== 0 && !everyRow) {
      do {
        x = (words[w] >>> 1) & M;
        if ((((x | H) - low32[w]) & (high32[w] - x) & H) === H) continue;
        // A cell of this word may be outside its band: classify the four exactly. Their raw bits are gathered
        // in `acc` (a shift takes its count modulo 32; four cells never straddle a bit word) and set once.
        c = w << 2;
        last = c + 4;
        acc = 0;
        do {
          if (abs[(cur = luma[c]) - ((background[c] * gainQ8) >> 16) + ABS_OFFSET] > threshold[c]) {
            b = background[c];
            if (b >= CLIPPED_HIGH || b < CLIPPED_LOW) {
              v = b + (((cur << 8) - b) >> 1);
              t = threshold[c];
              background[c] = v;
              low[c] = lowT[((v * gainHigh) >> 16) + BAND_OFFSET - t];
              high[c] = highT[((v * gainLow) >> 16) + BAND_OFFSET + t];
              continue;
            }
            map[c + offset] = 1;
            list[n++] = c + offset;
            acc |= 1 << (c - start);
            if ((cur >= SATURATED || cur <= DARK) && clippedBoth(cur, (background[c] * gainQ8) >> 16))
              drop[bitWordOf[c]] |= bitOf[c];
          }
        } while (++c < last);
        if (acc !== 0) raw[bitWordOf[c - 1]] |= acc;
      } while (++w < wordEnd);
      c = end;
      continue;
    }
    // An upkeep row: background cells move towards the frame, and their bands with them; in a noise row (one in
    // NOISE_STRIDE) their noise levels and thresholds too.
    noiseRow = phase === 0;
    do {
      c = w << 2;
      last = c + 4;
      if (!noiseRow) {
        x = (words[w] >>> 1) & M;
        if ((((x | H) - low32[w]) & (high32[w] - x) & H) === H) {
          // Four cells inside their bands: background, no test needed.
          do {
            b = background[c];
            v = b + ((((luma[c] << 8) - b) * alpha) >> 16);
            t = threshold[c];
            background[c] = v;
            low[c] = lowT[((v * gainHigh) >> 16) + BAND_OFFSET - t];
            high[c] = highT[((v * gainLow) >> 16) + BAND_OFFSET + t];
          } while (++c < last);
          continue;
        }
      }
      do {
        b = background[c];
        d = abs[luma[c] - ((b * gainQ8) >> 16) + ABS_OFFSET];
        v = b;
        if (d > threshold[c]) {
          if (b >= CLIPPED_HIGH || b < CLIPPED_LOW) v = b + (((luma[c] << 8) - b) >> 1);
          else {
            map[c + offset] = 1;
            list[n++] = c + offset;
            bw = bitWordOf[c];
            raw[bw] |= bitOf[c];
            cur = luma[c];
            if ((cur >= SATURATED || cur <= DARK) && clippedBoth(cur, (background[c] * gainQ8) >> 16))
              drop[bw] |= bitOf[c];
            continue;
          }
        } else {
          v = b + ((((luma[c] << 8) - b) * alpha) >> 16);
          if (noiseRow && masked[c] === 0) {
            q = noise[c];
            q += ((d << 4) - q) >> 2;
            noise[c] = q;
            t = (k * q) >> 4;
            threshold[c] = t < min ? min : t > 254 ? 254 : t;
          }
        }
        background[c] = v;
        t = threshold[c];
        low[c] = lowT[((v * gainHigh) >> 16) + BAND_OFFSET - t];
        high[c] = highT[((v * gainLow) >> 16) + BAND_OFFSET + t];
      } while (++c < last);
    } while (++w < wordEnd);
    c = end;
  }
  return n;
}

/** `classify` cell by cell (any grid width). */
function classifyCells(
  m: BackgroundModel,
  luma: Uint8Array,
  gainQ8: number,
  frame: number,
  p: ModelParams,
  map: Uint8Array,
  list: Int32Array,
  raw: Int32Array,
  drop: Int32Array,
  everyRow: boolean,
): number {
  m.bandGainLow = m.bandGainHigh = -1;
  const { background, threshold, noise, masked } = m;
  const { width, height, stride, bitWordOf, bitOf } = m.grid;
  let bw = 0,
    cur = 0;
  const abs = absolute();
  const alpha = upkeepWeight(p);
  const min = p.thresholdMin,
    k = p.noiseFactor;
  let n = 0;
  let c = 0;
  for (let y = 0; y < height; y++) {
    const end = c + width;
    const offset = 2 * y + stride + 1;
    const phase = (y + frame) % NOISE_STRIDE;
    if (phase % BACKGROUND_STRIDE !== 0 && !everyRow) {
      do {
        if (abs[luma[c] - ((background[c] * gainQ8) >> 16) + ABS_OFFSET] > threshold[c]) {
          const b = background[c];
          if (b >= CLIPPED_HIGH || b < CLIPPED_LOW) {
            background[c] = b + (((luma[c] << 8) - b) >> 1);
            continue;
          }
          map[c + offset] = 1;
          list[n++] = c + offset;
          bw = bitWordOf[c];
          raw[bw] |= bitOf[c];
          cur = luma[c];
          if ((cur >= SATURATED || cur <= DARK) && clippedBoth(cur, (background[c] * gainQ8) >> 16))
            drop[bw] |= bitOf[c];
        }
      } while (++c < end);
    } else if (phase !== 0) {
      do {
        const b = background[c];
        if (abs[luma[c] - ((b * gainQ8) >> 16) + ABS_OFFSET] > threshold[c]) {
          if (b >= CLIPPED_HIGH || b < CLIPPED_LOW) {
            background[c] = b + (((luma[c] << 8) - b) >> 1);
            continue;
          }
          map[c + offset] = 1;
          list[n++] = c + offset;
          bw = bitWordOf[c];
          raw[bw] |= bitOf[c];
          cur = luma[c];
          if ((cur >= SATURATED || cur <= DARK) && clippedBoth(cur, (background[c] * gainQ8) >> 16))
            drop[bw] |= bitOf[c];
        } else background[c] = b + ((((luma[c] << 8) - b) * alpha) >> 16);
      } while (++c < end);
    } else {
      do {
        const b = background[c];
        const d = abs[luma[c] - ((b * gainQ8) >> 16) + ABS_OFFSET];
        if (d > threshold[c]) {
          if (b >= CLIPPED_HIGH || b < CLIPPED_LOW) {
            background[c] = b + (((luma[c] << 8) - b) >> 1);
            continue;
          }
          map[c + offset] = 1;
          list[n++] = c + offset;
          bw = bitWordOf[c];
          raw[bw] |= bitOf[c];
          cur = luma[c];
          if ((cur >= SATURATED || cur <= DARK) && clippedBoth(cur, (background[c] * gainQ8) >> 16))
            drop[bw] |= bitOf[c];
        } else {
          background[c] = b + ((((luma[c] << 8) - b) * alpha) >> 16);
          if (masked[c] === 0) {
            const s = noise[c] + (((d << 4) - noise[c]) >> 2);
            noise[c] = s;
            const t = (k * s) >> 4;
            threshold[c] = t < min ? min : t > 254 ? 254 : t;
          }
        }
      } while (++c < end);
    }
  }
  return n;
}

/**
 * Every STILL_PERIOD frames: a foreground cell (`list[0..n)`, padded indices) that was foreground at the previous check
 * too and changed by at most STILL_DELTA since is still; once still for `stillFrames` frames it is
 * taken into the background, so a parked object stops being motion (and a ghost disappears).
 */
export function absorbStill(
  m: BackgroundModel,
  luma: Uint8Array,
  list: Int32Array,
  n: number,
  frame: number,
  p: ModelParams,
): void {
  if (frame % STILL_PERIOD !== 0) return;
  const { background, stillLuma, stillSince, stillSeen } = m;
  const cellOf = m.grid.cellOf;
  const checked = frame - STILL_PERIOD;
  // Temporaries declared once: a block-scoped const costs XS a scope per iteration.
  let i = 0,
    c = 0,
    cur = 0,
    d = 0;
  for (; i < n; i++) {
    c = cellOf[list[i]];
    cur = luma[c];
    d = cur - stillLuma[c];
    if (stillSeen[c] !== checked || d > STILL_DELTA || d < -STILL_DELTA) stillSince[c] = frame;
    else if (frame - stillSince[c] >= p.stillFrames) {
      background[c] = cur << 8;
      updateBand(m, c);
    }
    stillSeen[c] = frame;
  }
  const cells = m.grid.cells;
  stillLuma.set(luma.length === cells ? luma : luma.subarray(0, cells));
}

/**
 * Rebases the model on a lighting change fitted as a line (tone.ts): every background becomes slope x background
 * + offset, and each noise level and threshold scales with the slope, so a darker, flatter picture keeps its
 * sensitivity and a brighter one does not turn its noise into motion. Cells that were background last frame (0
 * in the padded `map`) then move half-way to the frame, which takes in what a line cannot model (a detail that
 * clips at white). A clipped background (white or black) says nothing about its true level: it takes the
 * frame's value where the cell was background, and stays as it is where it was not. `thresholdMin` is the floor
 * the new thresholds keep.
 */
export function retoneBackground(
  m: BackgroundModel,
  luma: Uint8Array,
  map: Uint8Array,
  slopeQ8: number,
  offset: number,
  noiseFactor: number,
  thresholdMin: number,
): void {
  const { background, noise, threshold, masked } = m;
  const { width, height, stride } = m.grid;
  const offsetQ8 = offset << 8;
  m.bandGainLow = m.bandGainHigh = -1;
  // Temporaries declared once: a block-scoped const costs XS a scope per iteration.
  let c = 0,
    y = 0,
    end = 0,
    pad = 0,
    b = 0,
    still = false,
    v = 0,
    d = 0,
    near = 0,
    s = 0,
    t = 0;
  for (; y < height; y++) {
    end = c + width;
    pad = 2 * y + stride + 1;
    do {
      b = background[c];
      still = map[c + pad] === 0;
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
    } while (++c < end);
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
 * In the frame of a lighting step: the raw foreground cells `list[0..n)` (padded indices) that were not foreground
 * in the previous frame (padded `previousMap` 0) are marked in `residue` (thumbnail cells): what the fit may have
 * left over, as opposed to objects that were already moving.
 */
export function markResidue(g: Grid, list: Int32Array, n: number, previousMap: Uint8Array, residue: Uint8Array): void {
  const cellOf = g.cellOf;
  for (let i = 0; i < n; i++) if (previousMap[list[i]] === 0) residue[cellOf[list[i]]] = 1;
}

/**
 * After a lighting step: of the raw foreground cells `list[0..n)` (padded indices, marked in the padded `map`),
 * the residue cells (markResidue), and cells that turned foreground since the last frame (padded `previousMap` 0),
 * that are within their threshold of the previous frame's luma are static: lighting the fit left over, not an
 * object arriving. They join the background and leave the list, the map and the bit rows `raw`. Returns how many
 * cells remain.
 */
export function settleStatic(
  m: BackgroundModel,
  luma: Uint8Array,
  previous: Uint8Array,
  list: Int32Array,
  n: number,
  map: Uint8Array,
  residue: Uint8Array,
  previousMap: Uint8Array,
  raw: Int32Array,
): number {
  const { background, threshold } = m;
  const { cellOf, bitWordOf, bitOf } = m.grid;
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const p = list[i];
    const c = cellOf[p];
    const d = luma[c] - previous[c];
    if ((residue[c] !== 0 || previousMap[p] === 0) && d <= threshold[c] && d >= -threshold[c]) {
      background[c] = luma[c] << 8;
      updateBand(m, c);
      map[p] = 0;
      raw[bitWordOf[c]] &= ~bitOf[c];
    } else list[kept++] = p;
  }
  return kept;
}

/**
 * After a lighting step, noise levels are learnt again at once (an IR switch brings more noise with less
 * contrast): each watched cell that is background, or lighting residue, moves its noise level half-way to its
 * change since the last frame (/ sqrt 2, the difference of two noisy frames), and its threshold follows.
 */
export function learnNoise(
  m: BackgroundModel,
  luma: Uint8Array,
  previous: Uint8Array,
  map: Uint8Array,
  residue: Uint8Array,
  noiseFactor: number,
  thresholdMin: number,
): void {
  const { noise, threshold, masked } = m;
  const { width, height, stride } = m.grid;
  m.bandGainLow = m.bandGainHigh = -1;
  let c = 0;
  for (let y = 0; y < height; y++) {
    const end = c + width;
    const pad = 2 * y + stride + 1;
    do {
      if (masked[c] !== 0 || (map[c + pad] !== 0 && residue[c] === 0)) continue;
      const d = luma[c] - previous[c];
      const s = noise[c] + ((((d < 0 ? -d : d) * 181) >> 4) - noise[c]) / 2;
      noise[c] = s;
      threshold[c] = clampThreshold((noiseFactor * s) >> 4, thresholdMin);
    } while (++c < end);
  }
}
