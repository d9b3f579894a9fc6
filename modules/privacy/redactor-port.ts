// SPDX-License-Identifier: MIT
// The redactor as the firmware sees it (docs/privacy.md): JPEG bytes and a cell mask in, a redacted JPEG or a
// refusal with a stable code out. The TypeScript redactor and the device's native C one give the same bytes.

/** One byte per 8x8 block of luma-resolution pixels, row by row; 1 = touched by a zone. */
export interface CellMask {
  /** ceil(width / 8) of the image. */
  widthCells: number;
  /** ceil(height / 8) of the image. */
  heightCells: number;
  cells: Uint8Array;
}

export type RedactResult =
  | { ok: true; jpeg: Uint8Array; mcusRedacted: number }
  | { ok: false; reason: string; code: string };

/** Blanks the masked MCUs inside a baseline JPEG; never throws, and never returns a picture it could not redact. */
export interface JpegRedactor {
  /** `grey`: the flat luma, 0..255. A mask whose size does not match the image is refused. */
  redact(jpeg: Uint8Array, mask: CellMask, options: { grey: number }): RedactResult;
}
