// SPDX-License-Identifier: MIT
// doorbell_redact.c against modules/jpeg/redact.ts, byte for byte (run by redact.sh): every JPEG given, with five masks
// built by zoneCells (a rectangle, a polygon, the acceptance zone, all, none) and a few greys, redacted by both; the
// same bytes and MCU counts, or the same refusal code at the same offset. With --mutants N, seeded mutations of the
// files instead (N per file). Usage: tsx redact-compare.ts <redact-check> <work dir> <label> [--mutants N] <file.jpg | dir>...
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jpegFrameSize } from "../../../../modules/jpeg/frame-size.js";
import { createRedactor, type RedactResult } from "../../../../modules/jpeg/redact.js";
import { zoneCells } from "../../../../modules/privacy/zone-cells.js";
import type { Zone } from "../../../../modules/privacy/zone.js";
import { seededRandom } from "../../../../test/support/seeded-random.js";

const [exe, work, label, ...rest] = process.argv.slice(2);
const mutants = rest[0] === "--mutants" ? Number(rest[1]) : 0;
const inputs = mutants ? rest.slice(2) : rest;
if (!exe || !work || !label || inputs.length === 0)
  throw new Error("usage: tsx redact-compare.ts <redact-check> <work dir> <label> <file.jpg | dir>...");
mkdirSync(work, { recursive: true });

const CODES = ["ok", "not-jpeg", "truncated", "corrupt", "unsupported", "too-large", "missing-code", "mask-size"];
CODES.push("bad-option", "no-room");

/** The five mask shapes for a w x h frame, each with its grey. */
function shapes(w: number, h: number): { name: string; zones: Zone[]; grey: number }[] {
  return [
    { name: "rectangle", grey: 128, zones: [{ x: w * 0.1 + 3, y: h * 0.2 + 1, width: w / 3, height: h / 4 }] },
    {
      name: "polygon",
      grey: 60,
      zones: [
        {
          polygon: [
            [w * 0.55, h * 0.1],
            [w * 0.95, h * 0.4],
            [w * 0.7, h * 0.9],
            [w * 0.4, h * 0.6],
          ],
        },
      ],
    },
    { name: "acceptance", grey: 128, zones: [{ x: 96, y: 64, width: 80, height: 48 }] },
    { name: "all", grey: 255, zones: [{ x: 0, y: 0, width: w, height: h }] },
    { name: "none", grey: 0, zones: [] },
  ];
}

function files(): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    if (!statSync(input).isDirectory()) out.push(input);
    else for (const f of readdirSync(input).sort()) if (f.endsWith(".jpg")) out.push(join(input, f));
  }
  return out;
}

interface Case {
  jpeg: string;
  mask: string;
  grey: number;
  expected: RedactResult;
}

const maskFiles = new Map<string, string>();
function maskFile(key: string, widthCells: number, heightCells: number, cells: Uint8Array): string {
  let path = maskFiles.get(key);
  if (!path) {
    path = join(work, `mask-${maskFiles.size}.bin`);
    const head = new Uint8Array(new Uint32Array([widthCells, heightCells]).buffer);
    writeFileSync(path, Buffer.concat([head, cells]));
    maskFiles.set(key, path);
  }
  return path;
}

const redactor = createRedactor();
function casesOf(path: string): Case[] {
  const jpeg = new Uint8Array(readFileSync(path));
  let w = 8,
    h = 8;
  try {
    ({ width: w, height: h } = jpegFrameSize(jpeg));
  } catch {
    // not parseable: an 8x8 mask, and both must refuse alike
  }
  const cases: Case[] = [];
  for (const s of shapes(w, h)) {
    const mask = zoneCells(s.zones, w, h);
    const result = redactor.redact(jpeg, mask, { grey: s.grey });
    const expected = result.ok ? { ...result, jpeg: result.jpeg.slice() } : result;
    const file = maskFile(`${w}x${h}-${s.name}`, mask.widthCells, mask.heightCells, mask.cells);
    cases.push({ jpeg: path, mask: file, grey: s.grey, expected });
  }
  return cases;
}

/** Runs the C on `cases`, returns the number that differ (and prints the first few). */
function compare(cases: Case[], shown: { n: number }): number {
  const list = join(work, "list.txt");
  writeFileSync(list, cases.map((c) => `${c.jpeg} ${c.mask} ${c.grey}\n`).join(""));
  const run = spawnSync(exe, ["batch", list], { maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`${exe} failed (${run.status}): ${run.stderr.toString()}`);
  const out = run.stdout;
  let at = 0,
    differ = 0;
  for (const c of cases) {
    const status = out.readInt32LE(at),
      offset = out.readUInt32LE(at + 4),
      length = out.readUInt32LE(at + 8);
    const redacted = out.readUInt32LE(at + 12),
      mcus = out.readUInt32LE(at + 16);
    const bytes = out.subarray(at + 20, at + 20 + length);
    at += 20 + length;
    const e = c.expected;
    let why = "";
    if (e.ok) {
      if (status !== 0) why = `C refused ${CODES[-status]}, TypeScript redacted`;
      else if (mcus !== e.mcus || redacted !== e.mcusRedacted)
        why = `MCUs ${redacted}/${mcus} vs ${e.mcusRedacted}/${e.mcus}`;
      else if (!bytes.equals(e.jpeg)) why = `bytes differ (${bytes.length} vs ${e.jpeg.length})`;
    } else {
      const tsOffset = /at byte (\d+)/.exec(e.reason)?.[1];
      if (CODES[-status] !== e.code) why = `C ${CODES[-status] ?? status}, TypeScript ${e.code} (${e.reason})`;
      else if (tsOffset !== undefined && Number(tsOffset) !== offset)
        why = `${e.code} at byte ${offset} in C, ${tsOffset} in TypeScript (${e.reason})`;
    }
    if (why) {
      differ++;
      if (shown.n++ < 5) console.log(`  ${c.jpeg} (mask ${c.mask}, grey ${c.grey}): ${why}`);
    }
  }
  return differ;
}

/** N seeded mutations of each file (byte changes, 0xFF bytes, cuts), written under work/mutants. */
function mutated(paths: string[]): string[] {
  const rnd = seededRandom(20261204);
  const dir = join(work, "mutants");
  mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (const path of paths) {
    const seed = new Uint8Array(readFileSync(path));
    for (let i = 0; i < mutants; i++) {
      const jpeg = seed.slice();
      for (let e = 1 + Math.floor(rnd() * 4); e > 0; e--)
        jpeg[Math.floor(rnd() * jpeg.length)] = rnd() < 0.3 ? 0xff : Math.floor(rnd() * 256);
      const file = join(dir, `m${out.length}.jpg`);
      writeFileSync(file, rnd() < 0.2 ? jpeg.subarray(0, Math.floor(rnd() * jpeg.length)) : jpeg);
      out.push(file);
    }
  }
  return out;
}

const all = mutants ? mutated(files()) : files();
let differ = 0,
  total = 0,
  refused = 0;
const shown = { n: 0 };
for (let i = 0; i < all.length; i += 100) {
  const batch = all.slice(i, i + 100).flatMap(casesOf);
  total += batch.length;
  refused += batch.filter((c) => !c.expected.ok).length;
  differ += compare(batch, shown);
}
console.log(
  `${differ ? "FAIL" : "PASS"} ${label}: ${total - differ} of ${total} redactions ` +
    `(${all.length} ${mutants ? "mutated " : ""}JPEGs x 5 masks) ` +
    `identical in C and TypeScript (${refused} refused by both alike)`,
);
process.exit(differ ? 1 : 0);
