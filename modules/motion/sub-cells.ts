// SPDX-License-Identifier: MIT
// The motion map at half-cell resolution (4x4 pixels per square when a cell is an 8x8 block), built on demand:
// each quarter of a cell takes the bilinear interpolation of the residuals (|luma - gain x background|) of its
// cell and the three neighbours it faces, and is motion when that exceeds the cell's threshold. An object that
// covers a cell only on one side (the usual case at its edges) then lights the quarters on that side.
import type { Grid } from "./grid.js";

/**
 * A quarter is motion when its interpolated residual exceeds the cell's threshold x QUARTER_THRESHOLD_Q4 / 16
 * (1.25): a little above the cell's own bar, so a quarter only the cell's residual reaches is dropped.
 */
export const QUARTER_THRESHOLD_Q4 = 20;

/**
 * Writes the half-cell map (2 x width by 2 x height, 1 = motion) into `out` from the refined foreground cells
 * `cells[0..n)` (thumbnail indices). A quarter of a foreground cell is kept when (9 r + 3 r_h + 3 r_v + r_d) / 16
 * > 1.25 x `threshold` of the cell, with r the cell's residual and r_h, r_v, r_d those of the neighbours across, down and
 * diagonally on the quarter's side (the cell's own at the frame's border). `fg` marks foreground cells (1).
 */
export function subCellMap(
  g: Grid,
  cells: Int32Array,
  n: number,
  luma: Uint8Array,
  background: Uint16Array,
  gainQ8: number,
  threshold: Uint8Array,
  masked: Uint8Array,
  out: Uint8Array,
): Uint8Array {
  out.fill(0);
  const { width, height } = g;
  const ow = width * 2;
  const residual = (c: number) => {
    if (masked[c]) return 0;
    const d = luma[c] - ((background[c] * gainQ8) >> 16);
    return d < 0 ? -d : d;
  };
  for (let i = 0; i < n; i++) {
    const c = cells[i];
    const x = c % width,
      y = (c / width) | 0;
    const r = residual(c) * 9;
    const t = threshold[c] * QUARTER_THRESHOLD_Q4;
    for (let q = 0; q < 4; q++) {
      const dx = q & 1 ? 1 : -1,
        dy = q & 2 ? 1 : -1;
      const hx = x + dx >= 0 && x + dx < width ? x + dx : x;
      const vy = y + dy >= 0 && y + dy < height ? y + dy : y;
      const v = r + 3 * residual(y * width + hx) + 3 * residual(vy * width + x) + residual(vy * width + hx);
      if (v > t) out[(2 * y + (q >> 1)) * ow + 2 * x + (q & 1)] = 1;
    }
  }
  return out;
}
