// SPDX-License-Identifier: MIT
// The cell grid of a thumbnail and its padded twin: maps of foreground cells carry a zero border (one
// column left and right, one row on top, two below) so neighbour lookups in the detector's loops need
// no bounds checks. Cell c of a width x height thumbnail is padded cell c + 2*row + stride + 1.

export interface Grid {
  /** Thumbnail cells across and down. */
  readonly width: number;
  readonly height: number;
  readonly cells: number;
  /** Row stride of the padded maps: width + 2. */
  readonly stride: number;
  /** Cells in a padded map: stride x (height + 3). */
  readonly paddedCells: number;
  /** The thumbnail cell of each padded cell, -1 on the border. */
  readonly cellOf: Int32Array;
}

export function createGrid(width: number, height: number): Grid {
  const stride = width + 2;
  const paddedCells = stride * (height + 3);
  const cellOf = new Int32Array(paddedCells).fill(-1);
  for (let c = 0; c < width * height; c++) cellOf[c + 2 * ((c / width) | 0) + stride + 1] = c;
  return { width, height, cells: width * height, stride, paddedCells, cellOf };
}

/** The padded index of thumbnail cell `c`. */
export function paddedIndex(g: Grid, c: number): number {
  return c + 2 * ((c / g.width) | 0) + g.stride + 1;
}
