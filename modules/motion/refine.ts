// SPDX-License-Identifier: MIT
// Cleans the raw foreground on the cell grid: drops isolated cells (noise), cells clipped white or black
// both as seen and as predicted, and border cells a moving object only clips; fills one-cell gaps. Works
// on rows of bits (32 cells a word, grid.ts's bit rows), so the neighbour counts and the gaps cost a few
// operations per word; only the clipped candidates and the border cells are looked at one by one.
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

export interface Refiner {
  /**
   * This frame's raw foreground, one bit a cell in grid.ts's bit rows (`Grid.bitWordOf`, `Grid.bitOf`), and the
   * raw cells to drop as clipped (`clippedBoth`): filled by background-model.ts's `classify`, cleared by its caller.
   */
  raw: Int32Array;
  readonly drop: Int32Array;
  /** The last refined foreground in the same bit rows; valid until the next `refine`. Read it with `listCells`. */
  readonly bits: Int32Array;
  /**
   * Refines `raw` into `bits` and returns how many cells are set: isolated raw cells and the `drop` ones (when not
   * isolated) go, border cells go when every neighbour says they are only clipped, one-cell gaps between two raw
   * cells, across or down, are filled.
   */
  refine(luma: Uint8Array, background: Uint16Array, gainQ8: number): number;
  /** Makes `next` (same size) the raw bit rows and returns the ones it replaces, so a frame's raw map is kept. */
  swapRaw(next: Int32Array): Int32Array;
}

/**
 * A raw cell of luma `cur` and predicted luma `pred` clipped at white (or black) both now and as predicted: an
 * exposure change the gain cannot model, dropped by the cleanup unless it is isolated (then it goes as noise).
 */
export function clippedBoth(cur: number, pred: number): boolean {
  return cur >= SATURATED ? pred >= SATURATED : cur <= DARK && pred <= DARK;
}

/** Looked up once: a property read per call otherwise. */
const clz32 = Math.clz32;

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: the cleanup, inlined for XS (BENCHMARKS.md motion)
export function createRefiner(g: Grid): Refiner {
  const { width, bitStride, rowWords, height } = g;
  const size = g.bitCells;
  // Two, three and four rows down: empty rows are skipped four at a time first.
  const down2 = 2 * bitStride,
    down3 = 3 * bitStride,
    down4 = 4 * bitStride;
  let raw: Int32Array = new Int32Array(size);
  const drop = new Int32Array(size);
  const bits = new Int32Array(size);
  // Each word's last cell (thumbnail index of bit 31), so a bit's cell is this minus its leading zeros.
  const lastCell = new Int32Array(size);
  for (let r = 0; r < height; r++)
    for (let j = 0; j < rowWords; j++) lastCell[(r + 1) * bitStride + 1 + j] = r * width + j * 32 + 31;

  // biome-ignore lint/complexity/noExcessiveLinesPerFunction: one pass down each column of words, inlined for XS
  function refine(luma: Uint8Array, background: Uint16Array, gainQ8: number): number {
    // The loops' temporaries, declared once: a block-scoped const costs XS a scope per iteration.
    let k = 0,
      end = 0,
      end4 = 0,
      last = 0,
      c = 0,
      pred = 0,
      m = 0,
      j = 0,
      R = 0,
      U = 0,
      D = 0,
      L = 0,
      T = 0,
      kept = 0,
      three = 0,
      edge = 0,
      F = 0,
      b = 0,
      d = 0,
      limit = 0,
      v = 0,
      left = false,
      right = false;
    // Only the rows that can have a cell are written below.
    bits.fill(0);
    // Column of words by column, down the rows, so each word is read once as the row below, this row and the row
    // above.
    for (; j < rowWords; j++) {
      k = bitStride + 1 + j;
      end = k + height * bitStride;
      end4 = end - down3; // so that k + down4 <= end
      left = j > 0;
      right = j < rowWords - 1;
      U = 0;
      R = raw[k];
      for (;;) {
        D = raw[k + bitStride];
        // A row with no raw cell keeps none and fills only gaps down (U & D). Without those, it is empty, and so
        // are the rows after it while their raw words are (each has an empty row above): skipped four at a time
        // while they can be, then one at a time, a read a row.
        if (R === 0 && (U & D) === 0) {
          U = 0;
          R = D;
          k += bitStride;
          if (R === 0) {
            while (k < end4 && (raw[k + bitStride] | raw[k + down2] | raw[k + down3] | raw[k + down4]) === 0)
              k += down4;
            while (R === 0 && k < end) R = raw[(k += bitStride)];
          }
          if (k >= end) break;
          continue;
        }
        // Each cell's left (L) and right (T) neighbours, across word boundaries (none past the row's ends).
        L = left ? (R << 1) | (raw[k - 1] >>> 31) : R << 1;
        T = right ? (R >>> 1) | (raw[k + 1] << 31) : R >>> 1;
        kept = R & (L | T | U | D) & ~drop[k];
        // At least three of the four neighbours: kept as they are.
        three = (L & T & (U | D)) | (U & D & (L | T));
        edge = kept & ~three;
        // Gaps: a cell between two raw cells across, or (when not also across) down.
        F = (kept & three) | (~R & ((L & T) | (U & D)));
        // An edge or corner cell (one or two foreground neighbours) is dropped only when every foreground
        // neighbour says it is clipped: the residual the cell would have if covered like that neighbour has the
        // same sign and is over 256/COVERAGE_Q8 times larger. A weaker neighbour, or one of opposite sign
        // (another part of the object), keeps it. `limit` is that residual's bound plus the prediction, so a
        // neighbour's luma is compared with it directly (exact: the bound's fraction is a multiple of
        // 1/COVERAGE_Q8).
        if (edge !== 0) {
          last = lastCell[k];
          do {
            b = edge & -edge;
            edge ^= b;
            c = last - clz32(b);
            pred = (background[c] * gainQ8) >> 16;
            d = luma[c] - pred;
            limit = pred + (d * 256) / COVERAGE_Q8;
            if (
              d > 0
                ? (L & b && luma[c - 1] <= limit) ||
                  (T & b && luma[c + 1] <= limit) ||
                  (U & b && luma[c - width] <= limit) ||
                  (D & b && luma[c + width] <= limit)
                : (L & b && luma[c - 1] >= limit) ||
                  (T & b && luma[c + 1] >= limit) ||
                  (U & b && luma[c - width] >= limit) ||
                  (D & b && luma[c + width] >= limit)
            )
              F |= b;
          } while (edge !== 0);
        }
        if (F !== 0) {
          bits[k] = F;
          // Population count of F: bits summed in pairs, fours, then bytes; the bytes' sum is the word modulo 255
          // (256 is 1 modulo 255), as it is at most 32.
          v = F - ((F >>> 1) & 0x55555555);
          v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
          m += ((v + (v >>> 4)) & 0x0f0f0f0f) % 255;
        }
        k += bitStride;
        if (k >= end) break;
        U = R;
        R = D;
      }
    }
    return m;
  }

  const refiner: Refiner = {
    raw,
    drop,
    bits,
    refine,
    swapRaw(next) {
      const old = raw;
      raw = next;
      refiner.raw = next;
      return old;
    },
  };
  return refiner;
}

/** Writes the cells set in `bits` (grid.ts's bit rows) to `cells` as thumbnail indices, in raster order; returns their count. */
export function listCells(g: Grid, bits: Int32Array, cells: Int32Array): number {
  const { width, height, rowWords, bitStride } = g;
  let m = 0,
    F = 0,
    b = 0;
  for (let r = 0; r < height; r++) {
    for (let j = 0; j < rowWords; j++) {
      F = bits[(r + 1) * bitStride + 1 + j];
      while (F !== 0) {
        b = F & -F;
        F ^= b;
        cells[m++] = r * width + j * 32 + 31 - Math.clz32(b);
      }
    }
  }
  return m;
}
