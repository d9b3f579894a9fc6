// SPDX-License-Identifier: MIT
// Cleans the raw foreground on the cell grid: drops isolated cells (noise), cells clipped white or black
// both as seen and as predicted, and border cells a moving object only clips; fills one-cell gaps. Works
// on the padded maps of grid.ts and costs in proportion to the foreground, not the grid.
import type { Grid } from "./grid.js";

/**
 * A border cell is kept when its residual reaches this fraction (x 256) of the residual it would have if
 * covered like a foreground neighbour (that neighbour's luma against this cell's background). Half, so a
 * cell counts as motion when the object covers about half of its 8x8 pixels.
 */
export const COVERAGE_Q8 = 128;

/** Luma at or above this (or at or below 255 minus this) is taken as clipped by the sensor. */
export const SATURATED = 250;
const DARK = 255 - SATURATED;

/**
 * Reads raw cells `list[0..n)` (padded indices; padded `map` = 1) and writes the refined cells (thumbnail indices)
 * to `cells`; returns their count. A one-cell gap between two raw cells, across or down, is filled.
 */
export function refineForeground(
  g: Grid,
  list: Int32Array,
  n: number,
  map: Uint8Array,
  luma: Uint8Array,
  background: Uint16Array,
  gainQ8: number,
  cells: Int32Array,
): number {
  const width = g.width,
    stride = g.stride,
    below = 2 * stride,
    cellOf = g.cellOf;
  let m = 0;
  // The loop's temporaries, declared once: a block-scoped const costs XS a scope per iteration.
  let p = 0,
    left = 0,
    right = 0,
    up = 0,
    down = 0,
    c = 0,
    around = 0,
    cur = 0,
    pred = 0,
    d = 0,
    limit = 0,
    i = 0;
  for (; i < n; i++) {
    p = list[i];
    right = map[p + 1];
    down = map[p + stride];
    c = cellOf[p];
    // One-cell gaps in the raw map, across and down, are filled; a gap closed both ways is listed once.
    if (right === 0 && map[p + 2] === 1) cells[m++] = c + 1;
    if (down === 0 && map[p + below] === 1 && (map[p + stride - 1] === 0 || map[p + stride + 1] === 0))
      cells[m++] = c + width;
    around = map[p - 1] + right + map[p - stride] + down;
    if (around === 0) continue; // isolated: noise
    // Clipped at white (or black) both now and as predicted: an exposure change the gain cannot model.
    cur = luma[c];
    if (cur >= SATURATED || cur <= DARK) {
      pred = (background[c] * gainQ8) >> 16;
      if (cur >= SATURATED ? pred >= SATURATED : pred <= DARK) continue;
    }
    if (around < 3) {
      left = map[p - 1];
      up = map[p - stride];
      // An edge or corner cell (one or two foreground neighbours), dropped only when every foreground
      // neighbour says it is clipped: the residual the cell would have if covered like that neighbour has
      // the same sign and is over 256/COVERAGE_Q8 times larger. A weaker neighbour, or one of opposite
      // sign (another part of the object), keeps it.
      // Inlined: a helper call per neighbour would cost as much again on XS.
      pred = (background[c] * gainQ8) >> 16;
      d = cur - pred;
      limit = (d * 256) / COVERAGE_Q8;
      if (
        !(d > 0
          ? (left !== 0 && luma[c - 1] - pred <= limit) ||
            (right !== 0 && luma[c + 1] - pred <= limit) ||
            (up !== 0 && luma[c - width] - pred <= limit) ||
            (down !== 0 && luma[c + width] - pred <= limit)
          : (left !== 0 && luma[c - 1] - pred >= limit) ||
            (right !== 0 && luma[c + 1] - pred >= limit) ||
            (up !== 0 && luma[c - width] - pred >= limit) ||
            (down !== 0 && luma[c + width] - pred >= limit))
      )
        continue;
    }
    cells[m++] = c;
  }
  return m;
}
