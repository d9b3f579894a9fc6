// SPDX-License-Identifier: MIT
// Writes the generated inputs of test/thumb.sh into a folder: coefficient-level JPEGs (test/support/jpeg-synth.ts:
// 4:1:1, 4:4:0, separate scans, restart intervals, long Huffman codes, DC beyond the clamp) and PPM scenes in odd
// sizes for cjpeg. Usage: tsx thumb-cases.ts <dir>
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { scenePpm, synthJpeg } from "../../../../test/support/jpeg-synth.js";
import { seededRandom } from "../../../../test/support/seeded-random.js";

const dir = process.argv[2];
if (!dir) throw new Error("usage: tsx thumb-cases.ts <dir>");
mkdirSync(join(dir, "synth"), { recursive: true });
mkdirSync(join(dir, "ppm"), { recursive: true });
const rnd = seededRandom(7);

const layouts: Record<string, [number, number][]> = {
  "420": [
    [2, 2],
    [1, 1],
    [1, 1],
  ],
  "422": [
    [2, 1],
    [1, 1],
    [1, 1],
  ],
  "444": [
    [1, 1],
    [1, 1],
    [1, 1],
  ],
  "411": [
    [4, 1],
    [1, 1],
    [1, 1],
  ],
  "440": [
    [1, 2],
    [1, 1],
    [1, 1],
  ],
  gray: [[1, 1]],
  gray22: [[2, 2]],
};
const deepAc: number[] = [];
for (let r = 0; r < 16; r++) for (let s = 1; s <= 10; s++) deepAc.push((r << 4) | s);
deepAc.push(0xf0, 0x00);
const deep = {
  dc0: { bits: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0], values: [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0] },
  ac0: { bits: [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 154], values: deepAc },
};
let n = 0;
for (const [name, layout] of Object.entries(layouts)) {
  for (const restartInterval of [0, 1, 5]) {
    for (const scans of ["interleaved", "separate"] as const) {
      for (const [w, h] of [
        [37, 21],
        [130, 66],
        [1, 1],
      ]) {
        const jpeg = synthJpeg({
          width: w,
          height: h,
          restartInterval,
          scans,
          components: layout.map(([hh, vv], i) => ({
            id: i + 1,
            h: hh,
            v: vv,
            tq: i ? 1 : 0,
            td: i ? 1 : 0,
            ta: i ? 1 : 0,
          })),
          huffman: name === "gray" && restartInterval === 5 ? deep : undefined,
          block: () =>
            Int16Array.from({ length: 64 }, (_, k) =>
              k === 0 ? Math.floor(rnd() * 2047) - 1023 : rnd() < 0.3 ? Math.floor(rnd() * 400) - 200 : 0,
            ),
        });
        writeFileSync(
          join(dir, "synth", `s${String(n++).padStart(3, "0")}-${name}-r${restartInterval}-${scans}-${w}x${h}.jpg`),
          jpeg,
        );
      }
    }
  }
}
for (const [w, h] of [
  [317, 239],
  [640, 480],
  [9, 17],
  [1, 1],
]) {
  writeFileSync(join(dir, "ppm", `scene-${w}x${h}.ppm`), scenePpm(w, h, rnd));
}
console.log(`thumb-cases: ${n} coefficient-level JPEGs and 4 PPM scenes in ${dir}`);
