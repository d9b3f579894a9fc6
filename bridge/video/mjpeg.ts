// SPDX-License-Identifier: MIT
// MJPEG over HTTP as browsers and Home Assistant's "MJPEG IP Camera" read it: one response of
// `multipart/x-mixed-replace` (RFC 2046 §5.1 framing), each part a JPEG with its Content-Length.
import type { OpenedFrame } from "./opened-frame.js";

/** The multipart boundary; JPEG bytes are never scanned for it, since every part carries its Content-Length. */
export const MJPEG_BOUNDARY = "doorbellframe";
export const MJPEG_CONTENT_TYPE = `multipart/x-mixed-replace; boundary=${MJPEG_BOUNDARY}`;

/**
 * One part: the delimiter, `Content-Type: image/jpeg`, `Content-Length`, and two headers of ours:
 * `X-Capture-Ms` (the device's capture time, Unix ms) and `X-Frame-Index` (the index in the device's stream).
 */
export function mjpegPart(frame: Pick<OpenedFrame, "jpeg" | "captureMs" | "index">): Buffer {
  const head =
    `--${MJPEG_BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${frame.jpeg.length}\r\n` +
    `X-Capture-Ms: ${frame.captureMs}\r\nX-Frame-Index: ${frame.index}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), frame.jpeg, Buffer.from("\r\n", "latin1")]);
}

export interface MjpegPart {
  headers: Record<string, string>;
  jpeg: Uint8Array;
}

/**
 * Reads parts back from the bytes of a stream as they arrive (for tests, the bench and diagnostics). Needs
 * Content-Length in each part; throws on anything else, naming what it found.
 */
export function createMjpegReader(onPart: (part: MjpegPart) => void): (chunk: Uint8Array) => void {
  let buffer = Buffer.alloc(0);
  return (chunk) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : Buffer.from(chunk);
    for (let guard = 0; guard < 10_000; guard++) {
      const headEnd = buffer.indexOf("\r\n\r\n");
      if (headEnd < 0) return;
      const lines = buffer.subarray(0, headEnd).toString("latin1").split("\r\n").filter(Boolean);
      if (lines[0] !== `--${MJPEG_BOUNDARY}`)
        throw new Error(`mjpeg: expected the boundary, got ${lines[0]?.slice(0, 40)}`);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers["content-length"]);
      if (!Number.isSafeInteger(length)) throw new Error("mjpeg: a part without Content-Length");
      const end = headEnd + 4 + length;
      if (buffer.length < end + 2) return;
      onPart({ headers, jpeg: new Uint8Array(buffer.subarray(headEnd + 4, end)) });
      buffer = buffer.subarray(end + 2);
    }
  };
}
