// SPDX-License-Identifier: MIT
// A JPEG's frame size from its SOFn header (ITU T.81 §B.2.2), read without decoding: the size a zone mask must
// have. Undefined for anything that is not a JPEG with a frame header before its first scan.

/** Width and height in pixels, or undefined when `jpeg` has no readable frame header. */
export function jpegFrameSize(jpeg: Uint8Array): { width: number; height: number } | undefined {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return undefined;
  let pos = 2;
  while (pos + 4 <= jpeg.length) {
    if (jpeg[pos] !== 0xff) return undefined;
    const marker = jpeg[pos + 1];
    if (marker === 0xff) {
      pos++; // a fill byte (§B.1.1.2)
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // EOI or SOS before any frame header
    const length = (jpeg[pos + 2] << 8) | jpeg[pos + 3];
    if (length < 2) return undefined;
    const isFrameHeader = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrameHeader) {
      if (length < 8 || pos + 9 > jpeg.length) return undefined;
      const height = (jpeg[pos + 5] << 8) | jpeg[pos + 6];
      const width = (jpeg[pos + 7] << 8) | jpeg[pos + 8];
      return width > 0 && height > 0 ? { width, height } : undefined;
    }
    pos += 2 + length;
  }
  return undefined;
}
