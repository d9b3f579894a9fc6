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

/**
 * Quarter luma from a block's DC mean and its first AC coefficients (T.81 A.3.3 IDCT): the mean of
 * cos((2x + 1)π/16) over half a block is 0.6407, times C(1)/4 = 1/(4√2), so a half differs from the block mean
 * by 0.1133 x the coefficient, x 2^-10 here: 116 / 1024.
 */
export const HALF_BLOCK_Q10 = 116;
/**
 * With gradients, a quarter of a foreground cell is motion when its own residual (the cell's, plus the change of
 * its half-block balances against their background) exceeds the cell's threshold x GRADIENT_THRESHOLD_Q4 / 16.
 * Chosen on the tuning part of the highway sequence (docs/motion.md).
 */
export const GRADIENT_THRESHOLD_Q4 = 20;

/** The background of each cell's two first AC coefficients, x 16, learnt where the cell is background. */
export interface GradientModel {
  /** 2 per cell: horizontal, vertical. */
  readonly background: Int32Array;
  /** Frames learnt since the last reset (0: the next frame sets the background). */
  learnt: number;
}

export function createGradientModel(cells: number): GradientModel {
  return { background: new Int32Array(2 * cells), learnt: 0 };
}

/**
 * Learns this frame's `gradients` into the model where the bit rows `foreground` (grid.ts) have no motion, with weight
 * 1/2^shift; everywhere on the first frame after a reset.
 */
export function learnGradients(
  model: GradientModel,
  g: Grid,
  gradients: Int16Array,
  foreground: Int32Array,
  shift: number,
): void {
  const bg = model.background;
  const { width, height, bitStride } = g;
  const first = model.learnt === 0;
  model.learnt++;
  let c = 0;
  for (let y = 0; y < height; y++) {
    const row = (y + 1) * bitStride + 1;
    for (let x = 0; x < width; x++, c++) {
      if (!first && (foreground[row + (x >> 5)] & (1 << x)) !== 0) continue;
      const h = gradients[2 * c] << 4,
        v = gradients[2 * c + 1] << 4;
      if (first) {
        bg[2 * c] = h;
        bg[2 * c + 1] = v;
      } else {
        bg[2 * c] += (h - bg[2 * c]) >> shift;
        bg[2 * c + 1] += (v - bg[2 * c + 1]) >> shift;
      }
    }
  }
}

/**
 * Scales the gradient background by a lighting change's slope (x 256), as the luma background is rebased. Nothing
 * to scale before the first gradients are learnt: that learning sets every cell.
 */
export function retoneGradients(model: GradientModel, slopeQ8: number): void {
  if (model.learnt === 0) return;
  const bg = model.background;
  const n = bg.length;
  for (let i = 0; i < n; i++) bg[i] = (bg[i] * slopeQ8) >> 8;
}

/**
 * The half-cell map from gradients: each quarter of a foreground cell gets its own residual, the cell's plus the
 * change of the block's left/right and top/bottom balance against the background's (both x gain), and is motion
 * above threshold x GRADIENT_THRESHOLD_Q4 / 16. Then, on the half-cell grid, a quarter between two motion
 * quarters (across or down) inside a foreground cell is filled, and a motion quarter with no motion neighbour
 * is dropped.
 */
export function gradientSubCellMap(
  g: Grid,
  cells: Int32Array,
  n: number,
  luma: Uint8Array,
  background: Uint16Array,
  gainQ8: number,
  threshold: Uint8Array,
  gradients: Int16Array,
  model: GradientModel,
  out: Uint8Array,
  scratch: Uint8Array,
): Uint8Array {
  out.fill(0);
  scratch.fill(0);
  const width = g.width,
    ow = width * 2,
    oh = g.height * 2;
  const bg = model.background;
  for (let i = 0; i < n; i++) {
    const c = cells[i];
    const x = c % width,
      y = (c / width) | 0;
    const r = luma[c] - ((background[c] * gainQ8) >> 16);
    // gradient changes x 1024 (the Q4 background x gain/256 x 16 ... brought to the same scale)
    const dh = ((gradients[2 * c] << 4) - ((bg[2 * c] * gainQ8) >> 8)) * HALF_BLOCK_Q10,
      dv = ((gradients[2 * c + 1] << 4) - ((bg[2 * c + 1] * gainQ8) >> 8)) * HALF_BLOCK_Q10;
    const t = (threshold[c] * GRADIENT_THRESHOLD_Q4) << 10; // x 16 (Q4) x 16 (gradients) x 1024 / 16
    const base = r << 14; // x 16 x 1024
    const o = 2 * y * ow + 2 * x;
    scratch[o] = scratch[o + 1] = scratch[o + ow] = scratch[o + ow + 1] = 1;
    let q = base + dh + dv;
    if (q > t || -q > t) out[o] = 1;
    q = base - dh + dv;
    if (q > t || -q > t) out[o + 1] = 1;
    q = base + dh - dv;
    if (q > t || -q > t) out[o + ow] = 1;
    q = base - dh - dv;
    if (q > t || -q > t) out[o + ow + 1] = 1;
  }
  // Fill one-quarter gaps inside foreground cells, and drop isolated quarters (scratch: foreground, then a copy).
  for (let i = 0; i < ow * oh; i++) {
    if (out[i] !== 0 || scratch[i] === 0) {
      scratch[i] = out[i] !== 0 ? 2 : 0;
      continue;
    }
    const qx = i % ow,
      qy = (i / ow) | 0;
    const across = qx > 0 && qx < ow - 1 && out[i - 1] !== 0 && out[i + 1] !== 0;
    const down = qy > 0 && qy < oh - 1 && out[i - ow] !== 0 && out[i + ow] !== 0;
    scratch[i] = across || down ? 3 : 0;
  }
  for (let i = 0; i < ow * oh; i++) {
    const s = scratch[i];
    if (s === 0) continue;
    if (s === 3) {
      out[i] = 1;
      continue;
    }
    const qx = i % ow,
      qy = (i / ow) | 0;
    const around =
      (qx > 0 && out[i - 1] !== 0 ? 1 : 0) +
      (qx < ow - 1 && out[i + 1] !== 0 ? 1 : 0) +
      (qy > 0 && out[i - ow] !== 0 ? 1 : 0) +
      (qy < oh - 1 && out[i + ow] !== 0 ? 1 : 0);
    if (around === 0) scratch[i] = 4; // dropped below, once every neighbour was looked at
  }
  for (let i = 0; i < ow * oh; i++) if (scratch[i] === 4) out[i] = 0;
  return out;
}
