// SPDX-License-Identifier: MIT
// CDnet scoring of cell decisions: each thumbnail cell's decision is copied to its 8x8 pixels and compared
// with the pixel ground truth, inside the ROI and the temporal ROI only. Labels 85 (outside ROI) and 170
// (unknown) are ignored; 50 (shadow) counts as static. A frame is positive when at least 0.5 % of its
// scored pixels are 255 (ground truth) or detected (decisions).

/** The share of a frame's scored pixels that makes it a positive frame. */
export const FRAME_POSITIVE_SHARE = 0.005;

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  f: number;
}

export interface CdnetScorer {
  /**
   * Scores one frame: `cells` is the decision per thumbnail cell (gridWidth x gridHeight, nonzero = motion),
   * `labels` the ground truth (width x height), `roi` 1 where scored (undefined: everywhere).
   */
  add(
    cells: Uint8Array,
    gridWidth: number,
    labels: Uint8Array,
    width: number,
    height: number,
    roi: Uint8Array | undefined,
    cellShift?: number,
  ): { truth: boolean; detected: boolean };
  readonly pixel: Counts;
  readonly frame: Counts;
}

function counts(tp: number, fp: number, fn: number, tn: number): Counts {
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return {
    tp,
    fp,
    fn,
    tn,
    precision,
    recall,
    f: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
  };
}

export function createCdnetScorer(): CdnetScorer {
  const p = { tp: 0, fp: 0, fn: 0, tn: 0 };
  const f = { tp: 0, fp: 0, fn: 0, tn: 0 };
  return {
    add(cells, gridWidth, labels, width, height, roi, cellShift = 3) {
      let scored = 0,
        truthPixels = 0,
        detectedPixels = 0;
      for (let y = 0; y < height; y++) {
        const cellRow = (y >> cellShift) * gridWidth;
        for (let x = 0; x < width; x++) {
          const i = y * width + x;
          if (roi && !roi[i]) continue;
          const label = labels[i];
          if (label === 85 || label === 170) continue;
          scored++;
          const motion = label === 255;
          const detected = cells[cellRow + (x >> cellShift)] !== 0;
          if (motion) truthPixels++;
          if (detected) detectedPixels++;
          if (motion && detected) p.tp++;
          else if (detected) p.fp++;
          else if (motion) p.fn++;
          else p.tn++;
        }
      }
      const truth = scored > 0 && truthPixels >= FRAME_POSITIVE_SHARE * scored;
      const detected = scored > 0 && detectedPixels >= FRAME_POSITIVE_SHARE * scored;
      if (truth && detected) f.tp++;
      else if (detected) f.fp++;
      else if (truth) f.fn++;
      else f.tn++;
      return { truth, detected };
    },
    get pixel() {
      return counts(p.tp, p.fp, p.fn, p.tn);
    },
    get frame() {
      return counts(f.tp, f.fp, f.fn, f.tn);
    },
  };
}
