// SPDX-License-Identifier: MIT
// The thumbnail decoder on the ESP32: doorbell_thumb.c through thumb-xs.c, behind the same ThumbnailDecoder interface
// as the TypeScript one (modules/jpeg/), with the same output and the same JpegError codes.
import { JpegError, type JpegErrorCode } from "../../../modules/jpeg/jpeg-error.js";
import type { Thumbnail, ThumbnailDecoder } from "../../../modules/jpeg/thumbnail-decoder.js";

// XS resolves native("…") at compile time to the C host function of that name (see crypto.ts).
// biome-ignore lint/suspicious/noExplicitAny: XS's native() returns an untyped host function; each use is typed at its call
declare function native(name: string): (...args: any[]) => any;

/** Default largest thumbnail: a UXGA (1600x1200) frame. VGA, the doorbell's size, needs 4,800 cells. */
export const NATIVE_MAX_CELLS = 200 * 150;

/** doorbell_thumb.h status -> JpegError code, indexed by -status. */
const CODES: readonly JpegErrorCode[] = Object.freeze([
  "not-jpeg",
  "not-jpeg",
  "truncated",
  "corrupt",
  "unsupported",
  "too-large",
]);

/**
 * Creates a decoder over the native module. The output buffer (`maxCells` bytes) is allocated once; a
 * thumbnail's `luma` is valid until the next `decode`. Errors are JpegError, as from the TypeScript decoder.
 */
export function createNativeThumbnailDecoder(options: { maxCells?: number } = {}): ThumbnailDecoder {
  const decode = native("xs_doorbell_thumbnail_decode") as (
    jpeg: Uint8Array,
    out: ArrayBuffer,
    info: ArrayBuffer,
  ) => number;
  const detail = native("xs_doorbell_thumbnail_detail") as () => string;
  const out = new ArrayBuffer(options.maxCells ?? NATIVE_MAX_CELLS);
  const infoBuffer = new ArrayBuffer(20); // xsmc takes byte buffers only: read back as int32s
  const info = new Int32Array(infoBuffer);
  let last: Thumbnail | undefined;
  return {
    decode(jpeg) {
      const status = decode(jpeg, out, infoBuffer);
      if (status !== 0) throw new JpegError(CODES[-status] ?? "corrupt", detail(), info[4]);
      if (
        !last ||
        last.width !== info[0] ||
        last.height !== info[1] ||
        last.frameWidth !== info[2] ||
        last.frameHeight !== info[3]
      ) {
        last = {
          width: info[0],
          height: info[1],
          frameWidth: info[2],
          frameHeight: info[3],
          luma: new Uint8Array(out, 0, info[0] * info[1]),
        };
      }
      return last;
    },
  };
}
