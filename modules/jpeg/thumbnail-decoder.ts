// SPDX-License-Identifier: MIT
// JPEG -> DC luma thumbnail, 1/8 scale: walks the markers of a baseline (or 8-bit extended sequential)
// Huffman JPEG (ITU T.81 Annex B) and decodes the scan holding the luma component. Output is
// byte-identical to libjpeg-turbo's `djpeg -grayscale -scale 1/8`; buffers are reused across frames.
import { JpegError } from "./jpeg-error.js";
import { createHuffmanTables, HUFFMAN_SLOTS, loadHuffmanTable } from "./huffman-tables.js";
import { createScanPlan, decodeLumaScan, MAX_BLOCKS_IN_MCU, nextMarker } from "./luma-scan.js";
import {
  STD_AC_CHROMINANCE,
  STD_AC_LUMINANCE,
  STD_DC_CHROMINANCE,
  STD_DC_LUMINANCE,
  type HuffmanSpec,
} from "./standard-huffman.js";

/** A thumbnail: one byte per 8x8 block of the frame, row-major, `ceil(w/8)` x `ceil(h/8)`. */
export interface Thumbnail {
  /** Cells across and down: ceil(frameWidth / 8) x ceil(frameHeight / 8). */
  readonly width: number;
  readonly height: number;
  /** The JPEG's own size in pixels (T.81 §B.2.2 X and Y). */
  readonly frameWidth: number;
  readonly frameHeight: number;
  /** Mean luma per block, 0..255. From a `ThumbnailDecoder`: valid only until its next `decode`. */
  readonly luma: Uint8Array;
}

export interface ThumbnailDecoderOptions {
  /** Largest thumbnail accepted, in cells (bytes); bigger frames throw JpegError("too-large"). */
  maxCells?: number;
}

export interface ThumbnailDecoder {
  /**
   * Decodes `jpeg`; throws JpegError on anything it cannot decode exactly. The thumbnail and its `luma` are
   * reused: valid until the next `decode`. Allocates only when a frame's size differs from the last one's.
   */
  decode(jpeg: Uint8Array): Thumbnail;
}

/** Default `maxCells`: a 4096 x 4096 frame. VGA needs 4,800; UXGA 30,000. */
export const DEFAULT_MAX_CELLS = 512 * 512;

// Marker codes (T.81 Table B.1).
const SOI = 0xd8,
  EOI = 0xd9,
  SOS = 0xda,
  DQT = 0xdb,
  DNL = 0xdc,
  DRI = 0xdd,
  DHT = 0xc4,
  DAC = 0xcc;
const SOF0 = 0xc0,
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

const SOF_NAMES = [
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
];

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

/** Creates a decoder that keeps its tables, output buffer and thumbnail between frames. */
export function createThumbnailDecoder(options: ThumbnailDecoderOptions = {}): ThumbnailDecoder {
  const maxCells = options.maxCells ?? DEFAULT_MAX_CELLS;
  const tables = createHuffmanTables();
  const plan = createScanPlan();
  const inFrame = new Uint8Array(HUFFMAN_SLOTS); // slots a DHT of this JPEG has set
  const quant0 = new Int32Array(4);
  const quantSet = new Uint8Array(4);
  const compId = new Int32Array(4),
    compH = new Int32Array(4),
    compV = new Int32Array(4),
    compTq = new Int32Array(4);
  const scanComp = new Int32Array(4);
  let buffer = new Uint8Array(0);
  let last: Thumbnail | undefined;

  function decode(data: Uint8Array): Thumbnail {
    const end = data.length;
    if (end < 2 || data[0] !== 0xff || data[1] !== SOI)
      throw new JpegError("not-jpeg", "no SOI marker (0xFFD8) at the start", 0);
    // A JPEG never inherits another's tables: only the derived tables stay, as a cache that a DHT
    // carrying the same bytes reuses (camera frames repeat theirs).
    inFrame.fill(0);
    quantSet.fill(0);
    let comps = 0,
      width = 0,
      height = 0,
      hMax = 1,
      vMax = 1;
    let restartInterval = 0;
    let sawJfif = false,
      adobeTransform = -1;
    let pos = 2;

    for (;;) {
      // T.81 §B.1.1.2: a marker is 0xFF then a code; any number of 0xFF fill bytes may precede it.
      if (pos >= end) throw new JpegError("truncated", "data ends before the luma scan", pos);
      if (data[pos] !== 0xff)
        throw new JpegError("corrupt", `expected a marker, found byte 0x${data[pos].toString(16)}`, pos);
      while (pos + 1 < end && data[pos + 1] === 0xff) pos++;
      if (pos + 1 >= end) throw new JpegError("truncated", "data ends inside a marker", pos);
      const marker = data[pos + 1];
      const at = pos;
      if ((marker >= RST0 && marker <= RST7) || marker === TEM) {
        pos += 2;
        continue;
      } // parameterless, ignored as libjpeg does
      if (marker === SOI) throw new JpegError("corrupt", "a second SOI marker", at);
      if (marker === EOI) throw new JpegError("corrupt", "EOI before any luma scan", at);
      if (pos + 4 > end) throw new JpegError("truncated", "data ends inside a marker segment length", at);
      const length = (data[pos + 2] << 8) | data[pos + 3];
      if (length < 2) throw new JpegError("corrupt", `marker 0x${marker.toString(16)} segment length ${length}`, at);
      const p = pos + 4;
      const segEnd = pos + 2 + length;
      if (segEnd > end)
        throw new JpegError(
          "truncated",
          `marker 0x${marker.toString(16)} segment of ${length} bytes runs past the end`,
          at,
        );
      pos = segEnd;

      if (marker === DQT) {
        // §B.2.4.1: Pq/Tq, then 64 entries of 8 (Pq=0) or 16 (Pq=1) bits in zigzag order; entry 0 is the DC quantizer.
        let q = p;
        while (q < segEnd) {
          const pq = data[q] >> 4,
            tq = data[q] & 15;
          if (pq > 1 || tq > 3) throw new JpegError("corrupt", `DQT Pq=${pq} Tq=${tq}`, q);
          const size = 64 * (pq + 1);
          if (q + 1 + size > segEnd) throw new JpegError("corrupt", "DQT segment shorter than its tables", q);
          quant0[tq] = pq ? (data[q + 1] << 8) | data[q + 2] : data[q + 1];
          quantSet[tq] = 1;
          q += 1 + size;
        }
      } else if (marker === DHT) {
        // §B.2.4.2: Tc/Th, 16 counts, the values; repeated.
        let q = p;
        while (q < segEnd) {
          const tc = data[q] >> 4,
            th = data[q] & 15;
          if (tc > 1 || th > 3) throw new JpegError("corrupt", `DHT Tc=${tc} Th=${th}`, q);
          if (q + 17 > segEnd) throw new JpegError("corrupt", "DHT segment shorter than its counts", q);
          const slot = tc * 4 + th;
          const view = data.subarray(q + 1, segEnd);
          q += 1 + loadHuffmanTable(tables, slot, view, 0, q);
          inFrame[slot] = 1;
        }
      } else if (marker === DRI) {
        if (length !== 4) throw new JpegError("corrupt", `DRI segment length ${length} (must be 4)`, at);
        restartInterval = (data[p] << 8) | data[p + 1];
      } else if (marker >= SOF0 && marker <= SOF15 && marker !== DHT && marker !== DAC && marker !== 0xc8) {
        if (comps) throw new JpegError("corrupt", "a second SOF marker", at);
        if (marker !== SOF0 && marker !== SOF1) {
          const name = SOF_NAMES[marker - SOF0];
          const hint = marker === SOF2 ? "; set the camera to baseline JPEG" : "";
          throw new JpegError(
            "unsupported",
            `${name} JPEG (SOF${marker - SOF0}) is not supported, only baseline and extended sequential Huffman${hint}`,
            at,
          );
        }
        // §B.2.2: P, Y, X, Nf, then Ci, Hi/Vi, Tqi per component.
        if (length < 8) throw new JpegError("corrupt", `SOF segment length ${length}`, at);
        const precision = data[p];
        height = (data[p + 1] << 8) | data[p + 2];
        width = (data[p + 3] << 8) | data[p + 4];
        const nf = data[p + 5];
        if (precision !== 8) throw new JpegError("unsupported", `${precision}-bit samples (only 8-bit)`, at);
        if (length !== 8 + 3 * nf) throw new JpegError("corrupt", `SOF length ${length} for ${nf} components`, at);
        if (width === 0 || height === 0)
          throw new JpegError(
            "unsupported",
            `frame size ${width}x${height} (a DNL-defined height is not supported)`,
            at,
          );
        if (nf !== 1 && nf !== 3)
          throw new JpegError("unsupported", `${nf} components (only grayscale or Y/Cb/Cr)`, at);
        for (let c = 0; c < nf; c++) {
          const q = p + 6 + 3 * c;
          compId[c] = data[q];
          compH[c] = data[q + 1] >> 4;
          compV[c] = data[q + 1] & 15;
          compTq[c] = data[q + 2];
          if (compH[c] < 1 || compH[c] > 4 || compV[c] < 1 || compV[c] > 4)
            throw new JpegError("corrupt", `sampling factors ${compH[c]}x${compV[c]}`, q);
          if (compTq[c] > 3) throw new JpegError("corrupt", `quantization table ${compTq[c]}`, q);
          for (let d = 0; d < c; d++)
            if (compId[d] === compId[c]) throw new JpegError("corrupt", `duplicate component id ${compId[c]}`, q);
          if (compH[c] > hMax) hMax = compH[c];
          if (compV[c] > vMax) vMax = compV[c];
        }
        if (compH[0] !== hMax || compV[0] !== vMax) {
          throw new JpegError(
            "unsupported",
            `luma sampled ${compH[0]}x${compV[0]} below the frame's ${hMax}x${vMax}`,
            at,
          );
        }
        comps = nf;
        const cells = Math.ceil(width / 8) * Math.ceil(height / 8);
        if (cells > maxCells)
          throw new JpegError("too-large", `a ${width}x${height} frame needs ${cells} cells (limit ${maxCells})`, at);
        if (buffer.length < cells) buffer = new Uint8Array(cells);
      } else if (marker === SOS) {
        if (!comps) throw new JpegError("corrupt", "SOS before SOF", at);
        if (comps === 3 && isRgb(sawJfif, adobeTransform, compId))
          throw new JpegError("unsupported", "RGB JPEG (no luma component)", at);
        // §B.2.3: Ns, then Csj, Tdj/Taj per component, then Ss, Se, Ah/Al (ignored for sequential, as libjpeg does).
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
        if (!hasLuma) {
          pos = skipScan(data, pos);
          continue;
        }
        if (!quantSet[compTq[0]])
          throw new JpegError("corrupt", `luma quantization table ${compTq[0]} was never defined`, at);
        planScan(data, p, ns, width, height, hMax, vMax, at);
        plan.restartInterval = restartInterval;
        plan.q0 = quant0[compTq[0]];
        const outWidth = Math.ceil(width / 8),
          outHeight = Math.ceil(height / 8);
        decodeLumaScan(data, pos, plan, tables, buffer, outWidth, outHeight);
        if (!last || last.frameWidth !== width || last.frameHeight !== height || last.luma.buffer !== buffer.buffer) {
          last = {
            width: outWidth,
            height: outHeight,
            frameWidth: width,
            frameHeight: height,
            luma: buffer.subarray(0, outWidth * outHeight),
          };
        }
        return last;
      } else if (marker === APP0) {
        if (
          length >= 16 &&
          data[p] === 0x4a &&
          data[p + 1] === 0x46 &&
          data[p + 2] === 0x49 &&
          data[p + 3] === 0x46 &&
          data[p + 4] === 0
        )
          sawJfif = true;
      } else if (marker === APP14) {
        if (
          length >= 14 &&
          data[p] === 0x41 &&
          data[p + 1] === 0x64 &&
          data[p + 2] === 0x6f &&
          data[p + 3] === 0x62 &&
          data[p + 4] === 0x65
        )
          adobeTransform = data[p + 11];
      } else if (marker === DAC) {
        throw new JpegError("unsupported", "arithmetic coding (DAC) is not supported", at);
      } else if (!((marker >= APP0 && marker <= APP15) || marker === COM || marker === DNL)) {
        throw new JpegError("corrupt", `unknown marker 0x${marker.toString(16)}`, at);
      }
    }

    /** Fills `plan` for the scan whose component selectors are at `p` (T.81 §A.2.2 non-interleaved, §A.2.3 interleaved). */
    function planScan(
      data: Uint8Array,
      p: number,
      ns: number,
      width: number,
      height: number,
      hMax: number,
      vMax: number,
      at: number,
    ): void {
      let blocks = 0;
      if (ns === 1) {
        // One component: an MCU is one block, over the component's own block grid (luma is at full sampling).
        plan.mcusX = Math.ceil(width / 8);
        plan.mcusY = Math.ceil(height / 8);
        plan.lumaPerMcuX = plan.lumaPerMcuY = 1;
      } else {
        plan.mcusX = Math.ceil(width / (8 * hMax));
        plan.mcusY = Math.ceil(height / (8 * vMax));
        plan.lumaPerMcuX = compH[0];
        plan.lumaPerMcuY = compV[0];
      }
      for (let j = 0; j < ns; j++) {
        const c = scanComp[j];
        const td = data[p + 2 + 2 * j] >> 4,
          ta = data[p + 2 + 2 * j] & 15;
        if (td > 3 || ta > 3) throw new JpegError("corrupt", `SOS Huffman tables Td=${td} Ta=${ta}`, at);
        requireTable(td, at);
        requireTable(4 + ta, at);
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

    function requireTable(slot: number, at: number): void {
      if (inFrame[slot]) return;
      const spec = standardSpec(slot);
      if (!spec)
        throw new JpegError(
          "corrupt",
          `scan uses ${slot < 4 ? "DC" : "AC"} Huffman table ${slot & 3}, never defined`,
          at,
        );
      loadHuffmanTable(tables, slot, spec, 0, at);
      inFrame[slot] = 1;
    }
  }

  return { decode };
}

/** libjpeg's colour-space guess for three components (jdapimin.c default_decompress_parms): JFIF means
 * YCbCr; else an Adobe APP14 transform of 0 means RGB; else component ids 'R', 'G', 'B' mean RGB. */
function isRgb(sawJfif: boolean, adobeTransform: number, ids: Int32Array): boolean {
  if (sawJfif) return false;
  if (adobeTransform >= 0) return adobeTransform === 0;
  return ids[0] === 0x52 && ids[1] === 0x47 && ids[2] === 0x42;
}

/** Skips a scan that holds no luma: to the next marker that is not RSTn. */
function skipScan(data: Uint8Array, pos: number): number {
  for (;;) {
    pos = nextMarker(data, pos);
    if (pos >= data.length) throw new JpegError("truncated", "data ends inside a scan", pos);
    const m = data[pos + 1];
    if (m < RST0 || m > RST7) return pos;
    pos += 2;
  }
}

/** Decodes one JPEG into a fresh thumbnail (allocates; prefer `createThumbnailDecoder` per frame stream). */
export function decodeThumbnail(jpeg: Uint8Array, options?: ThumbnailDecoderOptions): Thumbnail {
  const t = createThumbnailDecoder(options).decode(jpeg);
  return { ...t, luma: t.luma.slice() };
}
