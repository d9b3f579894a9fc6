// SPDX-License-Identifier: MIT
// Binary PGM (P5, Netpbm) of a thumbnail, in the exact bytes djpeg -pnm writes: "P5\n<w> <h>\n255\n" then
// one byte per cell, row by row. For `npm run thumb` and for tests that compare with libjpeg-turbo; not firmware.
import type { Thumbnail } from "../modules/jpeg/thumbnail-decoder.js";

export function encodePgm(t: Pick<Thumbnail, "width" | "height" | "luma">): Uint8Array {
  const header = `P5\n${t.width} ${t.height}\n255\n`;
  const out = new Uint8Array(header.length + t.width * t.height);
  for (let i = 0; i < header.length; i++) out[i] = header.charCodeAt(i);
  out.set(t.luma.subarray(0, t.width * t.height), header.length);
  return out;
}
