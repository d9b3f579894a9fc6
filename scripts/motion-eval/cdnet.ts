// SPDX-License-Identifier: MIT
// A sequence in CDnet layout (changedetection.net): input/inNNNNNN.jpg, groundtruth/gtNNNNNN.png, optional
// ROI.bmp and temporalROI.txt ("first last", 1-based). Ground-truth labels: 0 static, 50 shadow, 85 outside
// the ROI, 170 unknown motion, 255 motion.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { PNG } from "pngjs";
import { readBmpGray } from "./bmp.js";

export interface CdnetFrame {
  /** The frame number, from the file name (1-based in CDnet). */
  number: number;
  path: string;
}

export interface CdnetSequence {
  name: string;
  frames: CdnetFrame[];
  /** Frames scored: the temporal ROI, or every frame with ground truth. */
  first: number;
  last: number;
  /** Per pixel, 1 where scored (ROI.bmp not black); undefined when there is no ROI file (all scored). */
  roi: Uint8Array | undefined;
  /** One label per pixel, or undefined when the frame has no ground-truth file. */
  groundTruth(frame: number): { width: number; height: number; labels: Uint8Array } | undefined;
}

export function openCdnetSequence(dir: string): CdnetSequence {
  const inputDir = join(dir, "input");
  if (!existsSync(inputDir)) throw new Error(`${dir} is not a CDnet sequence: no input/ folder`);
  const frames = readdirSync(inputDir)
    .map((f) => /^in(\d+)\.jpe?g$/i.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ number: Number(m[1]), path: join(inputDir, m[0]) }))
    .sort((a, b) => a.number - b.number);
  if (frames.length === 0) throw new Error(`${inputDir} holds no inNNNNNN.jpg frames`);
  const gtDir = join(dir, "groundtruth");
  const gtPath = (n: number) => join(gtDir, `gt${String(n).padStart(6, "0")}.png`);
  let first = frames[0].number,
    last = frames[frames.length - 1].number;
  const temporal = join(dir, "temporalROI.txt");
  if (existsSync(temporal)) {
    const [a, b] = readFileSync(temporal, "utf8").trim().split(/\s+/).map(Number);
    if (!Number.isInteger(a) || !Number.isInteger(b) || a > b)
      throw new Error(`${temporal}: expected "first last", got ${readFileSync(temporal, "utf8").trim()}`);
    [first, last] = [a, b];
  }
  const roiPath = join(dir, "ROI.bmp");
  const roi = existsSync(roiPath)
    ? readBmpGray(new Uint8Array(readFileSync(roiPath))).gray.map((v) => (v > 0 ? 1 : 0))
    : undefined;
  return {
    name: basename(dir.replace(/\/+$/, "")),
    frames,
    first,
    last,
    roi,
    groundTruth(n) {
      const path = gtPath(n);
      if (!existsSync(path)) return undefined;
      const png = PNG.sync.read(readFileSync(path));
      const labels = new Uint8Array(png.width * png.height);
      for (let i = 0; i < labels.length; i++) labels[i] = png.data[i * 4]; // grey palettes: R = G = B = label
      return { width: png.width, height: png.height, labels };
    },
  };
}
