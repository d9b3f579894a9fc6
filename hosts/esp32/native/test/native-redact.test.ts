// SPDX-License-Identifier: MIT
// Runs inside the XS test host (doorbell-xsnap-worker, see README.md): the device's redactor, redact.ts over redact-xs.c
// over doorbell_redact.c, against the TypeScript redactor (modules/jpeg/redact.ts) on generated JPEGs of each sampling,
// with and without restart intervals, and seeded mutations of them: the same bytes, or the same refusal and reason
// offset. Not a Node test.
import { createRedactor, type RedactResult } from "../../../../modules/jpeg/redact.js";
import type { CellMask } from "../../../../modules/privacy/zone-cells.js";
import { zoneCells } from "../../../../modules/privacy/zone-cells.js";
import { synthJpeg, type SynthComponent } from "../../../../test/support/jpeg-synth.js";
import { seededRandom } from "../../../../test/support/seeded-random.js";
import { createNativeRedactor } from "../redact.js";

declare function print(...text: unknown[]): void;

let passed = 0;
let failed = 0;
function check(name: string, ok: boolean, detail = ""): void {
  if (ok) passed++;
  else failed++;
  print(`${ok ? "PASS" : "FAIL"} XS ${name}${ok || !detail ? "" : `: ${detail}`}`);
}

const native = createNativeRedactor();
const typescript = createRedactor();
const rnd = seededRandom(14);
const block = () => {
  const b = new Int16Array(64);
  b[0] = Math.floor(rnd() * 400) - 200;
  for (let k = 1; k < 64; k++) if (rnd() < 0.25) b[k] = Math.floor(rnd() * 200) - 100;
  return b;
};
const Y = (h: number, v: number): SynthComponent => ({ id: 1, h, v, tq: 0, td: 0, ta: 0 });
const C = (id: number): SynthComponent => ({ id, h: 1, v: 1, tq: 1, td: 1, ta: 1 });
const samplings: [string, SynthComponent[]][] = [
  ["4:2:0", [Y(2, 2), C(2), C(3)]],
  ["4:2:2", [Y(2, 1), C(2), C(3)]],
  ["4:4:4", [Y(1, 1), C(2), C(3)]],
  ["grayscale", [Y(1, 1)]],
];

/** A comparable summary: the bytes as hex, or the code and the reason's byte offset. */
function summary(r: RedactResult): string {
  if (r.ok) return `ok ${r.mcusRedacted}/${r.mcus} ${Array.from(r.jpeg, (b) => b.toString(16)).join(",")}`;
  return `${r.code} ${/at byte (\d+)/.exec(r.reason)?.[1] ?? r.reason}`;
}

const cases: [string, Uint8Array, CellMask][] = [];
for (const [name, components] of samplings) {
  for (const restartInterval of [0, 3]) {
    const [width, height] = [75, 45];
    const jpeg = synthJpeg({ width, height, components, restartInterval, block });
    const mask = zoneCells(
      [
        { x: 20, y: 9, width: 30, height: 17 },
        {
          polygon: [
            [60, 0],
            [75, 20],
            [50, 30],
          ],
        },
      ],
      width,
      height,
    );
    cases.push([`${name}, restart interval ${restartInterval}`, jpeg, mask]);
  }
}
for (const [name, jpeg, mask] of cases) {
  const n = summary(native.redact(jpeg, mask)),
    t = summary(typescript.redact(jpeg, mask));
  check(
    `${name}: the same redacted bytes as the TypeScript`,
    n === t && n.startsWith("ok"),
    `${n.slice(0, 60)} vs ${t.slice(0, 60)}`,
  );
}

// Seeded mutations: the two redactors agree on every input, bytes or refusal code and offset.
let disagreements = 0,
  refusals = 0;
for (let round = 0; round < 400; round++) {
  const [, original, mask] = cases[round % cases.length];
  const jpeg = original.slice();
  const edits = 1 + Math.floor(rnd() * 4);
  for (let e = 0; e < edits; e++) jpeg[Math.floor(rnd() * jpeg.length)] = rnd() < 0.3 ? 0xff : Math.floor(rnd() * 256);
  const input = rnd() < 0.2 ? jpeg.subarray(0, Math.floor(rnd() * jpeg.length)) : jpeg;
  const grey = Math.floor(rnd() * 256);
  const n = summary(native.redact(input, mask, { grey })),
    t = summary(typescript.redact(input, mask, { grey }));
  if (!n.startsWith("ok")) refusals++;
  if (n !== t) {
    disagreements++;
    if (disagreements <= 3) print(`  round ${round}: native ${n.slice(0, 80)}, TypeScript ${t.slice(0, 80)}`);
  }
}
check(
  `400 seeded mutations: native and TypeScript agree on every one (${refusals} refused)`,
  disagreements === 0 && refusals > 50,
  `${disagreements} disagreements`,
);

// Refusals made before the C is reached, or from the mask: the same codes and the same reasons.
const [, jpeg, mask] = cases[0];
const wrong = zoneCells([], 90, 45); // 12 x 6 cells; the image needs 10 x 6
for (const [name, run] of [
  ["a mask of the wrong size", (r: typeof native) => r.redact(jpeg, wrong)],
  ["grey 256", (r: typeof native) => r.redact(jpeg, mask, { grey: 256 })],
  ["not a JPEG", (r: typeof native) => r.redact(Uint8Array.of(1, 2, 3), mask)],
  ["a frame larger than maxCells", (r: typeof native) => r.redact(jpeg, mask)],
] as const) {
  const small = name.startsWith("a frame");
  const n = run(small ? createNativeRedactor({ maxCells: 16 }) : native);
  const t = run(small ? createRedactor({ maxCells: 16 }) : typescript);
  const same = !n.ok && !t.ok && n.code === t.code && (n.reason === t.reason || summary(n) === summary(t));
  check(
    `${name}: refused alike (${t.ok ? "ok" : t.code})`,
    same,
    `${summary(n).slice(0, 80)} vs ${summary(t).slice(0, 80)}`,
  );
}

print(`${failed ? "FAIL" : "PASS"} XS redactor: ${passed} passed, ${failed} failed`);
