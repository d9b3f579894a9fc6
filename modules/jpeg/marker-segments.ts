// SPDX-License-Identifier: MIT
// The marker segments of a baseline (or 8-bit extended sequential) Huffman JPEG before its luma scan (ITU T.81
// §B.2): one reader per marker (SOFn, DHT, DQT, DRI, SOS, APP0/APP14 colour hints; other APPn, COM and DNL
// skipped). Errors are JpegErrors whose codes and messages the native decoder's tests compare.
import { createHuffmanTables, HUFFMAN_SLOTS, type HuffmanTables, loadHuffmanTable } from "./huffman-tables.js";
import { JpegError } from "./jpeg-error.js";
import { createScanPlan, MAX_BLOCKS_IN_MCU, type ScanPlan } from "./luma-scan.js";
import {
  STD_AC_CHROMINANCE,
  STD_AC_LUMINANCE,
  STD_DC_CHROMINANCE,
  STD_DC_LUMINANCE,
  type HuffmanSpec,
} from "./standard-huffman.js";

// Marker codes (T.81 Table B.1).
export const SOI = 0xd8,
  EOI = 0xd9,
  SOS = 0xda,
  DQT = 0xdb,
  DNL = 0xdc,
  DRI = 0xdd,
  DHT = 0xc4,
  DAC = 0xcc;
export const SOF0 = 0xc0,
  SOF1 = 0xc1,
  SOF2 = 0xc2,
  SOF15 = 0xcf,
  RST0 = 0xd0,
  RST7 = 0xd7,
  TEM = 0x01;
const APP0 = 0xe0,
  APP14 = 0xee,
  APP15 = 0xef,
  COM = 0xfe;

const SOF_NAMES = Object.freeze([
  "baseline",
  "extended sequential",
  "progressive",
  "lossless",
  "",
  "differential sequential",
  "differential progressive",
  "differential lossless",
  "",
  "arithmetic extended sequential",
  "arithmetic progressive",
  "arithmetic lossless",
  "",
  "arithmetic differential sequential",
  "arithmetic differential progressive",
  "arithmetic differential lossless",
]);

/** Slot i: DHT class/destination defaults libjpeg-turbo installs (jstdhuff.c); DC 0/1 and AC 0/1. */
let standardSpecs: (number[] | undefined)[] | undefined;
function standardSpec(slot: number): number[] | undefined {
  const flat = (s: HuffmanSpec) => [...s.bits, ...s.values];
  standardSpecs ??= [
    flat(STD_DC_LUMINANCE),
    flat(STD_DC_CHROMINANCE),
    undefined,
    undefined,
    flat(STD_AC_LUMINANCE),
    flat(STD_AC_CHROMINANCE),
    undefined,
    undefined,
  ];
  return standardSpecs[slot];
}

/** What the markers before the luma scan have said about this JPEG; reset at each `decode`. */
export interface FrameState {
  readonly tables: HuffmanTables;
  readonly plan: ScanPlan;
  /** Slots a DHT of this JPEG has set. */
  readonly inFrame: Uint8Array;
  /** Entry 0 (the DC quantizer) of each table, and which tables are set. */
  readonly quant0: Int32Array;
  /** Entries 1 and 2 (zigzag): the quantizers of the first horizontal and vertical AC coefficients. */
  readonly quant1: Int32Array;
  readonly quant2: Int32Array;
  readonly quantSet: Uint8Array;
  readonly compId: Int32Array;
  readonly compH: Int32Array;
  readonly compV: Int32Array;
  readonly compTq: Int32Array;
  /** Frame component index of each scan component. */
  readonly scanComp: Int32Array;
  comps: number;
  width: number;
  height: number;
  hMax: number;
  vMax: number;
  restartInterval: number;
  sawJfif: boolean;
  adobeTransform: number;
}

/** One marker segment (T.81 §B.1.1.4): its code, where its marker is, its length and its parameters' span. */
export interface Segment {
  marker: number;
  at: number;
  length: number;
  /** First parameter byte. */
  p: number;
  /** Just past the segment: where the next marker (or the scan's entropy-coded data) starts. */
  end: number;
}

/** A fresh state with its tables and buffers; `resetFrame` clears it for each JPEG. */
export function createFrameState(): FrameState {
  return {
    tables: createHuffmanTables(),
    plan: createScanPlan(),
    inFrame: new Uint8Array(HUFFMAN_SLOTS),
    quant0: new Int32Array(4),
    quant1: new Int32Array(4),
    quant2: new Int32Array(4),
    quantSet: new Uint8Array(4),
    compId: new Int32Array(4),
    compH: new Int32Array(4),
    compV: new Int32Array(4),
    compTq: new Int32Array(4),
    scanComp: new Int32Array(4),
    comps: 0,
    width: 0,
    height: 0,
    hMax: 1,
    vMax: 1,
    restartInterval: 0,
    sawJfif: false,
    adobeTransform: -1,
  };
}

/** A JPEG never inherits another's tables: only the derived Huffman tables stay, as a cache that a DHT
 * carrying the same bytes reuses (camera frames repeat theirs). */
export function resetFrame(s: FrameState): void {
  s.inFrame.fill(0);
  s.quantSet.fill(0);
  s.comps = s.width = s.height = s.restartInterval = 0;
  s.hMax = s.vMax = 1;
  s.sawJfif = false;
  s.adobeTransform = -1;
}

/**
 * Reads the marker at `pos` into `seg` (T.81 §B.1.1.2: 0xFF then a code, after any number of 0xFF fill
 * bytes). Returns false for a parameterless RSTn or TEM, which is ignored as libjpeg does.
 */
export function readSegment(data: Uint8Array, pos: number, seg: Segment): boolean {
  const end = data.length;
  if (pos >= end) throw new JpegError("truncated", "data ends before the luma scan", pos);
  if (data[pos] !== 0xff)
    throw new JpegError("corrupt", `expected a marker, found byte 0x${data[pos].toString(16)}`, pos);
  while (pos + 1 < end && data[pos + 1] === 0xff) pos++;
  if (pos + 1 >= end) throw new JpegError("truncated", "data ends inside a marker", pos);
  const marker = data[pos + 1];
  seg.marker = marker;
  seg.at = pos;
  if ((marker >= RST0 && marker <= RST7) || marker === TEM) {
    seg.end = pos + 2;
    return false;
  }
  if (marker === SOI) throw new JpegError("corrupt", "a second SOI marker", pos);
  if (marker === EOI) throw new JpegError("corrupt", "EOI before any luma scan", pos);
  if (pos + 4 > end) throw new JpegError("truncated", "data ends inside a marker segment length", pos);
  const length = (data[pos + 2] << 8) | data[pos + 3];
  if (length < 2) throw new JpegError("corrupt", `marker 0x${marker.toString(16)} segment length ${length}`, pos);
  const segEnd = pos + 2 + length;
  if (segEnd > end)
    throw new JpegError(
      "truncated",
      `marker 0x${marker.toString(16)} segment of ${length} bytes runs past the end`,
      pos,
    );
  seg.length = length;
  seg.p = pos + 4;
  seg.end = segEnd;
  return true;
}

/** DQT, DHT, DRI and the APPn/COM/DNL segments, which are skipped once the colour hints are taken. */
export function readTableOrSkip(data: Uint8Array, seg: Segment, s: FrameState): void {
  const { marker, at, length, p } = seg;
  if (marker === DQT) readDqt(data, p, seg.end, s);
  else if (marker === DHT) readDht(data, p, seg.end, s);
  else if (marker === DRI) {
    if (length !== 4) throw new JpegError("corrupt", `DRI segment length ${length} (must be 4)`, at);
    s.restartInterval = (data[p] << 8) | data[p + 1];
  } else if (marker === APP0) {
    if (length >= 16 && hasTag(data, p, JFIF)) s.sawJfif = true;
  } else if (marker === APP14) {
    if (length >= 14 && hasTag(data, p, ADOBE)) s.adobeTransform = data[p + 11];
  } else if (marker === DAC) {
    throw new JpegError("unsupported", "arithmetic coding (DAC) is not supported", at);
  } else if (!((marker >= APP0 && marker <= APP15) || marker === COM || marker === DNL)) {
    throw new JpegError("corrupt", `unknown marker 0x${marker.toString(16)}`, at);
  }
}

/** "JFIF\0" (JFIF 1.02 APP0) and "Adobe" (Adobe TN 5116 APP14), the identifiers libjpeg checks. */
const JFIF = Object.freeze([0x4a, 0x46, 0x49, 0x46, 0]);
const ADOBE = Object.freeze([0x41, 0x64, 0x6f, 0x62, 0x65]);

function hasTag(data: Uint8Array, p: number, tag: readonly number[]): boolean {
  for (let i = 0; i < tag.length; i++) if (data[p + i] !== tag[i]) return false;
  return true;
}

/** §B.2.4.1: Pq/Tq, then 64 entries of 8 (Pq=0) or 16 (Pq=1) bits in zigzag order; entry 0 is the DC quantizer. */
function readDqt(data: Uint8Array, p: number, segEnd: number, s: FrameState): void {
  let q = p;
  while (q < segEnd) {
    const pq = data[q] >> 4,
      tq = data[q] & 15;
    if (pq > 1 || tq > 3) throw new JpegError("corrupt", `DQT Pq=${pq} Tq=${tq}`, q);
    const size = 64 * (pq + 1);
    if (q + 1 + size > segEnd) throw new JpegError("corrupt", "DQT segment shorter than its tables", q);
    s.quant0[tq] = pq ? (data[q + 1] << 8) | data[q + 2] : data[q + 1];
    s.quant1[tq] = pq ? (data[q + 3] << 8) | data[q + 4] : data[q + 2];
    s.quant2[tq] = pq ? (data[q + 5] << 8) | data[q + 6] : data[q + 3];
    s.quantSet[tq] = 1;
    q += 1 + size;
  }
}

/** §B.2.4.2: Tc/Th, 16 counts, the values; repeated. */
function readDht(data: Uint8Array, p: number, segEnd: number, s: FrameState): void {
  let q = p;
  while (q < segEnd) {
    const tc = data[q] >> 4,
      th = data[q] & 15;
    if (tc > 1 || th > 3) throw new JpegError("corrupt", `DHT Tc=${tc} Th=${th}`, q);
    if (q + 17 > segEnd) throw new JpegError("corrupt", "DHT segment shorter than its counts", q);
    const slot = tc * 4 + th;
    const view = data.subarray(q + 1, segEnd);
    q += 1 + loadHuffmanTable(s.tables, slot, view, 0, q);
    s.inFrame[slot] = 1;
  }
}

/** SOFn (§B.2.2): returns false when `seg` is not a frame header. Only SOF0 and SOF1 are decoded. */
export function readFrameHeader(data: Uint8Array, seg: Segment, s: FrameState): boolean {
  const { marker, at, length, p } = seg;
  if (marker < SOF0 || marker > SOF15 || marker === DHT || marker === DAC || marker === 0xc8) return false;
  if (s.comps) throw new JpegError("corrupt", "a second SOF marker", at);
  if (marker !== SOF0 && marker !== SOF1) {
    const name = SOF_NAMES[marker - SOF0];
    const hint = marker === SOF2 ? "; set the camera to baseline JPEG" : "";
    throw new JpegError(
      "unsupported",
      `${name} JPEG (SOF${marker - SOF0}) is not supported, only baseline and extended sequential Huffman${hint}`,
      at,
    );
  }
  // P, Y, X, Nf, then Ci, Hi/Vi, Tqi per component.
  if (length < 8) throw new JpegError("corrupt", `SOF segment length ${length}`, at);
  const precision = data[p];
  const height = (data[p + 1] << 8) | data[p + 2];
  const width = (data[p + 3] << 8) | data[p + 4];
  const nf = data[p + 5];
  if (precision !== 8) throw new JpegError("unsupported", `${precision}-bit samples (only 8-bit)`, at);
  if (length !== 8 + 3 * nf) throw new JpegError("corrupt", `SOF length ${length} for ${nf} components`, at);
  if (width === 0 || height === 0)
    throw new JpegError("unsupported", `frame size ${width}x${height} (a DNL-defined height is not supported)`, at);
  if (nf !== 1 && nf !== 3) throw new JpegError("unsupported", `${nf} components (only grayscale or Y/Cb/Cr)`, at);
  s.width = width;
  s.height = height;
  for (let c = 0; c < nf; c++) readFrameComponent(data, p + 6 + 3 * c, c, s);
  if (s.compH[0] !== s.hMax || s.compV[0] !== s.vMax)
    throw new JpegError(
      "unsupported",
      `luma sampled ${s.compH[0]}x${s.compV[0]} below the frame's ${s.hMax}x${s.vMax}`,
      at,
    );
  s.comps = nf;
  return true;
}

/** One SOF component specification at `q`: Ci, Hi/Vi, Tqi. */
function readFrameComponent(data: Uint8Array, q: number, c: number, s: FrameState): void {
  const { compId, compH, compV, compTq } = s;
  compId[c] = data[q];
  compH[c] = data[q + 1] >> 4;
  compV[c] = data[q + 1] & 15;
  compTq[c] = data[q + 2];
  if (compH[c] < 1 || compH[c] > 4 || compV[c] < 1 || compV[c] > 4)
    throw new JpegError("corrupt", `sampling factors ${compH[c]}x${compV[c]}`, q);
  if (compTq[c] > 3) throw new JpegError("corrupt", `quantization table ${compTq[c]}`, q);
  for (let d = 0; d < c; d++)
    if (compId[d] === compId[c]) throw new JpegError("corrupt", `duplicate component id ${compId[c]}`, q);
  if (compH[c] > s.hMax) s.hMax = compH[c];
  if (compV[c] > s.vMax) s.vMax = compV[c];
}

/**
 * SOS (§B.2.3): Ns, then Csj, Tdj/Taj per component, then Ss, Se, Ah/Al (ignored for sequential, as libjpeg
 * does). Returns true with `s.plan` filled when the scan holds luma; false for a scan to skip.
 */
export function readSos(data: Uint8Array, seg: Segment, s: FrameState): boolean {
  const { at, length, p } = seg;
  const { comps, compId, scanComp } = s;
  if (!comps) throw new JpegError("corrupt", "SOS before SOF", at);
  if (comps === 3 && isRgb(s.sawJfif, s.adobeTransform, compId))
    throw new JpegError("unsupported", "RGB JPEG (no luma component)", at);
  const ns = length > 2 ? data[p] : 0;
  if (ns < 1 || ns > 4 || length !== 6 + 2 * ns)
    throw new JpegError("corrupt", `SOS with ${ns} components and length ${length}`, at);
  let hasLuma = false;
  for (let j = 0; j < ns; j++) {
    const id = data[p + 1 + 2 * j];
    let c = 0;
    while (c < comps && compId[c] !== id) c++;
    if (c === comps) throw new JpegError("corrupt", `SOS names component ${id}, not in the frame`, at);
    for (let k = 0; k < j; k++)
      if (scanComp[k] === c) throw new JpegError("corrupt", `SOS names component ${id} twice`, at);
    scanComp[j] = c;
    if (c === 0) hasLuma = true;
  }
  if (!hasLuma) return false;
  if (!s.quantSet[s.compTq[0]])
    throw new JpegError("corrupt", `luma quantization table ${s.compTq[0]} was never defined`, at);
  planScan(data, p, ns, at, s);
  s.plan.restartInterval = s.restartInterval;
  s.plan.q0 = s.quant0[s.compTq[0]];
  s.plan.q1 = s.quant1[s.compTq[0]];
  s.plan.q2 = s.quant2[s.compTq[0]];
  return true;
}

/** Fills `s.plan` for the scan whose component selectors are at `p` (T.81 §A.2.2 non-interleaved, §A.2.3 interleaved). */
function planScan(data: Uint8Array, p: number, ns: number, at: number, s: FrameState): void {
  const { plan, compH, compV, scanComp } = s;
  let blocks = 0;
  if (ns === 1) {
    // One component: an MCU is one block, over the component's own block grid (luma is at full sampling).
    plan.mcusX = Math.ceil(s.width / 8);
    plan.mcusY = Math.ceil(s.height / 8);
    plan.lumaPerMcuX = plan.lumaPerMcuY = 1;
  } else {
    plan.mcusX = Math.ceil(s.width / (8 * s.hMax));
    plan.mcusY = Math.ceil(s.height / (8 * s.vMax));
    plan.lumaPerMcuX = compH[0];
    plan.lumaPerMcuY = compV[0];
  }
  for (let j = 0; j < ns; j++) {
    const c = scanComp[j];
    const td = data[p + 2 + 2 * j] >> 4,
      ta = data[p + 2 + 2 * j] & 15;
    if (td > 3 || ta > 3) throw new JpegError("corrupt", `SOS Huffman tables Td=${td} Ta=${ta}`, at);
    requireTable(td, at, s);
    requireTable(4 + ta, at, s);
    const h = ns === 1 ? 1 : compH[c],
      v = ns === 1 ? 1 : compV[c];
    for (let y = 0; y < v; y++) {
      for (let x = 0; x < h; x++) {
        if (blocks === MAX_BLOCKS_IN_MCU)
          throw new JpegError("corrupt", `more than ${MAX_BLOCKS_IN_MCU} blocks in an MCU`, at);
        plan.dcSlot[blocks] = td;
        plan.acSlot[blocks] = 4 + ta;
        plan.predictor[blocks] = j;
        plan.lumaX[blocks] = c === 0 ? x : -1;
        plan.lumaY[blocks] = c === 0 ? y : -1;
        blocks++;
      }
    }
  }
  plan.blocksInMcu = blocks;
}

/** A scan's table that no DHT of this JPEG set: libjpeg-turbo's standard one (jstdhuff.c), where it has one. */
function requireTable(slot: number, at: number, s: FrameState): void {
  if (s.inFrame[slot]) return;
  const spec = standardSpec(slot);
  if (!spec)
    throw new JpegError("corrupt", `scan uses ${slot < 4 ? "DC" : "AC"} Huffman table ${slot & 3}, never defined`, at);
  loadHuffmanTable(s.tables, slot, spec, 0, at);
  s.inFrame[slot] = 1;
}

/** libjpeg's colour-space guess for three components (jdapimin.c default_decompress_parms): JFIF means
 * YCbCr; else an Adobe APP14 transform of 0 means RGB; else component ids 'R', 'G', 'B' mean RGB. */
function isRgb(sawJfif: boolean, adobeTransform: number, ids: Int32Array): boolean {
  if (sawJfif) return false;
  if (adobeTransform >= 0) return adobeTransform === 0;
  return ids[0] === 0x52 && ids[1] === 0x47 && ids[2] === 0x42;
}
