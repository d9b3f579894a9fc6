// SPDX-License-Identifier: MIT
// The redactor's hot loop: entropy-decodes one interleaved (or single-component) baseline scan (T.81 §F.2.2)
// and re-encodes it (§F.1.2) with the image's own Huffman tables. Blocks of redacted MCUs become flat (DC only,
// then EOB); every other block keeps its exact coefficients, with its DC difference re-computed against the
// new predictions. Reads never pass `data.length`; the output grows as needed, one MCU's worst case at a time.
import type { HuffmanEncoder } from "./huffman-encoder.js";
import { extend, LOOK_BITS, type HuffmanTables } from "./huffman-tables.js";
import { JpegError } from "./jpeg-error.js";
import { refill, type ScanPlan, scanEnd, skipRestartMarker, slowSymbol } from "./luma-scan.js";

/** The re-encoded bytes so far; `buf` is replaced by a larger copy when an MCU might not fit. */
export interface ScanOutput {
  buf: Uint8Array;
  pos: number;
}

/** What the scan needs beyond the plan: which MCUs to flatten, and the flat luma DC (quantised). */
export interface RedactScanJob {
  /** One byte per MCU, row-major (plan.mcusX x plan.mcusY): 1 = flatten every block of it. */
  mcuFlags: Uint8Array;
  /** The luma (component 0) DC of a flat block, quantised; chroma blocks get 0 (Cb = Cr = 128). */
  flatDc: number;
}

/** The most one MCU can take: 10 blocks of DC (31 bits) + 63 AC codes and ZRLs/EOB (31 bits each), all stuffed. */
const MCU_MAX_BYTES = 10 * 2 * Math.ceil((31 * 68) / 8) + 8;
const LOOK_MASK = (1 << LOOK_BITS) - 1;

function ensureRoom(out: ScanOutput, o: number): Uint8Array {
  out.pos = o;
  if (o + MCU_MAX_BYTES > out.buf.length) {
    const bigger = new Uint8Array(Math.max(out.buf.length * 2, o + MCU_MAX_BYTES));
    bigger.set(out.buf.subarray(0, o));
    out.buf = bigger;
  }
  return out.buf;
}

function missing(what: string, slot: number, pos: number): JpegError {
  return new JpegError("missing-code", `${what}: the image's Huffman table ${slot & 3} has no code for it`, pos);
}

/**
 * Redacts the scan whose entropy-coded data starts at `start`, appending the new entropy-coded data (RSTn
 * markers at the same places, each interval padded with 1-bits, T.81 §F.1.2.3) to `out`. Returns the offset of
 * the marker that ends the input scan. Throws JpegError: corrupt or truncated data, a coefficient past index 63,
 * or a code the tables lack ("missing-code").
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: inlined hot loop (bit reader and writer), one pass per frame
export function redactScan(
  data: Uint8Array,
  start: number,
  plan: ScanPlan,
  t: HuffmanTables,
  enc: HuffmanEncoder,
  job: RedactScanJob,
  out: ScanOutput,
): number {
  const end = data.length;
  const fast = t.fast,
    look = t.look;
  const ecode = enc.code,
    esize = enc.size;
  const { mcusX, mcusY, blocksInMcu, dcSlot, acSlot, predictor, lumaX, restartInterval, pred, state } = plan;
  const { mcuFlags, flatDc } = job;
  const opred = new Int32Array(4); // the output's DC predictions, per scan component
  pred.fill(0);
  let pos = start,
    acc = 0,
    nbits = 0,
    phantom = 0; // input bit reader, as in luma-scan.ts
  let buf = out.buf,
    o = out.pos,
    oacc = 0,
    onb = 0; // output bit writer: the low `onb` (< 8) bits of `oacc` are pending
  let todo = restartInterval,
    nextRst = 0;
  for (let my = 0; my < mcusY; my++) {
    for (let mx = 0; mx < mcusX; mx++) {
      if (restartInterval !== 0) {
        if (todo === 0) {
          pos = skipRestartMarker(data, pos, nextRst, nbits < phantom);
          acc = nbits = phantom = 0;
          pred.fill(0);
          if (onb > 0) {
            // Pad the interval's last byte with 1-bits (T.81 §F.1.2.3), stuffing it if it becomes 0xFF.
            const byte = ((oacc << (8 - onb)) | ((1 << (8 - onb)) - 1)) & 255;
            buf[o++] = byte;
            if (byte === 255) buf[o++] = 0;
            oacc = onb = 0;
          }
          buf[o++] = 0xff;
          buf[o++] = 0xd0 + nextRst;
          nextRst = (nextRst + 1) & 7;
          opred.fill(0);
          todo = restartInterval;
        }
        todo--;
      }
      if (o + MCU_MAX_BYTES > buf.length) buf = ensureRoom(out, o);
      const flat = mcuFlags[my * mcusX + mx] !== 0;
      for (let b = 0; b < blocksInMcu; b++) {
        // ---- DC difference in (T.81 §F.2.2.1) ----
        if (nbits < 16) {
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
        }
        let slot = dcSlot[b];
        let index = (acc >>> (nbits - LOOK_BITS)) & LOOK_MASK;
        const entry = fast[(slot << LOOK_BITS) + index];
        let diff = 0;
        if (entry !== 0) {
          nbits -= entry & 31;
          diff = entry >> 5;
        } else {
          const code = slowSymbol(t, slot, index, acc, nbits);
          if (code < 0) throw new JpegError("corrupt", "bad Huffman code in entropy-coded data", pos);
          nbits -= code >> 8;
          const size = code & 15;
          if (size !== 0) {
            if (nbits < size) {
              state[0] = acc;
              state[1] = nbits;
              state[2] = pos;
              state[3] = phantom;
              refill(data, state);
              acc = state[0];
              nbits = state[1];
              pos = state[2];
              phantom = state[3];
            }
            diff = extend((acc >>> (nbits - size)) & ((1 << size) - 1), size);
            nbits -= size;
          }
        }
        const p = predictor[b];
        const dc = (pred[p] = (pred[p] + diff) | 0);
        // ---- DC difference out (T.81 §F.1.2.1), against the output's own prediction ----
        const value = flat ? (lumaX[b] >= 0 ? flatDc : 0) : dc;
        const newDiff = (value - opred[p]) | 0;
        opred[p] = value;
        const mag = newDiff < 0 ? -newDiff : newDiff;
        const cat = mag === 0 ? 0 : 32 - Math.clz32(mag);
        if (cat > 15) throw new JpegError("corrupt", `DC difference ${newDiff} beyond category 15`, pos);
        const dcIndex = (slot << 8) + cat;
        const dcLen = esize[dcIndex];
        if (dcLen === 0) throw missing(`DC difference category ${cat}`, slot, pos);
        oacc = (oacc << dcLen) | ecode[dcIndex];
        onb += dcLen;
        while (onb >= 8) {
          onb -= 8;
          const byte = (oacc >>> onb) & 255;
          buf[o++] = byte;
          if (byte === 255) buf[o++] = 0;
        }
        oacc &= (1 << onb) - 1;
        if (cat !== 0) {
          oacc = (oacc << cat) | (newDiff < 0 ? (newDiff - 1) & ((1 << cat) - 1) : newDiff);
          onb += cat;
        }
        while (onb >= 8) {
          onb -= 8;
          const byte = (oacc >>> onb) & 255;
          buf[o++] = byte;
          if (byte === 255) buf[o++] = 0;
        }
        oacc &= (1 << onb) - 1;
        // ---- AC codes (T.81 §F.2.2.2) ----
        slot = acSlot[b];
        const lookBase = slot << LOOK_BITS;
        const acBase = slot << 8;
        {
          // Decoded, then re-encoded as libjpeg's encoder would: ZRLs only before a coefficient, EOB unless
          // coefficient 63 is the last one coded (T.81 Figure F.2). A flat block is decoded and becomes EOB.
          let k = 1,
            zrl = 0,
            last = 0;
          while (k < 64) {
            if (nbits < 16) {
              while (nbits <= 24) {
                let byte = 0;
                if (pos < end) {
                  byte = data[pos];
                  if (byte !== 0xff) pos++;
                  else if (pos + 1 < end && data[pos + 1] === 0) pos += 2;
                  else {
                    if (nbits < phantom)
                      throw new JpegError("truncated", "entropy-coded data ends inside a block", pos);
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
            }
            index = (acc >>> (nbits - LOOK_BITS)) & LOOK_MASK;
            let rs = look[lookBase + index];
            if (rs === 0) {
              rs = slowSymbol(t, slot, index, acc, nbits);
              if (rs < 0) throw new JpegError("corrupt", "bad Huffman code in entropy-coded data", pos);
            }
            nbits -= rs >> 8;
            rs &= 255;
            const size = rs & 15;
            if (size === 0) {
              if (rs !== 0xf0) break; // EOB (libjpeg ends the block on any run with size 0 but 15)
              zrl++;
              k += 16;
              continue;
            }
            k += rs >> 4;
            if (k > 63) throw new JpegError("corrupt", "AC coefficient past index 63", pos);
            if (nbits < size) {
              state[0] = acc;
              state[1] = nbits;
              state[2] = pos;
              state[3] = phantom;
              refill(data, state);
              acc = state[0];
              nbits = state[1];
              pos = state[2];
              phantom = state[3];
            }
            const bits = (acc >>> (nbits - size)) & ((1 << size) - 1);
            nbits -= size;
            if (!flat) {
              for (; zrl > 0; zrl--) {
                const zLen = esize[acBase + 0xf0];
                oacc = (oacc << zLen) | ecode[acBase + 0xf0];
                onb += zLen;
                while (onb >= 8) {
                  onb -= 8;
                  const byte = (oacc >>> onb) & 255;
                  buf[o++] = byte;
                  if (byte === 255) buf[o++] = 0;
                }
                oacc &= (1 << onb) - 1;
              }
              const len = esize[acBase + rs];
              oacc = (oacc << len) | ecode[acBase + rs];
              onb += len;
              while (onb >= 8) {
                onb -= 8;
                const byte = (oacc >>> onb) & 255;
                buf[o++] = byte;
                if (byte === 255) buf[o++] = 0;
              }
              oacc = ((oacc & ((1 << onb) - 1)) << size) | bits;
              onb += size;
              while (onb >= 8) {
                onb -= 8;
                const byte = (oacc >>> onb) & 255;
                buf[o++] = byte;
                if (byte === 255) buf[o++] = 0;
              }
              oacc &= (1 << onb) - 1;
            }
            last = k;
            k++;
          }
          if (flat || last < 63) {
            const eobLen = esize[acBase];
            if (eobLen === 0) throw missing("EOB", slot, pos);
            oacc = (oacc << eobLen) | ecode[acBase];
            onb += eobLen;
          }
        }
        while (onb >= 8) {
          onb -= 8;
          const byte = (oacc >>> onb) & 255;
          buf[o++] = byte;
          if (byte === 255) buf[o++] = 0;
        }
        oacc &= (1 << onb) - 1;
      }
    }
  }
  const endPos = scanEnd(data, pos, nbits < phantom);
  if (onb > 0) {
    const byte = ((oacc << (8 - onb)) | ((1 << (8 - onb)) - 1)) & 255;
    buf[o++] = byte;
    if (byte === 255) buf[o++] = 0;
  }
  out.pos = o;
  return endPos;
}
