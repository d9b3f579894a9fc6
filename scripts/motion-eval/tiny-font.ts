// SPDX-License-Identifier: MIT
// A 3x5 pixel font (digits, capitals, a few signs) for labels on generated PNGs, so reports need no font files.

const GLYPHS: Record<string, string> = {
  "0": "111101101101111",
  "1": "010110010010111",
  "2": "111001111100111",
  "3": "111001111001111",
  "4": "101101111001001",
  "5": "111100111001111",
  "6": "111100111101111",
  "7": "111001010010010",
  "8": "111101111101111",
  "9": "111101111001111",
  A: "010101111101101",
  B: "110101110101110",
  C: "011100100100011",
  D: "110101101101110",
  E: "111100110100111",
  F: "111100110100100",
  G: "011100101101011",
  H: "101101111101101",
  I: "111010010010111",
  J: "001001001101010",
  K: "101101110101101",
  L: "100100100100111",
  M: "101111111101101",
  N: "110101101101101",
  O: "010101101101010",
  P: "110101110100100",
  Q: "010101101110011",
  R: "110101110101101",
  S: "011100010001110",
  T: "111010010010010",
  U: "101101101101111",
  V: "101101101101010",
  W: "101101111111101",
  X: "101101010101101",
  Y: "101101010010010",
  Z: "111001010100111",
  " ": "000000000000000",
  ".": "000000000000010",
  ":": "000010000010000",
  "-": "000000111000000",
  "=": "000111000111000",
  "/": "001001010100100",
  "%": "101001010100101",
  "#": "101111101111101",
};

/** Draws `text` (upper-cased) into RGBA `data` (row stride `width`) at (x, y), each font pixel `scale` x `scale`. */
export function drawText(
  data: Uint8Array,
  width: number,
  height: number,
  x: number,
  y: number,
  text: string,
  rgb: [number, number, number],
  scale = 2,
): void {
  let cx = x;
  for (const ch of text.toUpperCase()) {
    const glyph = GLYPHS[ch] ?? GLYPHS["#"];
    for (let gy = 0; gy < 5; gy++) {
      for (let gx = 0; gx < 3; gx++) {
        if (glyph[gy * 3 + gx] !== "1") continue;
        for (let sy = 0; sy < scale; sy++) {
          for (let sx = 0; sx < scale; sx++) {
            const px = cx + gx * scale + sx,
              py = y + gy * scale + sy;
            if (px < 0 || py < 0 || px >= width || py >= height) continue;
            const o = (py * width + px) * 4;
            [data[o], data[o + 1], data[o + 2], data[o + 3]] = [rgb[0], rgb[1], rgb[2], 255];
          }
        }
      }
    }
    cx += 4 * scale;
  }
}

/** Width in pixels of `text` drawn at `scale`. */
export function textWidth(text: string, scale = 2): number {
  return text.length * 4 * scale;
}
