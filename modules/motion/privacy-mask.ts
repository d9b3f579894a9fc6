// SPDX-License-Identifier: MIT
// The privacy mask: the privacy zones (modules/privacy/zone.ts) rasterised onto the thumbnail grid with the
// redactor's cell rule: a cell is masked when any of its 8x8 pixels is inside a rectangle (x <= px < x + width)
// or has its centre inside a polygon (even-odd rule per polygon), so a mask never leaks a sliver of what it
// covers. Masked cells take no part in any statistic of the detector.
import type { Zone } from "../privacy/zone.js";

/** A polygon of at least three [x, y] vertices in frame pixels (0,0 = top-left corner of the frame). */
export type Polygon = ReadonlyArray<readonly [number, number]>;

function fillRectangle(
  z: { x: number; y: number; width: number; height: number },
  frameWidth: number,
  frameHeight: number,
  width: number,
  masked: Uint8Array,
): void {
  const x0 = Math.max(0, z.x);
  const x1 = Math.min(frameWidth, z.x + z.width) - 1;
  const y0 = Math.max(0, z.y);
  const y1 = Math.min(frameHeight, z.y + z.height) - 1;
  if (x0 > x1 || y0 > y1) return;
  for (let row = y0 >> 3; row <= y1 >> 3; row++) masked.fill(1, row * width + (x0 >> 3), row * width + (x1 >> 3) + 1);
}

/**
 * Fills `masked` (width x height cells, 1 = masked) for a frame of `frameWidth` x `frameHeight` pixels
 * whose 8x8 blocks are the cells. Returns the number of masked cells. Polygons by scanline fill, one line
 * per pixel row, so their cost is rows x edges whatever their area.
 */
export function rasterizeMask(
  zones: readonly Zone[],
  frameWidth: number,
  frameHeight: number,
  width: number,
  height: number,
  masked: Uint8Array,
): number {
  masked.fill(0, 0, width * height);
  const xs: number[] = [];
  for (const zone of zones) {
    if (!("polygon" in zone)) {
      fillRectangle(zone, frameWidth, frameHeight, width, masked);
      continue;
    }
    const polygon: Polygon = zone.polygon;
    const n = polygon.length;
    if (n < 3) continue;
    for (let py = 0; py < frameHeight; py++) {
      const yc = py + 0.5;
      xs.length = 0;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const [x1, y1] = polygon[j];
        const [x2, y2] = polygon[i];
        if (y1 <= yc !== y2 <= yc) xs.push(x1 + ((yc - y1) * (x2 - x1)) / (y2 - y1));
      }
      xs.sort((a, b) => a - b);
      const row = (py >> 3) * width;
      for (let k = 0; k + 1 < xs.length; k += 2) {
        // Pixel centres px + 0.5 inside [xs[k], xs[k+1]).
        const first = Math.max(0, Math.ceil(xs[k] - 0.5));
        const last = Math.min(frameWidth - 1, Math.ceil(xs[k + 1] - 0.5) - 1);
        if (first > last) continue;
        masked.fill(1, row + (first >> 3), row + (last >> 3) + 1);
      }
    }
  }
  let count = 0;
  for (let c = 0; c < width * height; c++) count += masked[c];
  return count;
}
