// SPDX-License-Identifier: MIT
// `npm run redact -- <in.jpg> --zones <zones.json> --out <out.jpg> [--grey N]`: blanks the privacy zones of one
// baseline JPEG with the redactor the device hosts use (modules/jpeg/redact.ts) and prints one line. Exit 1
// (reason on stderr) for an image it refuses, 2 for misuse (arguments, unreadable files, a bad zones file).
import { readFileSync, writeFileSync } from "node:fs";
import { jpegFrameSize } from "../modules/jpeg/frame-size.js";
import { JpegError } from "../modules/jpeg/jpeg-error.js";
import { DEFAULT_GREY, redactJpeg } from "../modules/jpeg/redact.js";
import { zoneCells } from "../modules/privacy/zone-cells.js";
import { readZonesFile } from "../simulator/zones-file.js";
import type { Zone } from "../modules/privacy/zone.js";

const USAGE = "usage: npm run redact -- <in.jpg> --zones <zones.json> --out <out.jpg> [--grey 0..255]\n";

function misuse(message: string): never {
  process.stderr.write(`redact: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseArgs(argv: string[]): { input: string; zones: string; out: string; grey: number } {
  let input: string | undefined, zones: string | undefined, out: string | undefined;
  let grey = DEFAULT_GREY;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help") {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    if (a === "--zones" || a === "--out" || a === "--grey") {
      const v = argv[++i];
      if (v === undefined) misuse(`${a} needs a value`);
      if (a === "--zones") zones = v;
      else if (a === "--out") out = v;
      else {
        grey = Number(v);
        if (!/^\d+$/.test(v) || grey > 255) misuse(`--grey ${v}: expected a whole number from 0 to 255`);
      }
    } else if (a.startsWith("--")) misuse(`unknown option ${a}`);
    else if (input === undefined) input = a;
    else misuse(`a second input file ${a}`);
  }
  if (!input || !zones || !out) misuse("needs an input JPEG, --zones and --out");
  return { input, zones, out, grey };
}

/** The zones file, validated as the device validates its config's zones (modules/privacy/zones.ts). */
function readZones(file: string): Zone[] {
  try {
    return readZonesFile(file);
  } catch (error) {
    misuse((error as Error).message);
  }
}

const args = parseArgs(process.argv.slice(2));
const zones = readZones(args.zones);
let jpeg: Uint8Array;
try {
  jpeg = new Uint8Array(readFileSync(args.input));
} catch (error) {
  misuse(`cannot read ${args.input}: ${(error as Error).message}`);
}
let size: { width: number; height: number };
try {
  size = jpegFrameSize(jpeg);
} catch (error) {
  if (!(error instanceof JpegError)) throw error;
  process.stderr.write(`redact: ${args.input}: refused (${error.code}): ${error.message}\n`);
  process.exit(1);
}
if (size.width === 0 || size.height === 0) {
  process.stderr.write(`redact: ${args.input}: refused (unsupported): frame size ${size.width}x${size.height}\n`);
  process.exit(1);
}
const result = redactJpeg(jpeg, zoneCells(zones, size.width, size.height), { grey: args.grey });
if (!result.ok) {
  process.stderr.write(`redact: ${args.input}: refused (${result.code}): ${result.reason}\n`);
  process.exit(1);
}
try {
  writeFileSync(args.out, result.jpeg);
} catch (error) {
  misuse(`cannot write ${args.out}: ${(error as Error).message}`);
}
process.stdout.write(
  `redact: ${args.input}: ${size.width}x${size.height}, ${result.mcusRedacted} of ${result.mcus} MCUs redacted, ` +
    `${jpeg.length} -> ${result.jpeg.length} bytes, written to ${args.out}\n`,
);
