// SPDX-License-Identifier: MIT
// A reusable baseline JPEG encoder (jpeg-js's). jpeg-js's `encode()` builds its tables anew on every call,
// which costs about 75 ms; keeping one encoder brings a 640x480 frame down to about 20 ms.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

export interface JpegEncoder {
  /** Encodes RGBA pixels (width*height*4) as a baseline JPEG. */
  encode(rgba: Uint8Array, width: number, height: number): Uint8Array;
}

interface JpegJsEncoder {
  encode(image: { data: Uint8Array; width: number; height: number }, quality: number): Buffer | Uint8Array;
}

let encoderClass: (new (quality: number) => JpegJsEncoder) | undefined;

/** jpeg-js exports only the one-shot `encode`; its encoder class is read from the same file. */
function jpegJsEncoderClass(): new (quality: number) => JpegJsEncoder {
  if (encoderClass) return encoderClass;
  const require = createRequire(import.meta.url);
  const source = readFileSync(require.resolve("jpeg-js/lib/encoder.js"), "utf8");
  encoderClass = new Function("module", "require", `${source}\nreturn JPEGEncoder;`)({}, require) as new (
    quality: number,
  ) => JpegJsEncoder;
  return encoderClass;
}

/** An encoder at `quality` (1-100). */
export function createJpegEncoder(quality = 70): JpegEncoder {
  const encoder = new (jpegJsEncoderClass())(quality);
  return {
    encode(rgba, width, height) {
      const out = encoder.encode({ data: rgba, width, height }, quality);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    },
  };
}
