// SPDX-License-Identifier: MIT
// Huffman decoding tables (ITU T.81 Annex C and §F.2.2.3) for the eight DHT slots, in flat typed arrays
// so the scan loop indexes them with no per-block allocation. Fast entries decode a code and its
// extra bits in one lookup; longer codes fall back to the MAXCODE/VALPTR procedure of Figure F.16.
import { JpegError } from "./jpeg-error.js";

/**
 * Bits looked at per fast lookup; codes (plus extra bits) longer than this take the slow path. Every
 * entry fits 16 bits at 10 (a DC difference of up to 9 bits, shifted by 5), and the tables stay small.
 */
export const LOOK_BITS = 10;
const LOOK_SIZE = 1 << LOOK_BITS;
/**
 * Bits looked at per multi-code AC lookup (see `multi`); at least LOOK_BITS and at most 16 (the scan loop
 * refills to at least 16 bits). 14 skips more codes per lookup than 12 (about 10% faster on Node, A/B on the
 * highway frames) for a 64 KiB table per AC slot; 16 was no faster and four times larger.
 */
export const MULTI_BITS = 14;
const MULTI_SIZE = 1 << MULTI_BITS;
/** Slots: class (0 DC, 1 AC) * 4 + destination (0..3), as in a DHT's Tc/Th (T.81 §B.2.4.2). */
export const HUFFMAN_SLOTS = 8;
/** A k increment past the last coefficient: the block ends (EOB, T.81 §F.1.2.2). */
export const END_OF_BLOCK = 64;

export interface HuffmanTables {
  /**
   * Per slot, LOOK_SIZE entries indexed by the next LOOK_BITS bits; 0 means "slow path". Otherwise the
   * low 5 bits are the bits to drop (code + extra bits), and `entry >> 5` is, for DC, the decoded
   * difference (T.81 §F.2.2.1, EXTEND applied) and, for AC, the k increment: run + 1, 16 for ZRL, or
   * END_OF_BLOCK for EOB (the coefficient values are not needed for a DC thumbnail).
   */
  readonly fast: Int16Array;
  /** Per slot, LOOK_SIZE entries: (code length << 8) | symbol for codes up to LOOK_BITS long, else 0. */
  readonly look: Int16Array;
  /**
   * Per AC slot (slot - 4), MULTI_SIZE entries that skip every whole AC code (with its extra bits, of any code
   * length) that fits in the next MULTI_BITS bits, up to and including an EOB, in 16 bits so the table stays
   * in the faster caches: bits to drop in the low 4 bits (1..14), the summed k increment minus 1 in bits 4..9
   * (an increment of 64 or more ends the block either way, so it is kept as 64) and, in bits 10..15, the
   * increment of all codes but the last (at most 63: more could never be used). The entry may be used only
   * while k + that guard < 64, so a block that ends without EOB (k reaching 63) is never overrun (k >= 1, so
   * a guard of 63 is never usable). MULTI_NONE when not even one code fits; MULTI_UNBUILT until first looked
   * up (`multiEntry`).
   */
  readonly multi: Uint16Array;
  /** Per slot, 17 entries: MAXCODE[l] (T.81 Figure F.16), -1 when no code has length l. */
  readonly maxCode: Int32Array;
  /** Per slot, 17 entries: MINCODE[l]. */
  readonly minCode: Int32Array;
  /** Per slot, 17 entries: VALPTR[l] - MINCODE[l], so a code of length l maps to values[slot*256 + valOffset + code]. */
  readonly valOffset: Int32Array;
  /** Per slot, 256 HUFFVAL entries. */
  readonly values: Uint8Array;
  /** 1 where the slot holds a table. */
  readonly defined: Uint8Array;
  /** The raw DHT bytes last loaded per slot (BITS then HUFFVAL), to skip rebuilding identical tables. */
  readonly raw: Uint8Array;
  readonly rawLength: Int32Array;
}

export function createHuffmanTables(): HuffmanTables {
  return {
    fast: new Int16Array(HUFFMAN_SLOTS * LOOK_SIZE),
    look: new Int16Array(HUFFMAN_SLOTS * LOOK_SIZE),
    multi: new Uint16Array((HUFFMAN_SLOTS / 2) * MULTI_SIZE),
    maxCode: new Int32Array(HUFFMAN_SLOTS * 17),
    minCode: new Int32Array(HUFFMAN_SLOTS * 17),
    valOffset: new Int32Array(HUFFMAN_SLOTS * 17),
    values: new Uint8Array(HUFFMAN_SLOTS * 256),
    defined: new Uint8Array(HUFFMAN_SLOTS),
    raw: new Uint8Array(HUFFMAN_SLOTS * (16 + 256)),
    rawLength: new Int32Array(HUFFMAN_SLOTS),
  };
}

/** EXTEND (T.81 Figure F.12): the signed value of `s` extra bits `v`. */
export function extend(v: number, s: number): number {
  return s === 0 ? 0 : v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
}

/**
 * Loads the table whose BITS and HUFFVAL are `spec[start .. start+16+n)` into `slot`, unless the slot
 * already holds exactly these bytes. Throws JpegError("corrupt") for a table no decoder could use: more
 * than 256 codes, codes overflowing their length (T.81 Annex C; the all-ones code is refused as
 * libjpeg does), or a DC symbol above 15.
 */
export function loadHuffmanTable(
  t: HuffmanTables,
  slot: number,
  spec: ArrayLike<number>,
  start: number,
  offset: number,
): number {
  let count = 0;
  for (let i = 0; i < 16; i++) count += spec[start + i];
  if (count > 256) throw new JpegError("corrupt", `Huffman table with ${count} codes (at most 256)`, offset);
  if (start + 16 + count > spec.length)
    throw new JpegError("corrupt", "DHT segment shorter than its Huffman values", offset);
  const length = 16 + count;
  const rawBase = slot * (16 + 256);
  if (t.defined[slot] && t.rawLength[slot] === length) {
    let same = true;
    for (let i = 0; i < length && same; i++) same = t.raw[rawBase + i] === spec[start + i];
    if (same) return length;
  }
  t.defined[slot] = 0; // until the rebuild completes: a table refused half-way is never reused
  const isDc = slot < 4;
  const valBase = slot * 256;
  for (let i = 0; i < count; i++) {
    const symbol = spec[start + 16 + i];
    if (isDc && symbol > 15) throw new JpegError("corrupt", `DC Huffman symbol ${symbol} (at most 15)`, offset);
    t.values[valBase + i] = symbol;
  }
  // Annex C: canonical codes, consecutive within a length, doubling from one length to the next.
  const lookBase = slot * LOOK_SIZE;
  t.fast.fill(0, lookBase, lookBase + LOOK_SIZE);
  t.look.fill(0, lookBase, lookBase + LOOK_SIZE);
  const codeBase = slot * 17;
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    const n = spec[start + len - 1];
    // The codes of one length must fit it; the all-ones code is refused, as libjpeg does (checked before
    // any entry is written, so an overfull table never fills past its lookup table).
    if (code + n >= 1 << len) throw new JpegError("corrupt", `Huffman code lengths overflow at length ${len}`, offset);
    t.valOffset[codeBase + len] = k - code;
    t.minCode[codeBase + len] = code;
    t.maxCode[codeBase + len] = n ? code + n - 1 : -1;
    for (let i = 0; i < n; i++, k++, code++) {
      if (len <= LOOK_BITS) fillLookup(t, lookBase, isDc, len, code, t.values[valBase + k]);
    }
    code <<= 1;
  }
  if (!isDc) fillMulti(t, slot);
  t.defined[slot] = 1;
  t.rawLength[slot] = length;
  for (let i = 0; i < length; i++) t.raw[rawBase + i] = spec[start + i];
  return length;
}

function fillLookup(
  t: HuffmanTables,
  lookBase: number,
  isDc: boolean,
  len: number,
  code: number,
  symbol: number,
): void {
  const spare = LOOK_BITS - len;
  const first = code << spare;
  const size = symbol & 15;
  const total = len + size;
  for (let fill = 0; fill < 1 << spare; fill++) {
    const index = first | fill;
    t.look[lookBase + index] = (len << 8) | symbol;
    if (total > LOOK_BITS) continue;
    let value: number;
    if (isDc) value = extend((index >> (LOOK_BITS - total)) & ((1 << size) - 1), size);
    else if (size) value = (symbol >> 4) + 1;
    else value = symbol >> 4 === 15 ? 16 : END_OF_BLOCK; // libjpeg: any other run with size 0 ends the block
    t.fast[lookBase + index] = (value << 5) | total;
  }
}

/** Marks every multi-code entry of AC `slot` as not built yet: `multiEntry` builds each on its first lookup. */
function fillMulti(t: HuffmanTables, slot: number): void {
  const multiBase = (slot - 4) * MULTI_SIZE;
  t.multi.fill(MULTI_UNBUILT, multiBase, multiBase + MULTI_SIZE);
}

/** A multi-code entry not built yet (a real entry never drops 15 bits). Its guard, 63, keeps it from use. */
export const MULTI_UNBUILT = 0xffff;
/** The multi-code entry of a window where not even one code fits: a guard of 63 and nothing to drop. */
export const MULTI_NONE = 63 << 10;

/**
 * Builds, stores and returns the multi-code entry of AC `slot` for the window `index`: every whole code with
 * its extra bits that fits in the window, decoded the canonical way (T.81 Figure F.16), so codes longer than
 * LOOK_BITS are skipped here too. Built on first use, so a table costs in proportion to the windows a picture
 * uses, not to its 2^MULTI_BITS entries (which matters inside XS, where a whole table would cost more than
 * decoding a frame).
 */
export function multiEntry(t: HuffmanTables, slot: number, index: number): number {
  const base = slot * 17;
  let used = 0,
    inc = 0,
    guard = 0;
  for (;;) {
    // The next code starts `used` bits into the window.
    const left = MULTI_BITS - used;
    let symbol = -1,
      len = 1;
    for (; len <= left; len++) {
      const code = (index >> (left - len)) & ((1 << len) - 1);
      if (code <= t.maxCode[base + len] && code >= t.minCode[base + len]) {
        symbol = t.values[slot * 256 + t.valOffset[base + len] + code];
        break;
      }
    }
    if (symbol < 0 || len + (symbol & 15) > left) break;
    const step = symbol & 15 ? (symbol >> 4) + 1 : symbol >> 4 === 15 ? 16 : END_OF_BLOCK;
    guard = inc;
    inc += step;
    used += len + (symbol & 15);
    if (step === END_OF_BLOCK || inc >= 64) break;
  }
  const e = used === 0 ? MULTI_NONE : (Math.min(guard, 63) << 10) | ((Math.min(inc, 64) - 1) << 4) | used;
  t.multi[(slot - 4) * MULTI_SIZE + index] = e;
  return e;
}
