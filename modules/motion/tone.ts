// SPDX-License-Identifier: MIT
// A lighting change as a straight line from background luma to frame luma, fitted robustly on sampled cells
// that were background in the previous frame: the median of the darker half against the median of the brighter
// half. A gain (a lamp, an exposure step or ramp) is a line through 0; an IR-cut switch to night mode, which
// flattens the picture, is a line with a slope under 1 and an offset. Only run when the light changes.

/** A fitted line: frame = slopeQ8 / 256 x background + offset, luma in grey levels. */
export interface ToneLine {
  slopeQ8: number;
  offset: number;
}

/** The two halves' medians must be at least this far apart (grey levels) for a slope; else a gain alone. */
const MIN_SPREAD = 24;
/** Slopes are kept in [1/4, 4]. */
const MIN_SLOPE_Q8 = 64;
const MAX_SLOPE_Q8 = 1024;

export interface ToneFitter {
  /**
   * Fits frame luma against background luma (`background` 8.8) over the samples (`samples[i]` thumbnail index,
   * at bit `sampleBits[i]` of word `sampleWords[i]` in grid.ts's bit rows) that are not set in `skip` and whose
   * background and luma are inside (CLIP_LOW, CLIP_HIGH) in both, so clipped cells cannot bend the line. Falls
   * back to a gain through 0 from `gainQ8` with too few samples or too little spread. Writes into `out` and returns it.
   */
  fit(
    luma: Uint8Array,
    background: Uint16Array,
    skip: Int32Array,
    samples: Int32Array,
    sampleWords: Int32Array,
    sampleBits: Int32Array,
    gainQ8: number,
    out: ToneLine,
  ): ToneLine;
}

/** Luma at or beyond these is clipped by the sensor and left out of the fit. */
export const CLIP_LOW = 6;
export const CLIP_HIGH = 249;

export function createToneFitter(maxSamples: number): ToneFitter {
  const keys = new Int32Array(maxSamples);
  const half = new Int32Array(maxSamples);
  return {
    fit(luma, background, skip, samples, sampleWords, sampleBits, gainQ8, out) {
      let n = 0;
      for (let i = 0; i < samples.length; i++) {
        const c = samples[i];
        const b = background[c] >> 8,
          l = luma[c];
        if (
          (skip[sampleWords[i]] & sampleBits[i]) !== 0 ||
          b <= CLIP_LOW ||
          b >= CLIP_HIGH ||
          l <= CLIP_LOW ||
          l >= CLIP_HIGH
        )
          continue;
        keys[n++] = (b << 8) | l;
      }
      out.slopeQ8 = gainQ8;
      out.offset = 0;
      if (n < 8) return out;
      const sorted = keys.subarray(0, n).sort();
      const mid = n >> 1;
      const bLow = sorted[mid >> 1] >> 8,
        bHigh = sorted[mid + ((n - mid) >> 1)] >> 8;
      if (bHigh - bLow < MIN_SPREAD) return out;
      const lLow = medianLuma(sorted, 0, mid, half),
        lHigh = medianLuma(sorted, mid, n, half);
      let slope = Math.round(((lHigh - lLow) * 256) / (bHigh - bLow));
      slope = slope < MIN_SLOPE_Q8 ? MIN_SLOPE_Q8 : slope > MAX_SLOPE_Q8 ? MAX_SLOPE_Q8 : slope;
      out.slopeQ8 = slope;
      out.offset = Math.round((lLow + lHigh - ((bLow + bHigh) * slope) / 256) / 2);
      return out;
    },
  };
}

/** The median luma (low byte) of `sorted[from..to)`, sorted through `scratch`. */
function medianLuma(sorted: Int32Array, from: number, to: number, scratch: Int32Array): number {
  const n = to - from;
  for (let i = 0; i < n; i++) scratch[i] = sorted[from + i] & 255;
  return scratch.subarray(0, n).sort()[n >> 1];
}
