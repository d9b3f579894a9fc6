// SPDX-License-Identifier: MIT
// JPEG -> DC luma thumbnail, 1/8 scale: walks the markers of a baseline (or 8-bit extended sequential)
// Huffman JPEG (ITU T.81 Annex B) and decodes the scan holding the luma component. Output is
// byte-identical to libjpeg-turbo's `djpeg -grayscale -scale 1/8`; buffers are reused across frames.
import { JpegError } from "./jpeg-error.js";
import { decodeLumaScan, nextMarker } from "./luma-scan.js";
import {
  createFrameState,
  RST0,
  RST7,
  readFrameHeader,
  readSegment,
  readSos,
  readTableOrSkip,
  resetFrame,
  SOI,
  SOS,
  type Segment,
} from "./marker-segments.js";

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
  /**
   * With `gradients: true` only: per cell, the dequantized first horizontal and vertical AC coefficients of its
   * luma block (zigzag 1 and 2; 2 x width x height, row-major), which say how the block's left and right, top
   * and bottom halves differ (sub-cells.ts uses them).
   */
  readonly gradients?: Int16Array;
}

export interface ThumbnailDecoderOptions {
  /** Largest thumbnail accepted, in cells (bytes); bigger frames throw JpegError("too-large"). */
  maxCells?: number;
  /** Also decode each luma block's first two AC coefficients (Thumbnail.gradients); slower. */
  gradients?: boolean;
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

/** Creates a decoder that keeps its tables, output buffer and thumbnail between frames. */
export function createThumbnailDecoder(options: ThumbnailDecoderOptions = {}): ThumbnailDecoder {
  const maxCells = options.maxCells ?? DEFAULT_MAX_CELLS;
  const s = createFrameState();
  const seg: Segment = { marker: 0, at: 0, length: 0, p: 0, end: 0 };
  let buffer = new Uint8Array(0);
  let gradients = new Int16Array(0);
  let last: Thumbnail | undefined;

  function decode(data: Uint8Array): Thumbnail {
    if (data.length < 2 || data[0] !== 0xff || data[1] !== SOI)
      throw new JpegError("not-jpeg", "no SOI marker (0xFFD8) at the start", 0);
    resetFrame(s);
    let pos = 2;
    for (;;) {
      const parameterless = !readSegment(data, pos, seg);
      pos = seg.end;
      if (parameterless) continue;
      if (seg.marker === SOS) {
        if (readSos(data, seg, s)) return decodeScan(data, pos);
        pos = skipScan(data, pos);
      } else if (readFrameHeader(data, seg, s)) {
        const cells = Math.ceil(s.width / 8) * Math.ceil(s.height / 8);
        if (cells > maxCells)
          throw new JpegError(
            "too-large",
            `a ${s.width}x${s.height} frame needs ${cells} cells (limit ${maxCells})`,
            seg.at,
          );
        if (buffer.length < cells) buffer = new Uint8Array(cells);
        if (options.gradients && gradients.length < 2 * cells) gradients = new Int16Array(2 * cells);
      } else readTableOrSkip(data, seg, s);
    }
  }

  /** Decodes the luma scan whose entropy-coded data starts at `pos`, into the reused thumbnail. */
  function decodeScan(data: Uint8Array, pos: number): Thumbnail {
    const { width, height } = s;
    const outWidth = Math.ceil(width / 8),
      outHeight = Math.ceil(height / 8);
    const withGradients = options.gradients ? gradients : undefined;
    if (withGradients) withGradients.fill(0);
    decodeLumaScan(data, pos, s.plan, s.tables, buffer, outWidth, outHeight, withGradients);
    if (!last || last.frameWidth !== width || last.frameHeight !== height || last.luma.buffer !== buffer.buffer) {
      last = {
        width: outWidth,
        height: outHeight,
        frameWidth: width,
        frameHeight: height,
        luma: buffer.subarray(0, outWidth * outHeight),
        ...(withGradients ? { gradients: withGradients.subarray(0, 2 * outWidth * outHeight) } : {}),
      };
    }
    return last;
  }

  return { decode };
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
