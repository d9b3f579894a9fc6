// SPDX-License-Identifier: MIT
// The privacy mask: polygons in frame pixels, rasterised onto the thumbnail grid. A cell is masked when
// the centre of any of its 8x8 pixels lies inside a polygon (even-odd rule per polygon), so a mask
// never leaks a sliver of what it covers. Masked cells take no part in any statistic of the detector.

/** A polygon of at least three [x, y] vertices in frame pixels (0,0 = top-left corner of the frame). */
export type Polygon = ReadonlyArray<readonly [number, number]>;

/**
 * Fills `masked` (width x height cells, 1 = masked) for a frame of `frameWidth` x `frameHeight` pixels
 * whose 8x8 blocks are the cells. Returns the number of masked cells. Scanline fill, one line per pixel
 * row, so its cost is rows x edges whatever the polygons' area.
 */
export function rasterizeMask(
  polygons: readonly Polygon[],
  frameWidth: number,
  frameHeight: number,
  width: number,
  height: number,
  masked: Uint8Array,
): number {
  masked.fill(0, 0, width * height);
  const xs: number[] = [];
  for (const polygon of polygons) {
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
