// SPDX-License-Identifier: MIT
// The cell grid of a thumbnail and its maps of one bit a cell ("bit rows"): a row in rowWords 32-bit words, cell
// x at bit x % 32 of word x / 32, with a zero word on each side and a zero row above and below, so neighbour
// lookups in the detector's loops need no bounds checks: row r's word j is at (r + 1) * bitStride + 1 + j.

export interface Grid {
  /** Thumbnail cells across and down. */
  readonly width: number;
  readonly height: number;
  readonly cells: number;
  /** Words per row of a bit-row map: ceil(width / 32). */
  readonly rowWords: number;
  /** Words from one bit row to the next: rowWords + 2. */
  readonly bitStride: number;
  /** Words in a bit-row map: bitStride x (height + 2). */
  readonly bitCells: number;
  /** Each thumbnail cell's word in a bit-row map, and its bit there. */
  readonly bitWordOf: Int32Array;
  readonly bitOf: Int32Array;
}

export function createGrid(width: number, height: number): Grid {
  const rowWords = Math.ceil(width / 32);
  const bitStride = rowWords + 2;
  const bitWordOf = new Int32Array(width * height);
  const bitOf = new Int32Array(width * height);
  for (let c = 0; c < width * height; c++) {
    const y = (c / width) | 0;
    bitWordOf[c] = (y + 1) * bitStride + 1 + (((c - y * width) / 32) | 0);
    bitOf[c] = 1 << ((c - y * width) % 32);
  }
  return {
    width,
    height,
    cells: width * height,
    rowWords,
    bitStride,
    bitCells: bitStride * (height + 2),
    bitWordOf,
    bitOf,
  };
}
