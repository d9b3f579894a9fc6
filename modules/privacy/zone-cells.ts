// SPDX-License-Identifier: MIT
// Privacy zones -> a cell mask: one byte per 8x8 block of luma-resolution pixels, 1 where any pixel of the
// block lies in a zone. Polygons are rasterised per pixel row from their edge crossings (even-odd rule at
// pixel centres), so the cost is rows x edges, not pixels x edges. Zones are validated by modules/privacy/zones.ts.
import type { PolygonZone, RectZone, Zone } from "./zone.js";

/** One byte per 8x8 block of luma-resolution pixels, row-major: ceil(width/8) x ceil(height/8); 1 = touched. */
export interface CellMask {
  readonly widthCells: number;
  readonly heightCells: number;
  readonly cells: Uint8Array;
}

/** Largest image `zoneCells` accepts, in pixels per side (T.81 §B.2.2: X and Y are 16 bits). */
export const MAX_SIDE_PX = 65535;

/**
 * The cells of a `width` x `height` image that any zone touches. A pixel (px, py) is inside a rectangle when
 * x <= px < x + width and y <= py < y + height, inside a polygon when its centre (px + 0.5, py + 0.5) is
 * inside by the even-odd rule. Zones are clipped to the image. Throws a RangeError for a size outside 1..65535.
 */
export function zoneCells(zones: readonly Zone[], width: number, height: number): CellMask {
  if (
    !(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1) ||
    width > MAX_SIDE_PX ||
    height > MAX_SIDE_PX
  )
    throw new RangeError(`image size ${width}x${height}: expected whole numbers from 1 to ${MAX_SIDE_PX}`);
  const widthCells = Math.ceil(width / 8),
    heightCells = Math.ceil(height / 8);
  const mask = { widthCells, heightCells, cells: new Uint8Array(widthCells * heightCells) };
  markZoneCells(zones, width, height, mask);
  return mask;
}

/**
 * `zoneCells` into a mask the caller owns (the motion detector's, reused between configs): clears it, marks
 * the touched cells and returns how many there are. `mask.widthCells` must be ceil(width / 8).
 */
export function markZoneCells(zones: readonly Zone[], width: number, height: number, mask: CellMask): number {
  const n = mask.widthCells * mask.heightCells;
  mask.cells.fill(0, 0, n);
  for (const zone of zones) {
    if ("polygon" in zone) markPolygon(mask, zone, width, height);
    else markRect(mask, zone, width, height);
  }
  let count = 0;
  for (let c = 0; c < n; c++) count += mask.cells[c];
  return count;
}

/** Marks the cells of cell row `cy` that pixel columns px0 to px1 (inclusive) fall in. */
function markSpan(mask: CellMask, cy: number, px0: number, px1: number): void {
  const row = cy * mask.widthCells;
  mask.cells.fill(1, row + (px0 >> 3), row + (px1 >> 3) + 1);
}

function markRect(mask: CellMask, r: RectZone, width: number, height: number): void {
  // Integer pixels with x <= px < x + w: from ceil(x) to ceil(x + w) - 1.
  const px0 = Math.max(0, Math.ceil(r.x)),
    px1 = Math.min(width, Math.ceil(r.x + r.width)) - 1;
  const py0 = Math.max(0, Math.ceil(r.y)),
    py1 = Math.min(height, Math.ceil(r.y + r.height)) - 1;
  if (px0 > px1 || py0 > py1) return;
  for (let cy = py0 >> 3; cy <= py1 >> 3; cy++) markSpan(mask, cy, px0, px1);
}

function markPolygon(mask: CellMask, zone: PolygonZone, width: number, height: number): void {
  const pts = zone.polygon;
  const n = pts.length;
  if (n < 3) return;
  const xs: number[] = [];
  for (let py = 0; py < height; py++) {
    const yc = py + 0.5;
    xs.length = 0;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const [x0, y0] = pts[j];
      const [x1, y1] = pts[i];
      // Half-open in y, so a vertex on the row is counted once and horizontal edges never.
      if (y0 <= yc !== y1 <= yc) xs.push(x0 + ((yc - y0) * (x1 - x0)) / (y1 - y0));
    }
    if (xs.length < 2) continue;
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      // Centres px + 0.5 with xa <= px + 0.5 < xb: px from ceil(xa - 0.5) to ceil(xb - 0.5) - 1.
      const px0 = Math.max(0, Math.ceil(xs[k] - 0.5)),
        px1 = Math.min(width, Math.ceil(xs[k + 1] - 0.5)) - 1;
      if (px0 <= px1) markSpan(mask, py >> 3, px0, px1);
    }
  }
}
