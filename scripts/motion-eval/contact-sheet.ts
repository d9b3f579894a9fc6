// SPDX-License-Identifier: MIT
// A contact sheet PNG for `npm run eval:motion`: a few frames, full resolution, with the detector's cells
// tinted red, the ground truth's motion outlined in green and the motion box in yellow, and a legend.
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { drawText, textWidth } from "./tiny-font.js";

export interface SheetTile {
  frame: number;
  jpeg: Uint8Array;
  /** Detector decision per square of `1 << cellShift` pixels (the detector's half-cell map: 4x4). */
  cells: Uint8Array;
  gridWidth: number;
  cellShift: number;
  /** Ground-truth labels (255 = motion), or undefined. */
  labels: Uint8Array | undefined;
  /** Motion box [x, y, w, h] in frame pixels (w = 0 for none). */
  box: readonly number[];
  /** Motion on (an event in progress) at this frame. */
  active: boolean;
}

const RED: [number, number, number] = [255, 40, 40];
const GREEN: [number, number, number] = [40, 255, 80];
const YELLOW: [number, number, number] = [255, 230, 0];
const WHITE: [number, number, number] = [255, 255, 255];
const GAP = 6;
const LEGEND = 28;

/** Renders `tiles` in `columns` columns under a one-line legend; returns PNG bytes. */
export function renderContactSheet(tiles: SheetTile[], columns = 3, title = ""): Uint8Array {
  const first = jpeg.decode(tiles[0].jpeg, { useTArray: true, formatAsRGBA: true });
  const tw = first.width,
    th = first.height;
  const rows = Math.ceil(tiles.length / columns);
  const width = Math.max(columns * (tw + GAP) + GAP, 720),
    height = LEGEND + rows * (th + GAP) + GAP;
  const png = new PNG({ width, height });
  png.data.fill(0);
  for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
  const data = png.data as unknown as Uint8Array;
  let lx = GAP;
  for (const [rgb, text] of [
    [WHITE, title],
    [RED, "RED = DETECTED CELLS"],
    [GREEN, "GREEN = GROUND TRUTH MOTION"],
    [YELLOW, "YELLOW = MOTION BOX"],
  ] as const) {
    if (!text) continue;
    drawText(data, width, height, lx, 9, text, rgb);
    lx += textWidth(text) + 24;
  }
  tiles.forEach((tile, i) => {
    const ox = GAP + (i % columns) * (tw + GAP),
      oy = LEGEND + GAP + Math.floor(i / columns) * (th + GAP);
    const img = jpeg.decode(tile.jpeg, { useTArray: true, formatAsRGBA: true });
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) {
        const s = (y * tw + x) * 4,
          o = ((oy + y) * width + ox + x) * 4;
        let [r, g, b] = [img.data[s], img.data[s + 1], img.data[s + 2]];
        if (tile.cells[(y >> tile.cellShift) * tile.gridWidth + (x >> tile.cellShift)])
          [r, g, b] = [r * 0.5 + 127, g * 0.5, b * 0.5];
        if (tile.labels && isEdge(tile.labels, tw, th, x, y)) [r, g, b] = GREEN;
        [data[o], data[o + 1], data[o + 2]] = [r, g, b];
      }
    }
    const [bx, by, bw, bh] = tile.box;
    if (bw > 0) {
      for (let t = 0; t < 2; t++) {
        for (let x = bx; x < bx + bw; x++)
          for (const y of [by + t, by + bh - 1 - t]) paint(data, width, ox + x, oy + y, YELLOW);
        for (let y = by; y < by + bh; y++)
          for (const x of [bx + t, bx + bw - 1 - t]) paint(data, width, ox + x, oy + y, YELLOW);
      }
    }
    const label = `FRAME ${tile.frame}${tile.active ? " - MOTION ON" : ""}`;
    for (let y = 0; y < 16; y++)
      for (let x = 0; x < textWidth(label) + 6; x++) paint(data, width, ox + x, oy + y, [0, 0, 0]);
    drawText(data, width, height, ox + 3, oy + 3, label, WHITE);
  });
  return PNG.sync.write(png);
}

function isEdge(labels: Uint8Array, w: number, h: number, x: number, y: number): boolean {
  if (labels[y * w + x] !== 255) return false;
  return (
    (x > 0 && labels[y * w + x - 1] !== 255) ||
    (x < w - 1 && labels[y * w + x + 1] !== 255) ||
    (y > 0 && labels[(y - 1) * w + x] !== 255) ||
    (y < h - 1 && labels[(y + 1) * w + x] !== 255)
  );
}

function paint(data: Uint8Array, width: number, x: number, y: number, rgb: readonly [number, number, number]): void {
  const o = (y * width + x) * 4;
  if (o < 0 || o + 3 >= data.length || x >= width) return;
  [data[o], data[o + 1], data[o + 2]] = rgb;
}
