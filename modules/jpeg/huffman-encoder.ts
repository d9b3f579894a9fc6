// SPDX-License-Identifier: MIT
// Huffman encoding tables (ITU T.81 Annex C, §C.2: EHUFCO/EHUFSI) built from the same DHT bytes the decoder
// loaded, so a re-encoded scan uses the image's own codes. A symbol listed twice is refused, as libjpeg's
// encoder does (jchuff.c); a symbol the table lacks has size 0, and the redactor refuses to emit it.
import { HUFFMAN_SLOTS, type HuffmanTables } from "./huffman-tables.js";
import { JpegError } from "./jpeg-error.js";

export interface HuffmanEncoder {
  /** Per slot, 256 entries: the code of each symbol (EHUFCO). */
  readonly code: Int32Array;
  /** Per slot, 256 entries: its length in bits (EHUFSI), 0 when the table has no code for the symbol. */
  readonly size: Uint8Array;
}

export function createHuffmanEncoder(): HuffmanEncoder {
  return { code: new Int32Array(HUFFMAN_SLOTS * 256), size: new Uint8Array(HUFFMAN_SLOTS * 256) };
}

/** Builds `slot`'s codes from the raw BITS/HUFFVAL that `t` holds for it (which `loadHuffmanTable` validated). */
export function buildEncoderSlot(e: HuffmanEncoder, t: HuffmanTables, slot: number, offset: number): void {
  const raw = t.raw,
    rawBase = slot * (16 + 256),
    base = slot * 256;
  e.size.fill(0, base, base + 256);
  let code = 0,
    k = 16;
  for (let len = 1; len <= 16; len++) {
    const n = raw[rawBase + len - 1];
    for (let i = 0; i < n; i++, k++, code++) {
      const symbol = raw[rawBase + k];
      if (e.size[base + symbol] !== 0)
        throw new JpegError(
          "corrupt",
          `${slot < 4 ? "DC" : "AC"} Huffman table ${slot & 3} lists symbol 0x${symbol.toString(16)} twice`,
          offset,
        );
      e.code[base + symbol] = code;
      e.size[base + symbol] = len;
    }
    code <<= 1;
  }
}
