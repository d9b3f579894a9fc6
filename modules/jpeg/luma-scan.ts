// SPDX-License-Identifier: MIT
// The hot loop: entropy-decodes one scan (T.81 §F.2.2) that holds the luma component, keeping only the
// DC of each visible luma block, scaled as libjpeg-turbo's 1/8 "IDCT" does. AC codes are skipped, not
// stored. Reads never pass `data.length`; bits past the end of a segment are counted and refused.
import {
  END_OF_BLOCK,
  extend,
  LOOK_BITS,
  MULTI_BITS,
  MULTI_UNBUILT,
  multiEntry,
  type HuffmanTables,
} from "./huffman-tables.js";
import { JpegError } from "./jpeg-error.js";

/** At most this many blocks in one MCU (T.81 §B.2.3; libjpeg's D_MAX_BLOCKS_IN_MCU). */
export const MAX_BLOCKS_IN_MCU = 10;

/** What the marker parser works out for one scan; every array has MAX_BLOCKS_IN_MCU entries. */
export interface ScanPlan {
  /** MCUs per row and rows of MCUs (T.81 §A.2). */
  mcusX: number;
  mcusY: number;
  blocksInMcu: number;
  /** Per block of the MCU: DC slot (0..3), AC slot (4..7), predictor index (scan component, 0..3). */
  readonly dcSlot: Int32Array;
  readonly acSlot: Int32Array;
  readonly predictor: Int32Array;
  /** Per block: its column and row inside the MCU, in luma blocks, or -1 for a chroma block. */
  readonly lumaX: Int32Array;
  readonly lumaY: Int32Array;
  /** Luma blocks per MCU across and down (the luma sampling factors, or 1 in a non-interleaved scan). */
  lumaPerMcuX: number;
  lumaPerMcuY: number;
  /** MCUs per restart interval (DRI, T.81 §B.2.4.4); 0 for none. */
  restartInterval: number;
  /** Luma quantizer for the DC coefficient (Q0 of its DQT table). */
  q0: number;
  /** Luma quantizers of the first horizontal and vertical AC coefficients (zigzag 1 and 2), for `gradients`. */
  q1: number;
  q2: number;
  /** Scratch for the scan: the DC predictions, and the bit reader's state for the slow-path refill. */
  readonly pred: Int32Array;
  readonly state: Int32Array;
}

export function createScanPlan(): ScanPlan {
  return {
    mcusX: 0,
    mcusY: 0,
    blocksInMcu: 0,
    dcSlot: new Int32Array(MAX_BLOCKS_IN_MCU),
    acSlot: new Int32Array(MAX_BLOCKS_IN_MCU),
    predictor: new Int32Array(MAX_BLOCKS_IN_MCU),
    lumaX: new Int32Array(MAX_BLOCKS_IN_MCU),
    lumaY: new Int32Array(MAX_BLOCKS_IN_MCU),
    lumaPerMcuX: 1,
    lumaPerMcuY: 1,
    restartInterval: 0,
    q0: 1,
    q1: 1,
    q2: 1,
    pred: new Int32Array(4),
    state: new Int32Array(STATE_SIZE),
  };
}

/**
 * The 1/8-scale output sample of libjpeg-turbo's jpeg_idct_1x1 (jidctred.c): DESCALE(DC * Q0, 3) + 128
 * through the post-IDCT range-limit table (jdmaster.c), which clamps to 0..255 and wraps mod 1024.
 */
export function dcSample(dc: number, q0: number): number {
  // JCOEF is 16 bits: the coefficient is truncated as libjpeg stores it, the predictor is not.
  const x = ((((dc << 16) >> 16) * q0 + 4) >> 3) & 1023;
  return x < 128 ? x + 128 : x < 512 ? 255 : x < 896 ? 0 : x - 896;
}

/**
 * Decodes the scan whose entropy-coded data starts at `start` into `out` (`outWidth` x `outHeight`,
 * row-major). Returns the offset of the marker that ends the scan. Throws JpegError on a bad code, a
 * wrong restart marker (T.81 §B.2.1, RSTm in sequence) or data that ends too early.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: inlined hot loop, measured in BENCHMARKS.md motion.tsDecodeFps
export function decodeLumaScan(
  data: Uint8Array,
  start: number,
  plan: ScanPlan,
  t: HuffmanTables,
  out: Uint8Array,
  outWidth: number,
  outHeight: number,
  gradients?: Int16Array,
): number {
  // Hot state lives in locals that no closure captures, so the engine can keep it in registers; the rare steps
  // (a 0xFF byte near, a code the fast tables do not hold) are calls that pass it through `state`.
  // The table widths as literal locals: constants to the compiler, where module bindings are loaded and checked.
  const LOOK_BITS_ = 10,
    LOOK_MASK_ = 0x3ff,
    MULTI_BITS_ = 14,
    MULTI_MASK_ = 0x3fff;
  const end = data.length;
  const fast = t.fast,
    multi = t.multi;
  const {
    mcusX,
    mcusY,
    blocksInMcu,
    dcSlot,
    acSlot,
    predictor,
    lumaX,
    lumaY,
    lumaPerMcuX,
    lumaPerMcuY,
    restartInterval,
    q0,
    q1,
    q2,
  } = plan;
  const { pred, state } = plan;
  pred.fill(0);
  let pos = start;
  let acc = 0; // bit buffer; the low `nbits` bits are unread, oldest first
  let nbits = 0;
  // Zero bits appended past a marker or the end of the data, which valid data never reaches: once the
  // buffer holds fewer bits than that, they are being decoded, and the next refill refuses the data.
  let phantom = 0;
  let todo = restartInterval;
  let nextRst = 0;

  for (let my = 0; my < mcusY; my++) {
    for (let mx = 0; mx < mcusX; mx++) {
      if (restartInterval !== 0) {
        if (todo === 0) {
          pos = skipRestartMarker(data, pos, nextRst, nbits < phantom);
          nextRst = (nextRst + 1) & 7;
          acc = nbits = phantom = 0;
          pred.fill(0);
          todo = restartInterval;
        }
        todo--;
      }
      for (let b = 0; b < blocksInMcu; b++) {
        // ---- DC difference (T.81 §F.2.2.1) ----
        // Two bytes at once when neither is 0xFF (the usual case) and the buffer has room, without a branch on
        // nbits (data-dependent, so the CPU mispredicts it): 16 bits in when nbits < 16, else none. Then a
        // fast-table lookup; anything else is `dcStep`, which repeats the refill (a no-op by then) and decodes.
        let diff = 0;
        let entry = 0;
        const dcBase = dcSlot[b] << LOOK_BITS_;
        if (pos + 1 < end) {
          const d0 = data[pos],
            d1 = data[pos + 1];
          if ((((d0 + 1) | (d1 + 1)) & 0x100) === 0) {
            const bits = ((nbits - 16) >> 31) & 16;
            acc = (acc << bits) | (((d0 << 8) | d1) >>> (16 - bits));
            pos = (pos + (bits >> 3)) | 0;
            nbits = (nbits + bits) | 0;
            entry = fast[(dcBase + ((acc >>> (nbits - LOOK_BITS_)) & LOOK_MASK_)) | 0];
          }
        }
        if (entry !== 0) {
          nbits = (nbits - (entry & 31)) | 0;
          diff = entry >> 5;
        } else {
          state[0] = acc;
          state[1] = nbits;
          state[2] = pos;
          state[3] = phantom;
          diff = dcStep(data, t, dcSlot[b], state) | 0;
          acc = state[0];
          nbits = state[1];
          pos = state[2];
          phantom = state[3];
        }
        const p = predictor[b];
        const dc = (pred[p] = (pred[p] + diff) | 0);
        const lx = lumaX[b];
        if (lx >= 0) {
          const x = mx * lumaPerMcuX + lx;
          const y = my * lumaPerMcuY + lumaY[b];
          if (x < outWidth && y < outHeight) out[y * outWidth + x] = dcSample(dc, q0);
        }
        // ---- AC codes, skipped (T.81 §F.2.2.2) ----
        const slot = acSlot[b];
        let k = 1;
        if (gradients !== undefined && lx >= 0) {
          // The first horizontal and vertical AC coefficients (zigzag 1 and 2), dequantized, when asked for.
          state[0] = acc;
          state[1] = nbits;
          state[2] = pos;
          state[3] = phantom;
          const x = mx * lumaPerMcuX + lx;
          const y = my * lumaPerMcuY + lumaY[b];
          const at = x < outWidth && y < outHeight ? 2 * (y * outWidth + x) : -1;
          k = firstAc(data, t, slot, state, at, gradients, q1, q2) | 0;
          acc = state[0];
          nbits = state[1];
          pos = state[2];
          phantom = state[3];
        }
        const multiBase = (slot - 4) << MULTI_BITS_;
        while (k < 64) {
          // The usual step, in a loop with no calls (so the engine keeps its state in registers): a two-byte
          // refill as above, then whole codes skipped by one multi-code lookup. Anything else (a 0xFF byte near,
          // an entry not built yet or too long for the block) is one full step of `acStep`.
          if (pos + 1 < end) {
            const d0 = data[pos],
              d1 = data[pos + 1];
            if ((((d0 + 1) | (d1 + 1)) & 0x100) === 0) {
              const bits = ((nbits - 16) >> 31) & 16;
              acc = (acc << bits) | (((d0 << 8) | d1) >>> (16 - bits));
              pos = (pos + (bits >> 3)) | 0;
              nbits = (nbits + bits) | 0;
              entry = multi[(multiBase + ((acc >>> (nbits - MULTI_BITS_)) & MULTI_MASK_)) | 0];
              // Unbuilt entries and those where no code fits have a guard of 63: never taken here (k >= 1).
              if (k + (entry >> 10) < 64) {
                nbits = (nbits - (entry & 15)) | 0;
                k = (k + ((entry >> 4) & 63) + 1) | 0;
                continue;
              }
            }
          }
          state[0] = acc;
          state[1] = nbits;
          state[2] = pos;
          state[3] = phantom;
          k = acStep(data, t, slot, state, k) | 0;
          acc = state[0];
          nbits = state[1];
          pos = state[2];
          phantom = state[3];
        }
      }
    }
  }
  return scanEnd(data, pos, nbits < phantom);
}

/**
 * The bit reader's refill in full (the scan loop's, with 0xFF handling): two bytes at once when neither is 0xFF,
 * else byte by byte to at least 25 bits when fewer than 16 are left; `state` as for `refill`.
 */
function refillStep(data: Uint8Array, state: Int32Array): void {
  const pos = state[2],
    nbits = state[1];
  if (pos + 1 < data.length && data[pos] !== 0xff && data[pos + 1] !== 0xff) {
    const bits = ((nbits - 16) >> 31) & 16;
    state[0] = (state[0] << bits) | (((data[pos] << 8) | data[pos + 1]) >>> (16 - bits));
    state[2] = pos + (bits >> 3);
    state[1] = nbits + bits;
  } else if (nbits < 16) refill(data, state);
}

/** One DC difference in full (T.81 §F.2.2.1), any code length; `state` as for `refill`. Returns the difference. */
function dcStep(data: Uint8Array, t: HuffmanTables, slot: number, state: Int32Array): number {
  refillStep(data, state);
  const acc = state[0];
  let nbits = state[1];
  const index = (acc >>> (nbits - LOOK_BITS)) & LOOK_MASK;
  const entry = t.fast[(slot << LOOK_BITS) + index];
  if (entry !== 0) {
    state[1] = nbits - (entry & 31);
    return entry >> 5;
  }
  const code = slowSymbol(t, slot, index, acc, nbits);
  if (code < 0) throw new JpegError("corrupt", "bad Huffman code in entropy-coded data", state[2]);
  nbits -= code >> 8;
  state[1] = nbits;
  const size = code & 15;
  if (size === 0) return 0;
  if (nbits < size) refill(data, state);
  const v = (state[0] >>> (state[1] - size)) & ((1 << size) - 1);
  state[1] -= size;
  return extend(v, size);
}

/**
 * One AC step in full (T.81 §F.2.2.2) at coefficient `k`: a multi-code lookup when its entry may be used, else
 * one code of any length. `state` as for `refill`. Returns the next k (END_OF_BLOCK or more once the block ends).
 */
function acStep(data: Uint8Array, t: HuffmanTables, slot: number, state: Int32Array, k: number): number {
  refillStep(data, state);
  const acc = state[0];
  let nbits = state[1];
  const wide = (acc >>> (nbits - MULTI_BITS)) & MULTI_MASK;
  let entry = t.multi[((slot - 4) << MULTI_BITS) + wide];
  if (entry === MULTI_UNBUILT) entry = multiEntry(t, slot, wide);
  if (k + (entry >> 10) < 64) {
    state[1] = nbits - (entry & 15);
    return k + ((entry >> 4) & 63) + 1;
  }
  const index = wide >>> (MULTI_BITS - LOOK_BITS);
  entry = t.fast[(slot << LOOK_BITS) + index];
  if (entry !== 0) {
    state[1] = nbits - (entry & 31);
    return k + (entry >> 5);
  }
  const rs = slowSymbol(t, slot, index, acc, nbits);
  if (rs < 0) throw new JpegError("corrupt", "bad Huffman code in entropy-coded data", state[2]);
  nbits -= rs >> 8;
  state[1] = nbits;
  const size = rs & 15;
  if (size !== 0) {
    if (nbits < size) refill(data, state);
    state[1] -= size;
    return k + ((rs >> 4) & 15) + 1;
  }
  return ((rs >> 4) & 15) === 15 ? k + 16 : END_OF_BLOCK;
}

/**
 * Decodes a luma block's AC codes up to coefficient 2 (T.81 §F.2.2.2, values with EXTEND): writes the
 * dequantized zigzag 1 (horizontal) and 2 (vertical) coefficients at gradients[at], gradients[at + 1] (unless
 * `at` < 0: a block outside the picture), and returns the next k for the skipping loop (64 after an EOB).
 */
function firstAc(
  data: Uint8Array,
  t: HuffmanTables,
  slot: number,
  state: Int32Array,
  at: number,
  gradients: Int16Array,
  q1: number,
  q2: number,
): number {
  let h = 0,
    v = 0,
    k = 1;
  while (k <= 2) {
    if (state[1] < 16) refill(data, state);
    const acc = state[0];
    let nbits = state[1];
    const rs = slowSymbol(t, slot, (acc >>> (nbits - LOOK_BITS)) & LOOK_MASK, acc, nbits);
    if (rs < 0) throw new JpegError("corrupt", "bad Huffman code in entropy-coded data", state[2]);
    nbits -= rs >> 8;
    const size = rs & 15,
      run = (rs >> 4) & 15;
    if (size === 0) {
      state[1] = nbits;
      if (run === 15) {
        k += 16;
        continue;
      }
      k = END_OF_BLOCK;
      break;
    }
    state[1] = nbits;
    if (nbits < size) refill(data, state);
    const value = extend((state[0] >>> (state[1] - size)) & ((1 << size) - 1), size);
    state[1] -= size;
    k += run;
    if (k === 1) h = value;
    else if (k === 2) v = value;
    k++;
  }
  if (at >= 0) {
    gradients[at] = clamp16(h * q1);
    gradients[at + 1] = clamp16(v * q2);
  }
  return k;
}

function clamp16(v: number): number {
  return v < -32768 ? -32768 : v > 32767 ? 32767 : v;
}

/**
 * T.81 §F.2.1.3.1: at the end of a restart interval, byte-align and expect RSTm (m counting mod 8). Returns
 * the offset after the marker; the caller empties its bit buffer and resets the DC predictions.
 */
export function skipRestartMarker(data: Uint8Array, pos: number, nextRst: number, intoPhantom: boolean): number {
  if (intoPhantom) throw new JpegError("truncated", "entropy-coded data ends inside a restart interval", pos);
  pos = nextMarker(data, pos);
  if (pos + 1 >= data.length) throw new JpegError("truncated", `data ends where RST${nextRst} belongs`, pos);
  if (data[pos + 1] !== 0xd0 + nextRst)
    throw new JpegError("corrupt", `expected marker RST${nextRst}, found 0x${data[pos + 1].toString(16)}`, pos);
  return pos + 2;
}

/** After the last MCU: the offset of the marker that ends the scan. */
export function scanEnd(data: Uint8Array, pos: number, intoPhantom: boolean): number {
  if (intoPhantom) throw new JpegError("truncated", "entropy-coded data ends before the last MCU", pos);
  pos = nextMarker(data, pos);
  if (pos >= data.length) throw new JpegError("truncated", "no marker after the scan", pos);
  return pos;
}

if (LOOK_BITS !== 10 || MULTI_BITS !== 14) throw new Error("decodeLumaScan's literal table widths are stale");
const LOOK_MASK = (1 << LOOK_BITS) - 1;
const MULTI_MASK = (1 << MULTI_BITS) - 1;
/** The bit reader's state for `refill`: acc, nbits, pos, phantom. */
export const STATE_SIZE = 4;

/** The slow-path bit-buffer refill: to at least 25 bits; zero bits past a marker or the end count as phantom. */
export function refill(data: Uint8Array, state: Int32Array): void {
  const end = data.length;
  let acc = state[0],
    nbits = state[1],
    pos = state[2],
    phantom = state[3];
  while (nbits <= 24) {
    let byte = 0;
    if (pos < end) {
      byte = data[pos];
      if (byte !== 0xff) pos++;
      else if (pos + 1 < end && data[pos + 1] === 0) pos += 2;
      else {
        if (nbits < phantom) throw new JpegError("truncated", "entropy-coded data ends inside a block", pos);
        byte = 0;
        phantom += 8;
      }
    } else {
      if (nbits < phantom) throw new JpegError("truncated", "entropy-coded data ends inside a block", pos);
      phantom += 8;
    }
    acc = (acc << 8) | byte;
    nbits += 8;
  }
  state[0] = acc;
  state[1] = nbits;
  state[2] = pos;
  state[3] = phantom;
}

/**
 * Decodes the code at the head of the bit buffer (which holds at least 16 bits) when the fast table
 * could not (T.81 Figure F.16). Returns (code length << 8) | symbol, or -1 for a bit pattern that is
 * no code of this table.
 */
export function slowSymbol(t: HuffmanTables, slot: number, index: number, acc: number, nbits: number): number {
  const e = t.look[(slot << LOOK_BITS) + index];
  if (e !== 0) return e;
  const base = slot * 17;
  for (let len = LOOK_BITS + 1; len <= 16; len++) {
    const code = (acc >>> (nbits - len)) & ((1 << len) - 1);
    if (code <= t.maxCode[base + len] && code >= t.minCode[base + len]) {
      return (len << 8) | t.values[slot * 256 + t.valOffset[base + len] + code];
    }
  }
  return -1;
}

/** The offset of the next marker at or after `pos` (0xFF then not 0x00 or 0xFF), or data.length. */
export function nextMarker(data: Uint8Array, pos: number): number {
  const end = data.length;
  while (pos + 1 < end) {
    if (data[pos] === 0xff) {
      const next = data[pos + 1];
      if (next !== 0 && next !== 0xff) return pos;
    }
    pos++;
  }
  return end;
}
