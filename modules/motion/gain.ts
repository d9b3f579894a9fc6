// SPDX-License-Identifier: MIT
// Robust global gain: the median of current/background luma over sampled background cells, as log2
// ratios in 1/64 octave steps (+-2 octaves). A lamp, an exposure step or an IR switch scales the whole
// scene; comparing against gain x background cancels that part, and a large or sudden gain flags an
// illumination event. The median is taken with the engine's native sort.

/** Log steps per octave of gain. */
export const GAIN_BINS_PER_OCTAVE = 64;
/** The step of gain 1; steps run 0..255, gains 1/4..4. */
export const UNITY_GAIN_BIN = 128;
/** Background cells darker than this are left out: their ratio is mostly noise. */
export const MIN_GAIN_LUMA = 16;
/** Sorts after every real sample. */
const UNUSED = 32767;

let logTable: Int16Array | undefined;
let gainTable: Uint16Array | undefined;

/** round(64 * log2(v)) for v = 0..255 (0 counts as 1). Built on first use, so the module preloads. */
function logs(): Int16Array {
  if (!logTable) {
    logTable = new Int16Array(256);
    for (let v = 0; v < 256; v++) logTable[v] = Math.round(GAIN_BINS_PER_OCTAVE * Math.log2(Math.max(v, 1)));
  }
  return logTable;
}

/** The gain of a step, x 256: round(256 * 2^((bin - 128) / 64)). */
export function gainOfBin(bin: number): number {
  if (!gainTable) {
    gainTable = new Uint16Array(256);
    for (let b = 0; b < 256; b++) gainTable[b] = Math.round(256 * 2 ** ((b - UNITY_GAIN_BIN) / GAIN_BINS_PER_OCTAVE));
  }
  return gainTable[bin];
}

export interface GainEstimator {
  /**
   * The median log-ratio step over the samples (thumbnail index `samples[i]`, bit `sampleBits[i]` of word
   * `sampleWords[i]` in grid.ts's bit rows) whose background is at least MIN_GAIN_LUMA and that were not foreground
   * last frame (their bit in `skip` is 0). -1 with fewer than `minSamples`. `background` is in 8.8 fixed point. With `low`/`high`,
   * only samples whose background lies in [low, high) count: the gain of one brightness band.
   */
  estimate(
    luma: Uint8Array,
    background: Uint16Array,
    skip: Int32Array,
    samples: Int32Array,
    sampleWords: Int32Array,
    sampleBits: Int32Array,
    minSamples: number,
    low?: number,
    high?: number,
  ): number;
}

export function createGainEstimator(maxSamples: number): GainEstimator {
  const values = new Int16Array(maxSamples);
  return {
    estimate(luma, background, skip, samples, sampleWords, sampleBits, minSamples, low = MIN_GAIN_LUMA, high = 256) {
      const log = logs();
      const count = samples.length;
      values.fill(UNUSED);
      // Temporaries declared once: a block-scoped const costs XS a scope per iteration.
      let n = 0,
        i = 0,
        c = 0,
        b = 0;
      for (; i < count; i++) {
        if ((skip[sampleWords[i]] & sampleBits[i]) !== 0) continue;
        c = samples[i];
        b = background[c] >> 8;
        if (b >= low && b < high) values[n++] = log[luma[c]] - log[b];
      }
      if (n < minSamples) return -1;
      values.sort();
      const median = values[n >> 1] + UNITY_GAIN_BIN;
      return median < 0 ? 0 : median > 255 ? 255 : median;
    },
  };
}
