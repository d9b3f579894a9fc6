// SPDX-License-Identifier: MIT
// The one error the JPEG thumbnail decoder throws: a code to branch on and a message that says what was
// wrong and where. Corrupt or truncated input always ends here, never in a crash or an out-of-bounds read.

/**
 * - `not-jpeg`: no SOI marker (T.81 §B.2.1) at the start;
 * - `truncated`: the data ends before the luma scan is complete;
 * - `corrupt`: a malformed marker segment, Huffman table or entropy-coded data;
 * - `unsupported`: valid JPEG outside baseline/extended-sequential 8-bit Huffman Y(CbCr) or grayscale
 *   (progressive, lossless, arithmetic coding, 12-bit, CMYK, RGB, luma not at full sampling);
 * - `too-large`: the thumbnail would exceed the decoder's `maxCells` (the redactor's: its `maxCells`);
 * - `missing-code` (redactor only): re-encoding needs a symbol, such as EOB or a DC category, that the
 *   image's own Huffman table has no code for.
 */
export type JpegErrorCode = "not-jpeg" | "truncated" | "corrupt" | "unsupported" | "too-large" | "missing-code";

/** Thrown by the thumbnail decoder; `offset` is the byte position in the JPEG where it gave up. */
export class JpegError extends Error {
  // A defined field, not an assignment: XS freezes Error.prototype after preload (reference/moddable.md §10).
  override readonly name = "JpegError";
  readonly code: JpegErrorCode;
  readonly offset: number;

  constructor(code: JpegErrorCode, message: string, offset: number) {
    super(`jpeg ${code} at byte ${offset}: ${message}`);
    this.code = code;
    this.offset = offset;
  }
}
