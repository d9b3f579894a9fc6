// SPDX-License-Identifier: MIT
// Robust global gain: the median of current/background luma over sampled background cells, as log2
// ratios in 1/64 octave steps (+-2 octaves). A lamp, an exposure step or an IR switch scales the whole
// scene; comparing against gain x background cancels that part, and a large or sudden gain flags an
// illumination event. The median is taken with the engine's native sort, which XS meters as one call
// whatever the length: the sample loop's bytecodes are the cost, so it does no more than fetch and look up.

/** Log steps per octave of gain. */
export const GAIN_BINS_PER_OCTAVE = 64;
/** The step of gain 1; steps run 0..255, gains 1/4..4. */
export const UNITY_GAIN_BIN = 128;
/** Background cells darker than this are left out: their ratio is mostly noise. */
export const MIN_GAIN_LUMA = 16;
/** Sorts after every real sample. */
const UNUSED = 32767;
/** A sample that does not count (out of band, or foreground last frame) gets at least this: it sorts last. */
const LEFT_OUT = 4096;
/** Counted ratios lie within +-512 steps (8 octaves, luma 1..255); anything at or above this was left out. */
const COUNTED_BELOW = 1024;

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
   * last frame (their bit in `skip` is 0). -1 with fewer than `minSamples`, or none. `background` is in 8.8 fixed
   * point. With `low`/`high`, only samples whose background lies in [low, high) count: the gain of one brightness
   * band.
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
  // The log table, fetched with the first band: the module builds it on first use.
  let log: Int16Array | undefined;
  // The background's log step within the band [bandLow, bandHigh), -LEFT_OUT outside it: the band test
  // folded into the lookup the ratio needs anyway.
  const bandLogs = new Int16Array(256);
  let bandLow = -1,
    bandHigh = -1,
    // values[written..] hold UNUSED.
    written = 0;
  return {
    estimate(luma, background, skip, samples, sampleWords, sampleBits, minSamples, low = MIN_GAIN_LUMA, high = 256) {
      if (low !== bandLow || high !== bandHigh) {
        bandLow = low;
        bandHigh = high;
        low = low < 0 ? 0 : low > 256 ? 256 : low;
        high = high < low ? low : high > 256 ? 256 : high;
        log = logs();
        bandLogs.set(log);
        bandLogs.fill(-LEFT_OUT, 0, low);
        bandLogs.fill(-LEFT_OUT, high);
      }
      const count = samples.length;
      if (count < written) values.fill(UNUSED, count, written);
      written = count;
      if (count === 0) return -1;
      // Every sample gets a value, so the loop keeps no count and tests no band (bandLogs did): what does not
      // count sorts last, and a binary search after the sort finds how many did.
      let i = 0;
      do {
        values[i] =
          skip[sampleWords[i]] & sampleBits[i]
            ? LEFT_OUT
            : log![luma[samples[i]]] - bandLogs[background[samples[i]] >> 8];
      } while (++i < count);
      values.sort();
      let n = 0,
        above = count,
        middle = 0;
      while (n < above) {
        middle = (n + above) >> 1;
        if (values[middle] < COUNTED_BELOW) n = middle + 1;
        else above = middle;
      }
      if (n === 0 || n < minSamples) return -1;
      const median = values[n >> 1] + UNITY_GAIN_BIN;
      return median < 0 ? 0 : median > 255 ? 255 : median;
    },
  };
}
