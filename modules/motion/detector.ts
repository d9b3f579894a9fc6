// SPDX-License-Identifier: MIT
// The motion detector on DC thumbnails (reference/motion.md §5): privacy mask first, robust global gain,
// selective running-average background with per-cell noise thresholds, cleanup on the cell grid, blobs
// on a coarse grid, k-of-n hysteresis, and illumination events that suppress detection and relearn fast.
// A tight loop over typed arrays; after the first frame of a given size it allocates nothing per frame.
import type { Thumbnail } from "../jpeg/thumbnail-decoder.js";
import {
  absorbStill,
  classify,
  learnNoise,
  markResidue,
  settleStatic,
  createBackgroundModel,
  relearn,
  resetModel,
  retoneBackground,
  type BackgroundModel,
  type ModelParams,
} from "./background-model.js";
import { type BlobFinder, createBlobFinder } from "./blobs.js";
import { createGainEstimator, gainOfBin, GAIN_BINS_PER_OCTAVE, UNITY_GAIN_BIN, type GainEstimator } from "./gain.js";
import { createGrid, type Grid } from "./grid.js";
import { createHysteresis, type Hysteresis } from "./hysteresis.js";
import type { Zone } from "../privacy/zone.js";
import { rasterizeMask } from "./privacy-mask.js";
import { createRefiner, listCells, type Refiner } from "./refine.js";
import {
  createGradientModel,
  type GradientModel,
  gradientSubCellMap,
  learnGradients,
  retoneGradients,
  subCellMap,
} from "./sub-cells.js";
import { createToneFitter, type ToneFitter, type ToneLine } from "./tone.js";

/** The detector's settings; `modules/config-schema.ts` documents each as `motion.<name>`. */
export interface MotionParams {
  /** Smallest change, in grey levels (0..255) of an 8x8 block mean, that counts as foreground. */
  thresholdMin: number;
  /** A cell's threshold is at least this many times its noise level (mean residual when quiet). */
  noiseFactor: number;
  /** The background follows the scene with weight 1/backgroundFrames per frame. */
  backgroundFrames: number;
  /** A foreground cell unchanged for this many frames joins the background (a parked object). */
  stillFrames: number;
  /** A blob must cover at least this many coarse cells (about 1/20 of the frame width each). */
  minBlobCells: number;
  /** Motion starts when a blob was seen in `startFrames` of the last `windowFrames` frames. */
  startFrames: number;
  windowFrames: number;
  /** Motion ends after this long without a blob. */
  endQuietMs: number;
  /** A global gain change over this many percent in one frame is an illumination event. */
  maxGainStepPct: number;
  /** Newly foreground cells over this percentage of the watched cells in one frame: an illumination event. */
  lightingJumpPct: number;
  /** Frames of fast relearning after an illumination event (and at start). */
  relearnFrames: number;
  /** The privacy zones (the config's `privacy.zones`) in frame pixels: the cells they touch are never looked at. */
  zones: readonly Zone[];
}

export const DEFAULT_MOTION_PARAMS: Readonly<MotionParams> = Object.freeze({
  thresholdMin: 10,
  noiseFactor: 4,
  backgroundFrames: 64,
  stillFrames: 30,
  minBlobCells: 2,
  startFrames: 3,
  windowFrames: 5,
  endQuietMs: 3000,
  maxGainStepPct: 20,
  lightingJumpPct: 25,
  relearnFrames: 6,
  zones: Object.freeze([]),
});

export type MotionEvent = "start" | "end" | undefined;

/** One frame's verdict; the object is reused by the next `process` call. */
export interface MotionResult {
  /** Thumbnail cells where motion is seen this frame (after cleanup); see `MotionDetector.foreground()` for a map. */
  foregroundCells: number;
  /**
   * The light changed in this frame, or the detector is settling or (re)learning after a change (`light` says
   * which). Only while relearning is nothing detected.
   */
  lighting: boolean;
  /** `foregroundCells` as a share of the watched (unmasked) cells, in percent with one decimal. */
  areaPct: number;
  /** A blob of at least minBlobCells was seen. */
  candidate: boolean;
  /** Motion is on (between a start and its end). */
  active: boolean;
  event: MotionEvent;
  /** This frame's motion box in frame pixels [x, y, w, h] (w = 0 when there is none). */
  readonly box: [number, number, number, number];
  /** The union of the boxes since the motion started, in frame pixels; kept until the next start. */
  readonly eventBox: [number, number, number, number];
  /** Global gain of this frame against the background (1 = unchanged). */
  gain: number;
  /**
   * The lighting this frame: "steady"; "step" (a sudden change, fitted and rebased on this frame, which is still
   * judged); "settling" (the frames after a step, in which what stays put joins the background); "ramp" (a slow
   * change, rebased); "relearning" (a change no fit explains, or the start: nothing judged).
   */
  light: LightingState;
}

export type LightingState = "steady" | "step" | "settling" | "ramp" | "relearning";

export interface MotionStats {
  frames: number;
  lightingEvents: number;
  starts: number;
}

export interface MotionDetector {
  /** Processes the next frame's thumbnail, captured at monotonic `atMs`. */
  process(thumbnail: Thumbnail, atMs: number): MotionResult;
  /**
   * The last frame's foreground as a map, one byte per thumbnail cell (1 = motion), built on demand so
   * the firmware, which needs only the box, does not pay for it. Valid until the next `process`.
   */
  foreground(): Uint8Array;
  /**
   * The last frame's motion at half-cell resolution (2 x width by 2 x height bytes, 1 = motion; see sub-cells.ts),
   * built on demand from the same verdict. Valid until the next `process`.
   */
  subCells(): Uint8Array;
  /** Forgets the scene: the next frame starts learning again. */
  reset(): void;
  readonly stats: MotionStats;
}

/** Fewer gain samples than this (a dark or mostly covered frame) keep the previous gain. */
const MIN_GAIN_SAMPLES = 16;
/** A gain this many log steps (1/64 octave each) from 1 rebases the background: about 3%. */
const REBASE_BINS = 3;
/** The threshold floor follows the scene's brightness within [MIN_EXPOSURE_Q8, MAX_EXPOSURE_Q8] / 256 ... */
const MIN_EXPOSURE_Q8 = 96;
const MAX_EXPOSURE_Q8 = 512;
/** ... and never goes below this many grey levels. */
const MIN_THRESHOLD = 4;
/** About this many cells are sampled for the gain. */
const GAIN_SAMPLES = 64;

interface State {
  grid: Grid;
  frameWidth: number;
  frameHeight: number;
  watched: number;
  model: BackgroundModel;
  /** The previous frame's raw foreground in bit rows (grid.ts); this frame's is the refiner's `raw` (swapped). */
  previousRaw: Int32Array;
  /** The previous frame's thumbnail. */
  previousLuma: Uint8Array;
  /** 1 where a cell turned foreground in the frame of a lighting step: what the fit may have left over. */
  residue: Uint8Array;
  tone: ToneFitter;
  line: ToneLine;
  refiner: Refiner;
  /** The refined cells as a list (thumbnail indices), built from the refiner's bits when a map is asked for. */
  refined: Int32Array;
  samples: Int32Array;
  /** Each sample's word and bit in the bit rows. */
  sampleWords: Int32Array;
  sampleBits: Int32Array;
  blobs: BlobFinder;
  gain: GainEstimator;
  /** The background of the luma blocks' first AC coefficients, for thumbnails that carry them. */
  gradients: GradientModel;
  /** Scratch for the half-cell map. */
  fineScratch: Uint8Array;
}

/** Creates a detector; its grid is sized by the first thumbnail and rebuilt when the size changes. */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: the factory's closures share the per-frame state
export function createMotionDetector(options: Partial<MotionParams> = {}): MotionDetector {
  const p: MotionParams = { ...DEFAULT_MOTION_PARAMS, ...options };
  const model = modelParams(p);
  const maxStepBins = Math.round(GAIN_BINS_PER_OCTAVE * Math.log2(1 + p.maxGainStepPct / 100));
  const hysteresis: Hysteresis = createHysteresis(p);
  const stats: MotionStats = { frames: 0, lightingEvents: 0, starts: 0 };
  let state: State | undefined;
  const result: MotionResult = emptyResult();
  let map = new Uint8Array(0);
  let fine = new Uint8Array(0);
  let lastLuma: Uint8Array = new Uint8Array(0);
  let lastGradients: Int16Array | undefined;
  const gradientShift = Math.max(0, Math.round(Math.log2(p.backgroundFrames)));
  let lastGainQ8 = 256;
  /** `state.refined` holds the last refined cells (listed on demand). */
  let listed = false;
  let frame = 0;
  let relearnLeft = 0;
  let settleLeft = 0;
  let previousGainBin = UNITY_GAIN_BIN;
  let previousRaw = 0;
  /** The scene's brightness against the one the detector started on (x 256): the threshold floor scales with it. */
  let exposureQ8 = 256;

  /** Starts (re)learning: this frame and the next `relearnFrames` say nothing about motion. */
  function startRelearning(s: State, luma: Uint8Array, atMs: number): MotionResult {
    relearnLeft = p.relearnFrames;
    settleLeft = 0;
    s.residue.fill(0);
    relearn(s.model, luma);
    relearnGradients(s);
    s.previousLuma.set(luma);
    s.refiner.raw.fill(0);
    s.previousRaw.fill(0);
    previousGainBin = UNITY_GAIN_BIN;
    previousRaw = 0;
    result.light = "relearning";
    return quiet(result, hysteresis, atMs);
  }

  /** Fits the lighting change as a line and rebases the model on it (tone.ts); the threshold floor follows. */
  function retone(s: State, luma: Uint8Array, gainQ8: number): void {
    const m = s.model;
    const line = s.tone.fit(luma, m.background, s.previousRaw, s.samples, s.sampleWords, s.sampleBits, gainQ8, s.line);
    exposureQ8 = (exposureQ8 * line.slopeQ8) >> 8;
    exposureQ8 =
      exposureQ8 < MIN_EXPOSURE_Q8 ? MIN_EXPOSURE_Q8 : exposureQ8 > MAX_EXPOSURE_Q8 ? MAX_EXPOSURE_Q8 : exposureQ8;
    model.thresholdMin = Math.max(MIN_THRESHOLD, (p.thresholdMin * exposureQ8 + 128) >> 8);
    retoneBackground(m, luma, s.previousRaw, line.slopeQ8, line.offset, p.noiseFactor, model.thresholdMin);
    retoneGradients(s.gradients, line.slopeQ8);
    previousGainBin = UNITY_GAIN_BIN;
  }

  function process(t: Thumbnail, atMs: number): MotionResult {
    stats.frames++;
    frame++;
    const luma = t.luma;
    lastGradients = t.gradients && t.gradients.length >= 2 * t.width * t.height ? t.gradients : undefined;
    if (!state || !fits(state, t)) {
      state = createState(t, p.zones);
      listed = false;
      map = new Uint8Array(state.grid.cells);
      fine = new Uint8Array(state.grid.cells * 4);
      exposureQ8 = 256;
      model.thresholdMin = p.thresholdMin;
      resetModel(state.model, luma, model);
      return startRelearning(state, luma, atMs);
    }
    const s = state;
    const m = s.model;
    if (relearnLeft > 0) {
      relearnLeft--;
      relearn(m, luma);
      relearnGradients(s);
      s.previousLuma.set(luma);
      result.light = "relearning";
      return quiet(result, hysteresis, atMs);
    }
    // This frame's raw map starts empty; last frame's is kept for the gain and the tone fit.
    s.previousRaw = s.refiner.swapRaw(s.previousRaw);
    result.light = "steady";

    // 1. Robust global gain over sampled cells that were background last frame. A sudden step (a lamp, an
    // exposure jump) rebases the model on the fitted change at once, and this frame is judged against that.
    const prev = s.previousRaw;
    let gainBin = s.gain.estimate(luma, m.background, prev, s.samples, s.sampleWords, s.sampleBits, MIN_GAIN_SAMPLES);
    if (gainBin < 0) gainBin = previousGainBin;
    const step = gainBin > previousGainBin ? gainBin - previousGainBin : previousGainBin - gainBin;
    if (gainBin === 0 || gainBin === 255 || step > maxStepBins) {
      stats.lightingEvents++;
      retone(s, luma, gainOfBin(gainBin));
      gainBin = UNITY_GAIN_BIN;
      result.light = "step";
    }
    let gainQ8 = gainOfBin(gainBin);

    // 2. Classify every cell against gain x background.
    let n = classifyFrame(s, luma, gainQ8);

    // 3. A sudden jump in changed area that no gain explains (an IR-cut switch flattens the picture): fit the
    // change as a line and judge again; what even that cannot explain (a lamp lighting part of the scene) is
    // relearnt, with nothing reported meanwhile.
    if (jumped(n)) {
      if (result.light === "steady") {
        stats.lightingEvents++;
        retone(s, luma, gainQ8);
        gainBin = UNITY_GAIN_BIN;
        gainQ8 = 256;
        result.light = "step";
        n = classifyFrame(s, luma, gainQ8);
      }
      if (jumped(n)) return startRelearning(s, luma, atMs);
    }
    n = settle(s, luma, n);
    if (settleLeft > 0) s.previousLuma.set(luma); // only settling compares with the last frame
    previousRaw = n;
    result.gain = gainQ8 / 256;
    lastLuma = luma;
    lastGainQ8 = gainQ8;

    // 4. Cleanup on the cell grid, blobs on the coarse grid, then the model's upkeep.
    const k = s.refiner.refine(luma, m.background, gainQ8);
    listed = false;
    const candidate = s.blobs.fitsBits(p.minBlobCells)
      ? s.blobs.findBoxInBits(s.refiner.bits, p.minBlobCells)
      : s.blobs.findBox(refinedCells(s), k, p.minBlobCells);
    absorbStill(m, luma, s.refiner.raw, frame, model);
    // A lasting global change (daylight, a slow exposure ramp) moves the whole model with it.
    if (gainBin - UNITY_GAIN_BIN >= REBASE_BINS || UNITY_GAIN_BIN - gainBin >= REBASE_BINS) {
      retone(s, luma, gainQ8);
      if (result.light === "steady") result.light = "ramp";
    } else previousGainBin = gainBin;

    setCandidate(result, candidate, k, s);
    if (lastGradients) learnGradients(s.gradients, s.grid, lastGradients, s.refiner.raw, gradientShift);

    // 5. k-of-n hysteresis. A step's own frame shows what it sees but holds the count: much of it is the change.
    if (track(result, hysteresis, atMs)) stats.starts++;
    return result;
  }

  /**
   * After a step, what the fit left over stays put while real motion moves: cells unchanged since the last frame
   * join the background (a lamp's uneven light, an IR vignette) and noise levels are learnt again, for
   * motion.relearnFrames frames; moving cells are judged as usual. Returns the raw foreground count left.
   */
  function settle(s: State, luma: Uint8Array, n: number): number {
    const m = s.model;
    if (result.light === "step") {
      settleLeft = p.relearnFrames;
      markResidue(s.grid, s.refiner.raw, s.previousRaw, s.residue);
    } else if (settleLeft > 0) {
      settleLeft--;
      learnNoise(m, luma, s.previousLuma, s.refiner.raw, s.residue, p.noiseFactor, model.thresholdMin);
      n = settleStatic(m, luma, s.previousLuma, s.refiner.raw, n, s.residue, s.previousRaw);
      if (settleLeft === 0) s.residue.fill(0);
      result.light = "settling";
    }
    return n;
  }

  /** The gradient background restarts from the current frame's (when it carries gradients). */
  function relearnGradients(s: State): void {
    s.gradients.learnt = 0;
    if (lastGradients) learnGradients(s.gradients, s.grid, lastGradients, s.refiner.raw, gradientShift);
  }

  /**
   * Classifies this frame's cells into the raw map, list and bits (all cleared first); returns how many. While a
   * lighting step settles, every row's background is averaged, not one in BACKGROUND_STRIDE, so what the fit left
   * over is taken in quickly despite the slower default time constant.
   */
  function classifyFrame(s: State, luma: Uint8Array, gainQ8: number): number {
    const { raw, drop } = s.refiner;
    raw.fill(0);
    drop.fill(0);
    return classify(s.model, luma, gainQ8, frame, model, raw, drop, settleLeft > 0);
  }

  /** The last frame's refined cells as a list (thumbnail indices), built once per frame when asked for. */
  function refinedCells(s: State): Int32Array {
    if (!listed) listCells(s.grid, s.refiner.bits, s.refined);
    listed = true;
    return s.refined;
  }

  /** More newly changed cells than motion.lightingJumpPct of the watched ones since the last frame. */
  function jumped(n: number): boolean {
    return (n - previousRaw) * 100 > p.lightingJumpPct * (state as State).watched;
  }

  return {
    process,
    foreground: () => foregroundMap(map, state && refinedCells(state), result.foregroundCells),
    subCells() {
      if (!state) return fine;
      const m = state.model;
      if (lastGradients)
        return gradientSubCellMap(
          state.grid,
          refinedCells(state),
          result.foregroundCells,
          lastLuma,
          m.background,
          lastGainQ8,
          m.threshold,
          lastGradients,
          state.gradients,
          fine,
          state.fineScratch,
        );
      return subCellMap(
        state.grid,
        refinedCells(state),
        result.foregroundCells,
        lastLuma,
        m.background,
        lastGainQ8,
        m.threshold,
        m.masked,
        fine,
      );
    },
    reset() {
      state = undefined;
      hysteresis.reset();
    },
    stats,
  };
}

function modelParams(p: MotionParams): ModelParams {
  return {
    thresholdMin: p.thresholdMin,
    noiseFactor: p.noiseFactor,
    alphaQ16: Math.round(65536 / p.backgroundFrames),
    stillFrames: p.stillFrames,
  };
}

/** True when `s` was set up for thumbnails of `t`'s size and frame size. */
function fits(s: State, t: Thumbnail): boolean {
  const { grid } = s;
  return (
    grid.width === t.width &&
    grid.height === t.height &&
    s.frameWidth === t.frameWidth &&
    s.frameHeight === t.frameHeight
  );
}

/** `map` with 1 at each of the last frame's `cells` foreground cells. */
function foregroundMap(map: Uint8Array, refined: Int32Array | undefined, cells: number): Uint8Array {
  map.fill(0);
  if (refined) for (let i = 0; i < cells; i++) map[refined[i]] = 1;
  return map;
}

/** Sizes the grid, the privacy mask and the gain samples for thumbnails the size of `t`. */
function createState(t: Thumbnail, zones: MotionParams["zones"]): State {
  const grid = createGrid(t.width, t.height);
  const cells = grid.cells;
  const m = createBackgroundModel(grid);
  const masked = rasterizeMask(zones, t.frameWidth, t.frameHeight, t.width, t.height, m.masked);
  const watched = cells - masked;
  const stride = Math.max(1, Math.floor(watched / GAIN_SAMPLES));
  const picked: number[] = [];
  let seen = 0;
  for (let c = 0; c < cells; c++) if (!m.masked[c] && seen++ % stride === 0) picked.push(c);
  return {
    grid,
    frameWidth: t.frameWidth,
    frameHeight: t.frameHeight,
    watched,
    model: m,
    previousRaw: new Int32Array(grid.bitCells),
    previousLuma: new Uint8Array(cells),
    residue: new Uint8Array(cells),
    tone: createToneFitter(picked.length),
    line: { slopeQ8: 256, offset: 0 },
    refiner: createRefiner(grid),
    refined: new Int32Array(cells),
    samples: Int32Array.from(picked),
    sampleWords: Int32Array.from(picked, (c) => grid.bitWordOf[c]),
    sampleBits: Int32Array.from(picked, (c) => grid.bitOf[c]),
    blobs: createBlobFinder(t.width, t.height),
    gain: createGainEstimator(picked.length),
    gradients: createGradientModel(cells),
    fineScratch: new Uint8Array(cells * 4),
  };
}

/** Clears this frame's output and holds the hysteresis. */
function quiet(result: MotionResult, hysteresis: Hysteresis, atMs: number): MotionResult {
  result.foregroundCells = 0;
  result.areaPct = 0;
  result.lighting = true;
  result.candidate = false;
  result.event = undefined;
  result.box.fill(0);
  hysteresis.hold(atMs);
  result.active = hysteresis.active;
  return result;
}

/** This frame's foreground count and candidate box, in frame pixels (blob boxes are in cells). */
function setCandidate(result: MotionResult, candidate: boolean, k: number, s: State): void {
  result.foregroundCells = k;
  result.areaPct = Math.round((k * 1000) / Math.max(1, s.watched)) / 10;
  result.lighting = result.light !== "steady";
  result.candidate = candidate;
  const box = result.box;
  if (candidate) {
    const cells = s.blobs.box;
    box[0] = cells[0] * 8;
    box[1] = cells[1] * 8;
    box[2] = Math.min(s.frameWidth, cells[2] * 8) - box[0];
    box[3] = Math.min(s.frameHeight, cells[3] * 8) - box[1];
  } else box.fill(0);
}

/** Feeds the candidate to the k-of-n hysteresis and grows the event's box; true when an event starts. */
function track(result: MotionResult, hysteresis: Hysteresis, atMs: number): boolean {
  if (result.light === "step") {
    hysteresis.hold(atMs);
    result.event = undefined;
    result.active = hysteresis.active;
    return false;
  }
  const event = hysteresis.frame(result.candidate, atMs);
  result.event = event;
  result.active = hysteresis.active;
  if (event === "start") {
    for (let i = 0; i < 4; i++) result.eventBox[i] = result.box[i];
    return true;
  }
  if (result.active && result.box[2] > 0) unionInto(result.eventBox, result.box);
  return false;
}

function emptyResult(): MotionResult {
  return {
    foregroundCells: 0,
    areaPct: 0,
    lighting: false,
    candidate: false,
    active: false,
    event: undefined,
    box: [0, 0, 0, 0],
    eventBox: [0, 0, 0, 0],
    gain: 1,
    light: "relearning",
  };
}

function unionInto(into: [number, number, number, number], box: readonly number[]): void {
  if (into[2] === 0) {
    for (let i = 0; i < 4; i++) into[i] = box[i];
    return;
  }
  const x1 = Math.max(into[0] + into[2], box[0] + box[2]),
    y1 = Math.max(into[1] + into[3], box[1] + box[3]);
  into[0] = Math.min(into[0], box[0]);
  into[1] = Math.min(into[1], box[1]);
  into[2] = x1 - into[0];
  into[3] = y1 - into[1];
}
