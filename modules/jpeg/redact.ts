// SPDX-License-Identifier: MIT
// Privacy redaction inside a baseline JPEG (issue 14), with no full decode: every MCU that touches a masked
// cell becomes flat grey, every other block keeps its exact coefficients, and the image is rebuilt from its
// DQT/SOF/DHT/DRI/SOS segments only (APPn and COM dropped). Anything it cannot redact exactly is refused.
import type { CellMask } from "../privacy/zone-cells.js";
import { buildEncoderSlot, createHuffmanEncoder, type HuffmanEncoder } from "./huffman-encoder.js";
import { JpegError, type JpegErrorCode } from "./jpeg-error.js";
import {
  createFrameState,
  DHT,
  DQT,
  DRI,
  EOI,
  type FrameState,
  readFrameHeader,
  readSegment,
  readSos,
  readTableOrSkip,
  resetFrame,
  SOI,
  SOS,
  type Segment,
} from "./marker-segments.js";
import { redactScan, type ScanOutput } from "./redact-scan.js";
import { DEFAULT_MAX_CELLS } from "./thumbnail-decoder.js";

/**
 * Why an image was refused: a JpegErrorCode (`not-jpeg`, `truncated`, `corrupt`, `unsupported`, `too-large`,
 * `missing-code`), `mask-size` (the mask is not ceil(width/8) x ceil(height/8)) or `bad-option` (grey not 0..255).
 */
export type RedactErrorCode = JpegErrorCode | "mask-size" | "bad-option";

export type RedactResult =
  | {
      ok: true;
      /** The redacted JPEG. From a `Redactor`: valid until its next `redact`. */
      jpeg: Uint8Array;
      /** MCUs flattened, and MCUs in the scan. */
      mcusRedacted: number;
      mcus: number;
    }
  | { ok: false; code: RedactErrorCode; reason: string };

export interface RedactOptions {
  /** The flat grey, 0..255 (default DEFAULT_GREY). Luma is quantised: the decoded grey is the nearest the DC quantiser allows. */
  grey?: number;
}

export interface RedactorOptions {
  /** Largest image accepted, in 8x8 cells (default 262,144: 4096 x 4096 pixels); bigger is refused `too-large`. */
  maxCells?: number;
}

export interface Redactor {
  /**
   * Redacts `jpeg` with `mask`. Never throws on bad input: a refusal names its reason, and an image it
   * cannot redact is never returned. The output buffer is reused: copy it before the next call.
   */
  redact(jpeg: Uint8Array, mask: CellMask, options?: RedactOptions): RedactResult;
}

export const DEFAULT_GREY = 128;

/** Segments copied byte for byte (in their order); every other segment before SOS is dropped. */
function isKept(marker: number): boolean {
  return marker === DQT || marker === DHT || marker === DRI;
}

/** The luma DC of a flat block: round((grey - 128) * 8 / q0), half away from zero (pixels = grey after IDCT). */
export function flatLumaDc(grey: number, q0: number): number {
  const n = (grey - 128) * 8;
  const m = Math.floor((2 * Math.abs(n) + q0) / (2 * q0));
  const dc = n < 0 ? -m : m;
  return dc < -1024 ? -1024 : dc > 1023 ? 1023 : dc;
}

/** A redactor's reused parts: frame state and tables, encoder codes, the output and the MCU flags. */
interface State {
  readonly maxCells: number;
  readonly s: FrameState;
  readonly enc: HuffmanEncoder;
  readonly seg: Segment;
  readonly out: ScanOutput;
  mcuFlags: Uint8Array;
}

function copy(st: State, data: Uint8Array, from: number, to: number): void {
  const out = st.out;
  const need = out.pos + (to - from);
  if (need > out.buf.length) {
    const bigger = new Uint8Array(Math.max(need, 2 * out.buf.length, 4096));
    bigger.set(out.buf.subarray(0, out.pos));
    out.buf = bigger;
  }
  out.buf.set(data.subarray(from, to), out.pos);
  out.pos = need;
}

/** Fills st.mcuFlags for the planned scan: an MCU is flattened when any luma cell its area covers is set. */
function flagMcus(st: State, mask: CellMask): number {
  const { mcusX, mcusY, lumaPerMcuX: h, lumaPerMcuY: v } = st.s.plan;
  const { widthCells, heightCells, cells } = mask;
  if (st.mcuFlags.length < mcusX * mcusY) st.mcuFlags = new Uint8Array(mcusX * mcusY);
  const flags = st.mcuFlags;
  let count = 0;
  for (let my = 0; my < mcusY; my++) {
    const y1 = Math.min(heightCells, (my + 1) * v);
    for (let mx = 0; mx < mcusX; mx++) {
      const x1 = Math.min(widthCells, (mx + 1) * h);
      let hit = 0;
      for (let y = my * v; y < y1 && !hit; y++)
        for (let x = mx * h; x < x1; x++) if (cells[y * widthCells + x]) hit = 1;
      flags[my * mcusX + mx] = hit;
      count += hit;
    }
  }
  return count;
}

/** After SOF: the size limit, then the mask's size against ceil(width/8) x ceil(height/8). */
function checkMask(st: State, mask: CellMask, at: number): RedactResult | undefined {
  const { width, height } = st.s;
  const wc = Math.ceil(width / 8),
    hc = Math.ceil(height / 8);
  if (wc * hc > st.maxCells)
    throw new JpegError("too-large", `a ${width}x${height} image needs ${wc * hc} cells (limit ${st.maxCells})`, at);
  if (mask.widthCells !== wc || mask.heightCells !== hc || mask.cells?.length !== wc * hc)
    return {
      ok: false,
      code: "mask-size",
      reason:
        `mask is ${mask.widthCells}x${mask.heightCells} cells (${mask.cells?.length} bytes) ` +
        `but the ${width}x${height} image needs ${wc}x${hc}`,
    };
  return undefined;
}

/** The scan: all components in one scan, flat DC from luma's quantiser, the image's own codes, then EOI. */
function redactTheScan(st: State, data: Uint8Array, mask: CellMask, grey: number): RedactResult {
  const { s, seg, enc, out } = st;
  const { at, p } = seg;
  if (!readSos(data, seg, s) || data[p] !== s.comps)
    throw new JpegError(
      "unsupported",
      `a scan with ${data[p]} of the ${s.comps} components (only one scan with all)`,
      at,
    );
  const plan = s.plan;
  if (plan.q0 === 0) throw new JpegError("corrupt", "luma DC quantizer is 0", at);
  copy(st, data, at, seg.end);
  for (let b = 0; b < plan.blocksInMcu; b++) {
    buildEncoderSlot(enc, s.tables, plan.dcSlot[b], at);
    buildEncoderSlot(enc, s.tables, plan.acSlot[b], at);
  }
  const mcusRedacted = flagMcus(st, mask);
  const job = { mcuFlags: st.mcuFlags, flatDc: flatLumaDc(grey, plan.q0) };
  const end = redactScan(data, seg.end, plan, s.tables, enc, job, out);
  if (data[end + 1] !== EOI)
    throw new JpegError("unsupported", `marker 0x${data[end + 1].toString(16)} after the scan (only EOI)`, end);
  copy(st, EOI_BYTES, 0, 2);
  return { ok: true, jpeg: out.buf.subarray(0, out.pos), mcusRedacted, mcus: plan.mcusX * plan.mcusY };
}

const EOI_BYTES = Uint8Array.of(0xff, EOI);

/** SOI, then each segment up to SOS: SOF, DQT, DHT and DRI copied, the rest read for hints and dropped. */
function walk(st: State, data: Uint8Array, mask: CellMask, grey: number): RedactResult {
  const { s, seg } = st;
  resetFrame(s);
  st.out.pos = 0;
  copy(st, data, 0, 2);
  let pos = 2;
  for (;;) {
    const parameterless = !readSegment(data, pos, seg);
    pos = seg.end;
    if (parameterless) continue;
    if (seg.marker === SOS) return redactTheScan(st, data, mask, grey);
    if (readFrameHeader(data, seg, s)) {
      const refused = checkMask(st, mask, seg.at);
      if (refused) return refused;
      copy(st, data, seg.at, seg.end);
    } else {
      readTableOrSkip(data, seg, s);
      if (isKept(seg.marker)) copy(st, data, seg.at, seg.end);
    }
  }
}

/** A redactor that keeps its tables, scratch and output buffer between frames (the device redacts every snapshot). */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const st: State = {
    maxCells: options.maxCells ?? DEFAULT_MAX_CELLS,
    s: createFrameState(),
    enc: createHuffmanEncoder(),
    seg: { marker: 0, at: 0, length: 0, p: 0, end: 0 },
    out: { buf: new Uint8Array(0), pos: 0 },
    mcuFlags: new Uint8Array(0),
  };
  function redact(jpeg: Uint8Array, mask: CellMask, options: RedactOptions = {}): RedactResult {
    const grey = options.grey ?? DEFAULT_GREY;
    if (!Number.isInteger(grey) || grey < 0 || grey > 255)
      return { ok: false, code: "bad-option", reason: `grey ${grey}: expected a whole number from 0 to 255` };
    if (jpeg.length < 2 || jpeg[0] !== 0xff || jpeg[1] !== SOI)
      return { ok: false, code: "not-jpeg", reason: "no SOI marker (0xFFD8) at the start" };
    if (st.out.buf.length < jpeg.length + 1024) st.out.buf = new Uint8Array(jpeg.length + 1024);
    try {
      return walk(st, jpeg, mask, grey);
    } catch (e) {
      if (e instanceof JpegError) return { ok: false, code: e.code, reason: e.message };
      throw e;
    }
  }
  return { redact };
}

/** Redacts one JPEG with fresh buffers (allocates about 200 KB; per frame stream prefer `createRedactor`). */
export function redactJpeg(jpeg: Uint8Array, mask: CellMask, options?: RedactOptions): RedactResult {
  const r = createRedactor().redact(jpeg, mask, options);
  return r.ok ? { ...r, jpeg: r.jpeg.slice() } : r;
}
