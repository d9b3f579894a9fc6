// SPDX-License-Identifier: MIT
// Privacy zones -> a cell mask: one byte per 8x8 block of luma-resolution pixels, 1 where any pixel of the
// block lies in a zone. Polygons are rasterised per pixel row from their edge crossings (even-odd rule at
// pixel centres), so the cost is rows x edges, not pixels x edges. `parseZones` is a minimal validator.
import type { PolygonZone, RectZone, Zone } from "./zone.js";

/** One byte per 8x8 block of luma-resolution pixels, row-major: ceil(width/8) x ceil(height/8); 1 = touched. */
export interface CellMask {
  readonly widthCells: number;
  readonly heightCells: number;
  readonly cells: Uint8Array;
}

/** Largest image `zoneCells` accepts, in pixels per side (T.81 §B.2.2: X and Y are 16 bits). */
export const MAX_SIDE_PX = 65535;
/** At most this many zones, and vertices per polygon: enough for any porch, small enough for a device. */
export const MAX_ZONES = 64;
export const MAX_POLYGON_POINTS = 256;

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
  const cells = new Uint8Array(widthCells * heightCells);
  const mask = { widthCells, heightCells, cells };
  for (const zone of zones) {
    if ("polygon" in zone) markPolygon(mask, zone, width, height);
    else markRect(mask, zone, width, height);
  }
  return mask;
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

/** A finite number, or an error naming the field. */
function num(value: unknown, field: string, min = -Infinity): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    const accepted = min > -Infinity ? `a finite number >= ${min}` : "a finite number";
    throw new TypeError(`${field}: ${JSON.stringify(value) ?? String(value)} is not accepted (expected ${accepted})`);
  }
  return value;
}

/**
 * Validates a zones file's JSON: an array (at most MAX_ZONES) of `{ x, y, width, height }` (pixels, width and
 * height >= 0) and `{ polygon: [[x, y], ...] }` (3 to MAX_POLYGON_POINTS vertices). Throws a TypeError naming
 * the index and field, e.g. "zones[2].width: -4 is not accepted (expected a finite number >= 0)".
 */
export function parseZones(value: unknown): Zone[] {
  if (!Array.isArray(value)) throw new TypeError("zones: expected a JSON array of rectangles and polygons");
  if (value.length > MAX_ZONES) throw new TypeError(`zones: ${value.length} zones (at most ${MAX_ZONES})`);
  return value.map((z, i) => parseZone(z, `zones[${i}]`));
}

function parseZone(z: unknown, at: string): Zone {
  if (typeof z !== "object" || z === null || Array.isArray(z))
    throw new TypeError(`${at}: expected { "x", "y", "width", "height" } or { "polygon": [[x, y], ...] }`);
  const o = z as Record<string, unknown>;
  const keys = Object.keys(o);
  if ("polygon" in o) {
    const extra = keys.find((k) => k !== "polygon");
    if (extra !== undefined) throw new TypeError(`${at}.${extra}: unknown field in a polygon zone`);
    const pts = o.polygon;
    if (!Array.isArray(pts) || pts.length < 3 || pts.length > MAX_POLYGON_POINTS)
      throw new TypeError(`${at}.polygon: expected an array of 3 to ${MAX_POLYGON_POINTS} [x, y] points`);
    const polygon = pts.map((p, k): [number, number] => {
      if (!Array.isArray(p) || p.length !== 2) throw new TypeError(`${at}.polygon[${k}]: expected [x, y]`);
      return [num(p[0], `${at}.polygon[${k}][0]`), num(p[1], `${at}.polygon[${k}][1]`)];
    });
    return { polygon };
  }
  const extra = keys.find((k) => k !== "x" && k !== "y" && k !== "width" && k !== "height");
  if (extra !== undefined) throw new TypeError(`${at}.${extra}: unknown field in a rectangle zone`);
  return {
    x: num(o.x, `${at}.x`),
    y: num(o.y, `${at}.y`),
    width: num(o.width, `${at}.width`, 0),
    height: num(o.height, `${at}.height`, 0),
  };
}
