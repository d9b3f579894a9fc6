// SPDX-License-Identifier: MIT
// Runs inside the XS test host (doorbell-xsnap-worker, see README.md): the device's thumbnail decoder, thumb.ts
// over thumb-xs.c over doorbell_thumb.c, against the TypeScript decoder (modules/jpeg/) on generated JPEGs and
// seeded mutations of them: same thumbnails, same JpegError codes. Not a Node test.
import { JpegError } from "../../../../modules/jpeg/jpeg-error.js";
import { createThumbnailDecoder } from "../../../../modules/jpeg/thumbnail-decoder.js";
import { expectedDcSample, synthJpeg, type SynthComponent } from "../../../../test/support/jpeg-synth.js";
import { seededRandom } from "../../../../test/support/seeded-random.js";
import { createNativeThumbnailDecoder } from "../thumb.js";

declare function print(...text: unknown[]): void;

let passed = 0;
let failed = 0;
function check(name: string, ok: boolean, detail = ""): void {
  if (ok) passed++;
  else failed++;
  print(`${ok ? "PASS" : "FAIL"} XS ${name}${ok || !detail ? "" : `: ${detail}`}`);
}

const native = createNativeThumbnailDecoder();
const typescript = createThumbnailDecoder();
const rnd = seededRandom(42);
const lumaDc = (bx: number, by: number) => ((bx * 37 + by * 91) % 240) - 120;
const block = (comp: number, bx: number, by: number) => {
  const b = new Int16Array(64);
  b[0] = comp === 0 ? lumaDc(bx, by) : Math.floor(rnd() * 60) - 30;
  for (let k = 1; k < 64; k++) if (rnd() < 0.25) b[k] = Math.floor(rnd() * 200) - 100;
  return b;
};
const Y = (h: number, v: number): SynthComponent => ({ id: 1, h, v, tq: 0, td: 0, ta: 0 });
const C = (id: number): SynthComponent => ({ id, h: 1, v: 1, tq: 1, td: 1, ta: 1 });

type Outcome = { luma?: Uint8Array; width?: number; height?: number; code?: string };
function outcome(decode: () => { width: number; height: number; luma: Uint8Array }): Outcome {
  try {
    const t = decode();
    return { luma: t.luma.slice(), width: t.width, height: t.height };
  } catch (error) {
    if (error instanceof JpegError) return { code: error.code };
    return { code: `not a JpegError: ${String(error)}` };
  }
}
function same(a: Outcome, b: Outcome): boolean {
  if (a.code !== b.code || a.width !== b.width || a.height !== b.height) return false;
  if (!a.luma || !b.luma) return !a.luma && !b.luma;
  return a.luma.length === b.luma.length && a.luma.every((v, i) => v === b.luma![i]);
}

const cases: [string, number, Uint8Array][] = [
  [
    "4:2:0 with restarts",
    75,
    synthJpeg({ width: 75, height: 45, components: [Y(2, 2), C(2), C(3)], restartInterval: 2, block }),
  ],
  ["4:2:2", 64, synthJpeg({ width: 64, height: 40, components: [Y(2, 1), C(2), C(3)], block })],
  [
    "4:4:4 separate scans",
    33,
    synthJpeg({ width: 33, height: 17, components: [Y(1, 1), C(2), C(3)], scans: "separate", block }),
  ],
  ["grayscale, no DHT", 40, synthJpeg({ width: 40, height: 24, components: [Y(1, 1)], omitHuffman: true, block })],
];
for (const [name, width, jpeg] of cases) {
  const n = outcome(() => native.decode(jpeg));
  let expectedOk = n.luma !== undefined && n.width === Math.ceil(width / 8);
  for (let y = 0; expectedOk && y < n.height!; y++)
    for (let x = 0; x < n.width!; x++) expectedOk &&= n.luma![y * n.width! + x] === expectedDcSample(lumaDc(x, y), 8);
  check(
    `${name}: every cell is libjpeg's 1/8 sample of its DC`,
    expectedOk,
    JSON.stringify({ code: n.code, width: n.width }),
  );
  check(
    `${name}: same thumbnail as the TypeScript decoder`,
    same(
      n,
      outcome(() => typescript.decode(jpeg)),
    ),
  );
}

// Seeded mutations: the two decoders agree on every input, thumbnail or error code.
let disagreements = 0,
  errors = 0;
for (let round = 0; round < 600; round++) {
  const jpeg = cases[round % cases.length][2].slice();
  const edits = 1 + Math.floor(rnd() * 4);
  for (let e = 0; e < edits; e++) jpeg[Math.floor(rnd() * jpeg.length)] = rnd() < 0.3 ? 0xff : Math.floor(rnd() * 256);
  const input = rnd() < 0.2 ? jpeg.subarray(0, Math.floor(rnd() * jpeg.length)) : jpeg;
  const n = outcome(() => native.decode(input)),
    t = outcome(() => typescript.decode(input));
  if (n.code) errors++;
  if (!same(n, t)) {
    disagreements++;
    if (disagreements <= 3)
      print(
        `  round ${round}: native ${n.code ?? `${n.width}x${n.height}`}, TypeScript ${t.code ?? `${t.width}x${t.height}`}`,
      );
  }
}
check(
  `600 seeded mutations: native and TypeScript agree on every one (${errors} refused)`,
  disagreements === 0 && errors > 50,
  `${disagreements} disagreements`,
);

const small = createNativeThumbnailDecoder({ maxCells: 16 });
check("a frame larger than maxCells is too-large", outcome(() => small.decode(cases[0][2])).code === "too-large");
check("not a JPEG is not-jpeg, a JpegError", outcome(() => native.decode(Uint8Array.of(1, 2, 3))).code === "not-jpeg");

print(`${failed ? "FAIL" : "PASS"} XS thumbnail: ${passed} passed, ${failed} failed`);
