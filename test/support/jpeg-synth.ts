// SPDX-License-Identifier: MIT
// Test-only baseline JPEG writer from quantized coefficients (no DCT): ITU T.81 markers (§B.2), Huffman
// entropy coding (§F.1.2) with byte stuffing and restart markers. It lets tests choose every DC value,
// sampling layout, table and restart interval, so decoder expectations follow from the inputs alone.
// Runs in Node and XS alike; Node tests check its files against libjpeg-turbo's djpeg.
import {
  STD_AC_CHROMINANCE,
  STD_AC_LUMINANCE,
  STD_DC_CHROMINANCE,
  STD_DC_LUMINANCE,
  type HuffmanSpec,
} from "../../modules/jpeg/standard-huffman.js";

export interface SynthComponent {
  id: number;
  h: number;
  v: number;
  /** Quantization table (0..3). */
  tq: number;
  /** DC and AC Huffman tables (0..3). */
  td: number;
  ta: number;
}

export interface SynthOptions {
  width: number;
  height: number;
  components: SynthComponent[];
  /** Quantization tables by destination, zigzag order; entry 0 is the DC quantizer. Default: tables 0 and 1 with Q0 = 8, 16 elsewhere. */
  quant?: Record<number, number[]>;
  /** Huffman tables by slot "dc0", "ac1", ...; default the T.81 Annex K tables for slots 0 and 1. */
  huffman?: Record<string, HuffmanSpec>;
  /** Leave DHT out entirely (decoders must fall back to the Annex K tables). */
  omitHuffman?: boolean;
  restartInterval?: number;
  /** One scan with every component (default), one scan per component, or explicit lists of component indices. */
  scans?: "interleaved" | "separate" | number[][];
  /** Write a JFIF APP0 (default true). */
  jfif?: boolean;
  /** Extra segments inserted after SOI (raw bytes, marker included). */
  extraSegments?: Uint8Array[];
  /** Frame type marker; default 0xC0 (baseline). */
  sofMarker?: number;
  /**
   * Quantized coefficients of one block, zigzag order, DC absolute (not a difference). `comp` is the
   * index in `components`; `bx`, `by` the block column and row in that component's grid (MCU padding
   * included for interleaved scans).
   */
  block(comp: number, bx: number, by: number): ArrayLike<number>;
}

const DEFAULT_QUANT = [
  8, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
  16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
  16, 16, 16, 16, 16,
];

interface Codes {
  code: Int32Array;
  size: Int32Array;
}

/** Canonical codes of a table (T.81 Annex C). */
function codesOf(spec: HuffmanSpec): Codes {
  const code = new Int32Array(256),
    size = new Int32Array(256);
  let c = 0,
    k = 0;
  for (let len = 1; len <= 16; len++) {
    for (let i = 0; i < spec.bits[len - 1]; i++) {
      const symbol = spec.values[k++];
      code[symbol] = c++;
      size[symbol] = len;
    }
    c <<= 1;
  }
  return { code, size };
}

class ByteSink {
  bytes: number[] = [];
  put(...b: number[]) {
    for (const x of b) this.bytes.push(x & 255);
  }
  u16(v: number) {
    this.put(v >> 8, v);
  }
  segment(marker: number, body: number[]) {
    this.put(0xff, marker);
    this.u16(body.length + 2);
    this.put(...body);
  }
}

class BitWriter {
  private acc = 0; // pending bits, right-aligned
  private n = 0;
  constructor(private out: ByteSink) {}
  bits(value: number, count: number) {
    // At most 16 bits per call (codes and extra bits), so acc stays within 24 bits.
    this.acc = (this.acc << count) | (value & ((1 << count) - 1));
    this.n += count;
    while (this.n >= 8) {
      this.n -= 8;
      const byte = (this.acc >> this.n) & 255;
      this.out.bytes.push(byte);
      if (byte === 0xff) this.out.bytes.push(0); // T.81 §F.1.2.3 byte stuffing
    }
    this.acc &= (1 << this.n) - 1;
  }
  /** Pads the last byte with 1 bits (T.81 §F.1.2.3). */
  flush() {
    if (this.n !== 0) this.bits((1 << (8 - this.n)) - 1, 8 - this.n);
  }
}

function category(v: number): number {
  let a = v < 0 ? -v : v,
    s = 0;
  while (a) {
    s++;
    a >>= 1;
  }
  return s;
}

/** Writes a JPEG; see SynthOptions. */
export function synthJpeg(o: SynthOptions): Uint8Array {
  const out = new ByteSink();
  const comps = o.components;
  const hMax = Math.max(...comps.map((c) => c.h)),
    vMax = Math.max(...comps.map((c) => c.v));
  const huffman: Record<string, HuffmanSpec> = o.huffman ?? {
    dc0: STD_DC_LUMINANCE,
    ac0: STD_AC_LUMINANCE,
    dc1: STD_DC_CHROMINANCE,
    ac1: STD_AC_CHROMINANCE,
  };
  const quant = o.quant ?? { 0: DEFAULT_QUANT, 1: DEFAULT_QUANT };
  out.put(0xff, 0xd8);
  if (o.jfif !== false) out.segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  for (const seg of o.extraSegments ?? []) out.put(...seg);
  for (const [tq, table] of Object.entries(quant)) out.segment(0xdb, [Number(tq), ...table]);
  out.segment(o.sofMarker ?? 0xc0, [
    8,
    o.height >> 8,
    o.height,
    o.width >> 8,
    o.width,
    comps.length,
    ...comps.flatMap((c) => [c.id, (c.h << 4) | c.v, c.tq]),
  ]);
  if (!o.omitHuffman) {
    for (const [slot, spec] of Object.entries(huffman)) {
      const tc = slot.startsWith("dc") ? 0 : 1;
      out.segment(0xc4, [(tc << 4) | Number(slot.slice(2)), ...spec.bits, ...spec.values]);
    }
  }
  if (o.restartInterval) out.segment(0xdd, [o.restartInterval >> 8, o.restartInterval]);
  const codes: Record<string, Codes> = {};
  const codesFor = (slot: string) =>
    (codes[slot] ??= codesOf(
      huffman[slot] ??
        (slot.startsWith("dc")
          ? [STD_DC_LUMINANCE, STD_DC_CHROMINANCE][Number(slot.slice(2))]
          : [STD_AC_LUMINANCE, STD_AC_CHROMINANCE][Number(slot.slice(2))]),
    ));

  const scans = Array.isArray(o.scans)
    ? o.scans
    : o.scans === "separate"
      ? comps.map((_, i) => [i])
      : [comps.map((_, i) => i)];
  for (const scan of scans) {
    out.segment(0xda, [scan.length, ...scan.flatMap((i) => [comps[i].id, (comps[i].td << 4) | comps[i].ta]), 0, 63, 0]);
    const bits = new BitWriter(out);
    const pred = new Int32Array(comps.length);
    const single = scan.length === 1;
    const mcusX = single
      ? Math.ceil(Math.ceil((o.width * comps[scan[0]].h) / hMax) / 8)
      : Math.ceil(o.width / (8 * hMax));
    const mcusY = single
      ? Math.ceil(Math.ceil((o.height * comps[scan[0]].v) / vMax) / 8)
      : Math.ceil(o.height / (8 * vMax));
    let mcu = 0,
      rst = 0;
    for (let my = 0; my < mcusY; my++) {
      for (let mx = 0; mx < mcusX; mx++) {
        if (o.restartInterval && mcu > 0 && mcu % o.restartInterval === 0) {
          bits.flush();
          out.put(0xff, 0xd0 + (rst++ & 7));
          pred.fill(0);
        }
        mcu++;
        for (const ci of scan) {
          const c = comps[ci];
          const h = single ? 1 : c.h,
            v = single ? 1 : c.v;
          for (let y = 0; y < v; y++) {
            for (let x = 0; x < h; x++) {
              const coef = o.block(ci, mx * h + x, my * v + y);
              encodeBlock(bits, coef, pred, ci, codesFor(`dc${c.td}`), codesFor(`ac${c.ta}`));
            }
          }
        }
      }
    }
    bits.flush();
  }
  out.put(0xff, 0xd9);
  return new Uint8Array(out.bytes);
}

function encodeBlock(
  bits: BitWriter,
  coef: ArrayLike<number>,
  pred: Int32Array,
  ci: number,
  dc: Codes,
  ac: Codes,
): void {
  const diff = coef[0] - pred[ci];
  pred[ci] = coef[0];
  const s = category(diff);
  bits.bits(dc.code[s], dc.size[s]);
  if (s) bits.bits(diff < 0 ? diff - 1 : diff, s);
  let run = 0;
  for (let k = 1; k < 64; k++) {
    const v = coef[k] ?? 0;
    if (v === 0) {
      run++;
      continue;
    }
    while (run > 15) {
      bits.bits(ac.code[0xf0], ac.size[0xf0]);
      run -= 16;
    }
    const size = category(v);
    const rs = (run << 4) | size;
    bits.bits(ac.code[rs], ac.size[rs]);
    bits.bits(v < 0 ? v - 1 : v, size);
    run = 0;
  }
  if (run > 0) bits.bits(ac.code[0], ac.size[0]);
}

/** The 1/8-scale sample libjpeg-turbo derives from a DC coefficient: 128 + (DC*Q0 + 4) / 8, floored, clamped. */
export function expectedDcSample(dc: number, q0: number): number {
  return Math.max(0, Math.min(255, 128 + Math.floor((dc * q0 + 4) / 8)));
}

/** An 8-bit PPM of a smooth scene with texture and noise, `w` x `h`, its noise drawn from `rnd` (for cjpeg to encode). */
export function scenePpm(w: number, h: number, rnd: () => number): Uint8Array {
  const header = `P6\n${w} ${h}\n255\n`;
  const out = new Uint8Array(header.length + w * h * 3);
  for (let i = 0; i < header.length; i++) out[i] = header.charCodeAt(i);
  let o = header.length;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const base = 128 + 90 * Math.sin(x / 17) * Math.cos(y / 23) + (((x >> 4) + (y >> 4)) % 2 ? 20 : -20);
      for (let ch = 0; ch < 3; ch++)
        out[o++] = Math.max(0, Math.min(255, Math.round(base + (ch - 1) * 30 + (rnd() - 0.5) * 40)));
    }
  }
  return out;
}
