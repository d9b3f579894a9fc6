// SPDX-License-Identifier: MIT
// Reads the Windows BMP files CDnet ships as ROI.bmp: uncompressed 8-bit (palette) or 24/32-bit, bottom-up
// or top-down. Returns one grey value per pixel (palette colours resolved), row 0 at the top.

export interface GrayImage {
  width: number;
  height: number;
  gray: Uint8Array;
}

export function readBmpGray(bytes: Uint8Array): GrayImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 54 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) throw new Error("not a BMP file (no 'BM' header)");
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  const bpp = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  if (compression !== 0) throw new Error(`BMP compression ${compression} is not supported (only uncompressed)`);
  if (bpp !== 8 && bpp !== 24 && bpp !== 32) throw new Error(`${bpp}-bit BMP is not supported (8, 24 or 32)`);
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  const rowBytes = Math.ceil((width * bpp) / 32) * 4;
  const palette = 14 + headerSize;
  const gray = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      let b: number, g: number, r: number;
      if (bpp === 8) {
        const entry = palette + 4 * bytes[row + x];
        [b, g, r] = [bytes[entry], bytes[entry + 1], bytes[entry + 2]];
      } else {
        const at = row + x * (bpp / 8);
        [b, g, r] = [bytes[at], bytes[at + 1], bytes[at + 2]];
      }
      gray[y * width + x] = Math.round((r + g + b) / 3);
    }
  }
  return { width, height, gray };
}
