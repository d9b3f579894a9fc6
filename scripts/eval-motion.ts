// SPDX-License-Identifier: MIT
// `npm run eval:motion -- <dir> [--json out.json] [--sheet out.png] [--config device.json] [--fps 30]
// [--light step-up@900] [--range 470-1085]`: runs the motion detector on a CDnet-layout sequence and scores it
// (scripts/motion-eval/), optionally under a lighting change laid over the frames (motion-eval/lighting.ts) or scored on
// a range of frames; prints a table, writes the JSON report and a contact sheet PNG (default: beside the JSON, else
// build/motion-eval/<sequence>.png).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { formatConfigErrors, parseConfig } from "../modules/config.js";
import { LIGHT_CHANGES, type LightChange, parseLightChange } from "./motion-eval/lighting.js";
import { evaluateSequence, formatReport } from "./motion-eval/run-eval.js";

const USAGE =
  "usage: npm run eval:motion -- <cdnet-sequence-dir> [--json out.json] [--sheet out.png] " +
  "[--config device-config.json] [--fps 30] [--frames 500,900] [--light <change>@<frame>] [--range first-last]\n" +
  `  lighting changes: ${LIGHT_CHANGES.join(", ")} (none: the same decode path, unchanged)`;

function fail(message: string): never {
  process.stderr.write(`eval:motion: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const flags: Record<string, string> = {};
const positional: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--help") {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (args[i].startsWith("--")) {
    if (i + 1 >= args.length) fail(`${args[i]} needs a value`);
    flags[args[i].slice(2)] = args[++i];
  } else positional.push(args[i]);
}
for (const name of Object.keys(flags))
  if (!["json", "sheet", "config", "fps", "frames", "light", "range"].includes(name)) fail(`unknown option --${name}`);
if (positional.length !== 1) fail("give exactly one sequence directory");

let params = {};
if (flags.config) {
  const parsed = parseConfig(JSON.parse(readFileSync(flags.config, "utf8")));
  if (!parsed.ok) fail(`${flags.config}:\n${formatConfigErrors(parsed.errors)}`);
  const { enabled: _enabled, ...motion } = parsed.config.motion;
  params = motion;
}
const fps = flags.fps ? Number(flags.fps) : 30;
if (!(fps > 0)) fail(`--fps must be a positive number, got ${flags.fps}`);
const sheetFrames = flags.frames ? flags.frames.split(",").map(Number) : undefined;
let light: LightChange | undefined;
try {
  light = flags.light === undefined ? undefined : parseLightChange(flags.light);
} catch (error) {
  fail((error as Error).message);
}
let range: [number, number] | undefined;
if (flags.range !== undefined) {
  const m = /^(\d+)-(\d+)$/.exec(flags.range);
  if (!m || Number(m[1]) > Number(m[2]))
    fail(`--range must be first-last frame numbers, as 470-1085; got ${flags.range}`);
  range = [Number(m[1]), Number(m[2])];
}

let report: ReturnType<typeof evaluateSequence>;
try {
  report = evaluateSequence(positional[0], { fps, params, sheetFrames, light, range });
} catch (error) {
  fail((error as Error).message);
}
const sheet =
  flags.sheet ??
  (flags.json ? `${flags.json.replace(/\.json$/i, "")}.png` : join("build", "motion-eval", `${report.sequence}.png`));
if (report.contactSheet.length) {
  mkdirSync(dirname(sheet), { recursive: true });
  writeFileSync(sheet, report.contactSheet);
}
const { contactSheet: _png, ...json } = report;
if (flags.json) {
  mkdirSync(dirname(flags.json), { recursive: true });
  writeFileSync(
    flags.json,
    `${JSON.stringify({ ...json, contactSheet: report.contactSheet.length ? sheet : null }, null, 2)}\n`,
  );
}
process.stdout.write(`${formatReport(report, report.contactSheet.length ? sheet : undefined)}\n`);
