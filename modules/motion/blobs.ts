// SPDX-License-Identifier: MIT
// Blobs on a coarse grid: foreground cells are pooled into squares of `factor` x `factor` cells (about 20
// squares across), and 4-connected squares form blobs. Small blobs are ignored; the rest give the motion's
// bounding box. Costs in proportion to the foreground, not the grid (a padded coarse grid, no bounds checks), or
// a few operations per word of a bit-row map (grid.ts).
import { createGrid } from "./grid.js";

export interface Blobs {
  /** Blobs of at least `minCells` coarse squares. */
  count: number;
  /** Squares in the largest blob (any size). */
  largest: number;
  /** Union box of the counted blobs in thumbnail cells, [x0, y0, x1, y1); all 0 when count is 0. */
  readonly box: Int32Array;
}

export interface BlobFinder {
  /** Thumbnail cells per coarse square side. */
  readonly factor: number;
  /** Finds the blobs of thumbnail cells `cells[0..n)`; the result object is reused. */
  find(cells: Int32Array, n: number, minCells: number): Blobs;
  /**
   * `find`'s box alone, written to `box` ([x0, y0, x1, y1) in thumbnail cells, all 0 when there is none); true
   * when some blob has at least `minCells` squares. Cheaper for `minCells` up to 2: a square is in a blob of two
   * or more exactly when a 4-neighbour is foreground too, so no blob needs to be walked.
   */
  findBox(cells: Int32Array, n: number, minCells: number): boolean;
  /**
   * True when `findBoxInBits` can serve `minCells`: up to 2, with a factor that is a power of two up to 16 (squares
   * then never straddle a word).
   */
  fitsBits(minCells: number): boolean;
  /**
   * `findBox` for the cells set in `bits` (grid.ts's bit rows of a width x height grid), a row of squares at a
   * time, word by word. Only when `fitsBits(minCells)`.
   */
  findBoxInBits(bits: Int32Array, minCells: number): boolean;
  readonly box: Int32Array;
}

/** The coarse square side for a thumbnail `width` cells wide: about 20 squares across. */
export function coarseFactor(width: number): number {
  return Math.max(1, Math.ceil(width / 20));
}

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: the flood fill, inlined for XS (BENCHMARKS.md motion)
export function createBlobFinder(width: number, height: number): BlobFinder {
  const factor = coarseFactor(width);
  const columns = Math.ceil(width / factor),
    rows = Math.ceil(height / factor);
  const stride = columns + 2;
  const size = stride * (rows + 2);
  // Each thumbnail cell's padded square, precomputed so the per-frame loop does no division.
  const squareOf = new Int32Array(width * height);
  for (let c = 0; c < width * height; c++)
    squareOf[c] = ((((c / width) | 0) / factor) | 0) * stride + (((c % width) / factor) | 0) + stride + 1;
  const state = new Uint8Array(size); // 0 empty, 1 foreground, 2 visited
  const active = new Int32Array(size);
  const stack = new Int32Array(size);
  // Each padded square's column, for the same reason.
  const columnOf = new Int32Array(size);
  for (let q = 0; q < size; q++) columnOf[q] = q % stride;
  const result: Blobs = { count: 0, largest: 0, box: new Int32Array(4) };
  const box = result.box;
  // The squares as bit rows: square x at bit (x * factor) % 32 of word (x * factor) / 32, the grid's layout.
  const grid = createGrid(width, height);
  const { rowWords, bitStride } = grid;
  const squares = new Int32Array(bitStride * (rows + 2));
  // The words of `squares` with a square this frame, column of words by column (column j's end at `columnEnd[j]`),
  // and each word's square row.
  const listed = new Int32Array(squares.length);
  const columnEnd = new Int32Array(rowWords);
  const rowOf = new Int32Array(squares.length);
  for (let q = 0; q < squares.length; q++) rowOf[q] = ((q / bitStride) | 0) - 1;
  // Words from a square row's first cell row to the next one's in a bit-row map, and at each such first word, the
  // square row's word in `squares`.
  const step = factor * bitStride;
  const squareWord = new Int32Array(bitStride * (height + 2));
  for (let y = 0; y < rows; y++)
    for (let j = 0; j < rowWords; j++) squareWord[y * step + bitStride + 1 + j] = (y + 1) * bitStride + 1 + j;
  let firstBits = 0; // the first bit of each square's group of bits
  for (let b = 0; b < 32; b += factor) firstBits |= 1 << b;
  const powerOfTwo = factor <= 16 && (factor & (factor - 1)) === 0;

  return {
    factor,
    box,
    fitsBits: (minCells) => powerOfTwo && minCells <= 2,
    findBoxInBits(bits, minCells) {
      // Temporaries declared once: a block-scoped const costs XS a scope per iteration.
      let j = 0,
        q = 0,
        end = 0,
        Q = 0,
        S = 0,
        across = 0,
        i = 0,
        q0 = squares.length,
        q1 = -1,
        x0 = -1,
        x1 = -1;
      listSquares(bits);
      const alone = minCells <= 1,
        back = 32 - factor;
      // The listed squares, a column of words at a time: S gathers the column's squares that count, q0 and q1 the
      // first and last word with one (words are in raster order: a word's row is q / bitStride - 1).
      for (j = 0; j < rowWords; j++) {
        S = 0;
        for (end = columnEnd[j]; i < end; i++) {
          q = listed[i];
          Q = squares[q];
          // A square of a blob of two or more has a foreground 4-neighbour: the other words are read only when a
          // square has none in its own word.
          if (!alone) {
            across = (Q << factor) | (Q >>> factor);
            if ((Q & ~across) !== 0)
              Q &=
                across |
                (squares[q - 1] >>> back) |
                (squares[q + 1] << back) |
                squares[q - bitStride] |
                squares[q + bitStride];
          }
          if (Q === 0) continue;
          S |= Q;
          if (q < q0) q0 = q;
          if (q > q1) q1 = q;
        }
        if (S === 0) continue;
        if (x0 < 0) x0 = j * 32 + 31 - Math.clz32(S & -S);
        x1 = j * 32 + 31 - Math.clz32(S);
      }
      if (q1 < 0) {
        box.fill(0);
        return false;
      }
      // Bits back to thumbnail cells: square x starts at bit x * factor.
      box[0] = x0;
      box[1] = rowOf[q0] * factor;
      box[2] = Math.min(width, x1 + factor);
      box[3] = Math.min(height, (rowOf[q1] + 1) * factor);
      return true;
    },
    findBox(cells, n, minCells) {
      if (minCells > 2) return find(cells, n, minCells).count > 0;
      const nActive = markSquares(cells, n);
      let q = 0,
        i = 0;
      // Squares come in raster order of their cells, not of themselves: the box takes the extremes.
      let q0 = size,
        q1 = -1,
        x0 = size,
        x1 = -1,
        x = 0;
      const alone = minCells <= 1;
      for (i = 0; i < nActive; i++) {
        q = active[i];
        if (alone || (state[q - 1] | state[q + 1] | state[q - stride] | state[q + stride]) !== 0) {
          if (q < q0) q0 = q;
          if (q > q1) q1 = q;
          x = columnOf[q];
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
        }
      }
      for (i = 0; i < nActive; i++) state[active[i]] = 0;
      if (q1 < 0) {
        box.fill(0);
        return false;
      }
      box[0] = (x0 - 1) * factor;
      box[1] = (((q0 / stride) | 0) - 1) * factor;
      box[2] = Math.min(width, x1 * factor);
      box[3] = Math.min(height, ((q1 / stride) | 0) * factor);
      return true;
    },
    find,
  };

  /** Marks the squares of `cells` (state 1) and lists each once in `active`, in order of first sight; returns how many. */
  function markSquares(cells: Int32Array, n: number): number {
    // Temporaries declared once: a block-scoped const costs XS a scope per iteration.
    let nActive = 0,
      q = 0,
      i = 0;
    for (; i < n; i++) {
      q = squareOf[cells[i]];
      if (state[q] === 0) {
        state[q] = 1;
        active[nActive++] = q;
      }
    }
    return nActive;
  }

  /**
   * Fills `squares` from the bit rows `bits` (`findBoxInBits`) and lists the words with a square in `listed`, column
   * of words by column (`columnEnd[j]` ends column j's).
   */
  function listSquares(bits: Int32Array): void {
    // Temporaries declared once: a block-scoped const costs XS a scope per iteration.
    let j = 0,
      r = 0,
      k = 0,
      q = 0,
      end = 0,
      Q = 0,
      n = 0,
      last = 0;
    // Each square row: the OR of its cell rows (the last may have fewer; at 2 a row, the zero row below the bit
    // rows stands in), smeared over each square's bits, kept at the square's first bit. Column of words by column;
    // only the words with a square are written (the rest cleared at once).
    squares.fill(0);
    for (; j < rowWords; j++) {
      q = bitStride + 1 + j;
      // Two cell rows a square (thumbnails 21 to 40 cells across): a loop of its own, no test of the factor a word,
      // and the square's word looked up only for a square.
      if (factor === 2) {
        for (k = q, end = q + rows * step; k < end; k += step) {
          Q = bits[k] | bits[k + bitStride];
          if (Q === 0) continue;
          q = squareWord[k];
          squares[q] = (Q | (Q >>> 1)) & firstBits;
          listed[n++] = q;
        }
        columnEnd[j] = n;
        continue;
      }
      for (k = q, end = q + rows * bitStride; q < end; q += bitStride, k += step) {
        Q = bits[k];
        if (factor > 2) {
          last = height - rowOf[q] * factor;
          if (last > factor) last = factor;
          for (r = 1; r < last; r++) Q |= bits[k + r * bitStride];
        }
        if (Q === 0) continue;
        if (factor > 1) {
          Q |= Q >>> 1;
          if (factor > 2) {
            Q |= Q >>> 2;
            if (factor > 4) {
              Q |= Q >>> 4;
              if (factor > 8) Q |= Q >>> 8;
            }
          }
        }
        squares[q] = Q & firstBits;
        listed[n++] = q;
      }
      columnEnd[j] = n;
    }
  }

  function find(cells: Int32Array, n: number, minCells: number): Blobs {
    const nActive = markSquares(cells, n);
    let q = 0,
      i = 0;
    let count = 0,
      largest = 0,
      bx0 = size,
      by0 = size,
      bx1 = -1,
      by1 = -1,
      seed = 0,
      top = 0,
      squares = 0,
      q0 = 0,
      q1 = 0,
      x0 = 0,
      x1 = 0,
      x = 0,
      y0 = 0,
      y1 = 0;
    for (i = 0; i < nActive; i++) {
      seed = active[i];
      if (state[seed] !== 1) continue;
      state[seed] = 2;
      stack[0] = seed;
      top = 1;
      squares = 0;
      q0 = seed;
      q1 = seed;
      x0 = seed % stride;
      x1 = x0;
      while (top > 0) {
        q = stack[--top];
        squares++;
        if (q < q0) q0 = q;
        if (q > q1) q1 = q;
        x = q % stride;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (state[q - stride] === 1) {
          state[q - stride] = 2;
          stack[top++] = q - stride;
        }
        if (state[q - 1] === 1) {
          state[q - 1] = 2;
          stack[top++] = q - 1;
        }
        if (state[q + 1] === 1) {
          state[q + 1] = 2;
          stack[top++] = q + 1;
        }
        if (state[q + stride] === 1) {
          state[q + stride] = 2;
          stack[top++] = q + stride;
        }
      }
      if (squares > largest) largest = squares;
      if (squares >= minCells) {
        count++;
        y0 = (q0 / stride) | 0;
        y1 = (q1 / stride) | 0;
        if (x0 < bx0) bx0 = x0;
        if (y0 < by0) by0 = y0;
        if (x1 > bx1) bx1 = x1;
        if (y1 > by1) by1 = y1;
      }
    }
    for (let i = 0; i < nActive; i++) state[active[i]] = 0;
    result.count = count;
    result.largest = largest;
    if (count > 0) {
      // Padded squares back to thumbnail cells.
      box[0] = (bx0 - 1) * factor;
      box[1] = (by0 - 1) * factor;
      box[2] = Math.min(width, bx1 * factor);
      box[3] = Math.min(height, by1 * factor);
    } else box.fill(0);
    return result;
  }
}
