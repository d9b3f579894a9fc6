// SPDX-License-Identifier: MIT
// Runs the firmware's motion detector over a CDnet-layout sequence, frame by frame as the camera would
// deliver them (TypeScript thumbnail decoder, then the detector), and scores it the CDnet way (score.ts).
import { readFileSync } from "node:fs";
import { defaultConfig } from "../../modules/config.js";
import { JpegError } from "../../modules/jpeg/jpeg-error.js";
import { createThumbnailDecoder } from "../../modules/jpeg/thumbnail-decoder.js";
import { createMotionDetector, type MotionParams } from "../../modules/motion/detector.js";
import { openCdnetSequence } from "./cdnet.js";
import { decodeGrey, type LightChange, litThumbnail } from "./lighting.js";
import { seededRandom } from "../../test/support/seeded-random.js";
import { renderContactSheet, type SheetTile } from "./contact-sheet.js";
import { createCdnetScorer, FRAME_POSITIVE_SHARE, type Counts } from "./score.js";

/** Scored at the detector's half-cell map (MotionDetector.subCells): squares of 4x4 pixels. */
const HALF_CELL_SHIFT = 2;

export interface EvalOptions {
  /** Frame rate the frame numbers are played at (the detector's times). Default 30. */
  fps?: number;
  /** Detector settings over the config defaults (the `motion` section of a device config). */
  params?: Partial<MotionParams>;
  /** Frame numbers shown on the contact sheet; default six spread over the scored range. */
  sheetFrames?: number[];
  /**
   * A lighting change laid over the frames (lighting.ts): each frame is then decoded to pixels, changed, and
   * averaged per 8x8 block instead of DC-decoded. `{ name: "none" }` gives that path's baseline.
   */
  light?: LightChange;
  /** Only frames from..to (CDnet numbers, inclusive) are scored (the ones before are played too); default all. */
  range?: [number, number];
}

export interface EvalReport {
  sequence: string;
  frames: { total: number; scored: number; first: number; last: number; undecodable: number };
  grid: { width: number; height: number; cellPixels: 8; scoredPixels: 4 };
  fps: number;
  pixel: Counts;
  frame: Counts & { positiveShare: number };
  events: { count: number; list: { start: number; end: number }[] };
  lightingFrames: number;
  /** The lighting change laid over the frames, if any. */
  light: LightChange | null;
  params: MotionParams;
  /** PNG bytes of the contact sheet. */
  contactSheet: Uint8Array;
}

export function evaluateSequence(dir: string, options: EvalOptions = {}): EvalReport {
  const seq = openCdnetSequence(dir);
  const fps = options.fps ?? 30;
  const { enabled: _enabled, ...defaults } = defaultConfig().motion;
  const params: MotionParams = { zones: [], ...defaults, ...options.params };
  const decoder = createThumbnailDecoder({ gradients: true });
  const detector = createMotionDetector(params);
  const scorer = createCdnetScorer();
  const [from, to] = options.range ?? [0, Number.MAX_SAFE_INTEGER];
  const first = Math.max(seq.first, from),
    last = Math.min(seq.last, to);
  const sheetFrames = new Set(
    options.sheetFrames ?? [0.08, 0.25, 0.42, 0.58, 0.75, 0.92].map((f) => first + Math.round(f * (last - first))),
  );
  const tiles: SheetTile[] = [];
  const events: { start: number; end: number }[] = [];
  let open: { start: number; end: number } | undefined;
  let scored = 0,
    undecodable = 0,
    lightingFrames = 0,
    grid = { width: 0, height: 0 };
  let empty: Uint8Array = new Uint8Array(0);

  const light = options.light;
  const rnd = seededRandom(light ? light.at * 7 + 13 : 1);
  const litBuffer = new Uint8Array(1 << 16);
  for (const frame of seq.frames) {
    if (frame.number > to) break; // frames before the range are played, not scored
    const bytes = new Uint8Array(readFileSync(frame.path));
    let cells: Uint8Array = empty,
      box: readonly number[] = [0, 0, 0, 0],
      active = false;
    try {
      const t = light ? litThumbnail(decodeGrey(bytes), light, frame.number, rnd, litBuffer) : decoder.decode(bytes);
      grid = { width: t.width, height: t.height };
      if (empty.length !== t.width * t.height) empty = new Uint8Array(t.width * t.height);
      const r = detector.process(t, ((frame.number - 1) * 1000) / fps);
      if (r.lighting) lightingFrames++;
      if (r.event === "start") events.push((open = { start: frame.number, end: frame.number }));
      if (open) open.end = frame.number;
      if (r.event === "end") open = undefined;
      cells = detector.subCells();
      box = r.box;
      active = r.active;
    } catch (error) {
      if (!(error instanceof JpegError)) throw error;
      undecodable++; // scored as "nothing detected", never skipped
    }
    if (frame.number < first || frame.number > last) continue;
    const gt = seq.groundTruth(frame.number);
    if (!gt) continue;
    scored++;
    const gridWidth = Math.ceil(gt.width / 8) * 2;
    const decision = cells.length ? cells : new Uint8Array(gridWidth * Math.ceil(gt.height / 8) * 2);
    scorer.add(decision, gridWidth, gt.labels, gt.width, gt.height, seq.roi, HALF_CELL_SHIFT);
    if (sheetFrames.has(frame.number))
      tiles.push({
        frame: frame.number,
        jpeg: bytes,
        cells: decision.slice(),
        gridWidth,
        cellShift: HALF_CELL_SHIFT,
        labels: gt.labels,
        box: box.slice(),
        active,
      });
  }
  return {
    sequence: seq.name,
    frames: {
      total: seq.frames.length,
      scored,
      first,
      last,
      undecodable,
    },
    light: light ?? null,
    grid: { ...grid, cellPixels: 8, scoredPixels: 4 },
    fps,
    pixel: scorer.pixel,
    frame: { ...scorer.frame, positiveShare: FRAME_POSITIVE_SHARE },
    events: { count: events.length, list: events },
    lightingFrames,
    params,
    contactSheet: tiles.length ? renderContactSheet(tiles, 3, seq.name) : new Uint8Array(0),
  };
}

/** The report as a readable table. */
export function formatReport(r: EvalReport, sheetPath?: string): string {
  const row = (name: string, c: Counts) =>
    `${name.padEnd(8)}${c.precision.toFixed(3).padStart(11)}${c.recall.toFixed(3).padStart(9)}` +
    `${c.f.toFixed(3).padStart(8)}   TP ${c.tp}  FP ${c.fp}  FN ${c.fn}`;
  const events =
    r.events.list
      .slice(0, 8)
      .map((e) => `${e.start}-${e.end}`)
      .join(", ") + (r.events.count > 8 ? ", ..." : "");
  return [
    `motion eval: ${r.sequence}: ${r.frames.total} frames, ` +
      `scored ${r.frames.first}-${r.frames.last} (${r.frames.scored} with ground truth), ` +
      `${r.grid.width}x${r.grid.height} cells of 8x8 pixels (scored at half cells), played at ${r.fps} fps` +
      (r.light ? `, lighting ${r.light.name}${r.light.name === "none" ? "" : `@${r.light.at}`}` : ""),
    `${"".padEnd(8)}${"precision".padStart(11)}${"recall".padStart(9)}${"F".padStart(8)}`,
    row("pixel", r.pixel),
    `${row("frame", r.frame)}   (positive: >= ${r.frame.positiveShare * 100}% of scored pixels)`,
    `events  ${r.events.count}${r.events.count ? ` (frames ${events})` : ""}; lighting or learning frames ` +
      `${r.lightingFrames}; undecodable frames ${r.frames.undecodable}`,
    ...(sheetPath ? [`contact sheet: ${sheetPath}`] : []),
  ].join("\n");
}
