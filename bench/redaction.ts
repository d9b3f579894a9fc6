// SPDX-License-Identifier: MIT
// Redaction (issue 14) on the CDnet highway frames with the acceptance zone, side by side in one run: the C redactor
// for the ESP32 and libjpeg-turbo's full-size decode of the same frames (the first half of the naive decode + re-encode),
// in process, interleaved round by round; the TypeScript redactor on Node; its XS compute units per frame, metered
// inside xsnap-worker; and an ESP32 estimate from callgrind's instruction count. Speeds are CPU time, best round.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jpegFrameSize } from "../modules/jpeg/frame-size.js";
import { createRedactor } from "../modules/jpeg/redact.js";
import { type CellMask, zoneCells } from "../modules/privacy/zone-cells.js";
import { bundleForXs, repoPath } from "../hosts/xs/bundle.js";
import { XsWorker } from "../hosts/xs/xsnap-worker.js";
import { highwayInput } from "./motion.js";
import { esp32RedactionEstimate } from "./redaction/esp32-estimate.js";
import type { Section } from "./report.js";

const OUT = repoPath("build/bench-redaction");
/** Issue 14's acceptance zone. */
export const ACCEPTANCE_ZONES = [{ x: 96, y: 64, width: 80, height: 48 }];

export interface RedactionFigures {
  frames: number;
  compressedBytesPerFrame: number;
  zones: typeof ACCEPTANCE_ZONES;
  mcusRedactedPerFrame: number;
  rounds: number;
  cFps?: number;
  libjpegTurboFullDecodeFps?: number;
  cOverLibjpeg?: number;
  cError?: string;
  tsFps: number;
  tsOverLibjpeg?: number;
  xsUnitsPerFrame: number;
  xsFramesMetered: number;
  x86InstructionsPerFrame?: number;
  esp32MsPerFrame?: number;
  esp32Assumptions?: string[];
}

/** CPU seconds of `run()`. */
function cpuSeconds(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/** Builds bench/redaction/redact-bench.c with the redactor; the executable, or an error. */
function buildC(): { exe: string } | { error: string } {
  const exe = join(OUT, "redact-bench");
  const native = repoPath("hosts/esp32/native");
  const sources = ["doorbell_redact.c", "doorbell_redact_scan.c", "doorbell_redact_fast.c"].map((f) => join(native, f));
  const cc = spawnSync(
    "gcc",
    ["-std=c11", "-O2", "-g", "-D_POSIX_C_SOURCE=199309L", "-Wall", "-Wextra", "-Werror", `-I${native}`].concat([
      repoPath("bench/redaction/redact-bench.c"),
      ...sources,
      "-lturbojpeg",
      "-o",
      exe,
    ]),
    { encoding: "utf8" },
  );
  if (cc.status !== 0)
    return {
      error: `redact-bench.c did not build (is libturbojpeg0-dev installed?): ${cc.stderr.trim().split("\n")[0]}`,
    };
  return { exe };
}

type CRun = { turboFps: number; cFps: number } | { error: string };

function cRound(exe: string, rounds: number, mask: string, files: string[]): CRun {
  const run = spawnSync(exe, [String(rounds), mask, ...files], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (run.status !== 0) return { error: `redact-bench failed: ${run.stderr.trim()}` };
  return JSON.parse(run.stdout) as { turboFps: number; cFps: number };
}

/** x86-64 instructions of one redaction of `file`: callgrind of 21 redactions minus 1, over 20. */
function instructionsPerFrame(exe: string, mask: string, file: string): number | undefined {
  const count = (n: number) => {
    const outFile = join(OUT, `callgrind.${n}`);
    const r = spawnSync(
      "valgrind",
      ["--tool=callgrind", `--callgrind-out-file=${outFile}`, exe, "only", String(n), mask, file],
      {
        encoding: "utf8",
      },
    );
    if (r.error || r.status !== 0) return undefined;
    const totals = /^totals: (\d+)/m.exec(readFileSync(outFile, "utf8"));
    return totals ? Number(totals[1]) : undefined;
  };
  const one = count(1),
    many = count(21);
  return one === undefined || many === undefined ? undefined : Math.round((many - one) / 20);
}

/** TypeScript on Node: frames/s per core, the best of `rounds`. */
function nodeFps(jpegs: Uint8Array[], mask: CellMask, rounds: number): number {
  const redactor = createRedactor();
  let best = Infinity;
  for (let r = 0; r < rounds; r++)
    best = Math.min(
      best,
      cpuSeconds(() => {
        for (const j of jpegs)
          if (!redactor.redact(j, mask).ok) throw new Error("the TypeScript redactor refused a frame");
      }),
    );
  return jpegs.length / best;
}

/** XS: one crank per frame, the redaction's meter minus a crank that only carries the same bytes. */
async function xsUnits(jpegs: Uint8Array[], mask: CellMask, metered: number): Promise<number> {
  const worker = new XsWorker({ name: "doorbell-bench-redaction", onRequest: () => new Uint8Array(0) });
  let total = 0;
  try {
    await worker.evaluate(await bundleForXs(repoPath("bench/redaction/xs-redact-entry.ts")));
    const { widthCells: w, heightCells: h } = mask;
    await worker.command(Uint8Array.of(0, w & 255, w >> 8, h & 255, h >> 8, ...mask.cells));
    for (let i = 0; i < metered; i++) {
      const jpeg = jpegs[Math.floor((i * jpegs.length) / metered)];
      const message = new Uint8Array(1 + jpeg.length);
      message.set(jpeg, 1);
      message[0] = 2;
      const baseline = (await worker.command(message)).meter.compute;
      message[0] = 1;
      total += (await worker.command(message)).meter.compute - baseline;
    }
  } finally {
    await worker.close();
  }
  return Math.round(total / metered);
}

export async function benchRedaction(o: { quick: boolean; progress: (text: string) => void }): Promise<Section> {
  mkdirSync(OUT, { recursive: true });
  const highway = highwayInput();
  const files = readdirSync(highway)
    .filter((f) => f.endsWith(".jpg"))
    .sort()
    .map((f) => join(highway, f));
  const jpegs = files.map((f) => new Uint8Array(readFileSync(f)));
  const { width, height } = jpegFrameSize(jpegs[0]);
  const mask = zoneCells(ACCEPTANCE_ZONES, width, height);
  const maskFile = join(OUT, "mask.bin");
  writeFileSync(
    maskFile,
    Buffer.concat([new Uint8Array(new Uint32Array([mask.widthCells, mask.heightCells]).buffer), mask.cells]),
  );
  const rounds = o.quick ? 2 : 5;

  o.progress(
    `  ${jpegs.length} highway frames, ${rounds} rounds: doorbell_redact.c and libjpeg-turbo in C, TypeScript on Node`,
  );
  const built = buildC();
  const cRuns: CRun[] = [];
  if ("exe" in built) cRuns.push(cRound(built.exe, o.quick ? 2 : 3, maskFile, files));
  const tsFps = nodeFps(jpegs, mask, rounds);
  if ("exe" in built) cRuns.push(cRound(built.exe, o.quick ? 2 : 3, maskFile, files));
  const cOk = cRuns.filter((r): r is { turboFps: number; cFps: number } => !("error" in r));

  const metered = o.quick ? 50 : 200;
  o.progress(`  the TypeScript redactor inside XS on ${metered} frames; callgrind of the C on one frame`);
  const xsUnitsPerFrame = await xsUnits(jpegs, mask, metered);
  const probe = createRedactor().redact(jpegs[0], mask);
  const instructions =
    "exe" in built ? instructionsPerFrame(built.exe, maskFile, files[Math.floor(files.length / 2)]) : undefined;
  const estimate = instructions ? esp32RedactionEstimate(instructions) : undefined;

  const figures: RedactionFigures = {
    frames: jpegs.length,
    compressedBytesPerFrame: Math.round(jpegs.reduce((a, j) => a + j.length, 0) / jpegs.length),
    zones: ACCEPTANCE_ZONES,
    mcusRedactedPerFrame: probe.ok ? probe.mcusRedacted : 0,
    rounds,
    tsFps: Math.round(tsFps),
    xsUnitsPerFrame,
    xsFramesMetered: metered,
  };
  if (cOk.length) {
    const cFps = Math.max(...cOk.map((r) => r.cFps)),
      turbo = Math.max(...cOk.map((r) => r.turboFps));
    figures.cFps = Math.round(cFps);
    figures.libjpegTurboFullDecodeFps = Math.round(turbo);
    figures.cOverLibjpeg = Math.round((cFps / turbo) * 100) / 100;
    figures.tsOverLibjpeg = Math.round((tsFps / turbo) * 100) / 100;
  } else figures.cError = "error" in built ? built.error : (cRuns[0] as { error: string }).error;
  if (estimate) {
    figures.x86InstructionsPerFrame = instructions;
    figures.esp32MsPerFrame = estimate.msPerFrame;
    figures.esp32Assumptions = estimate.assumptions;
  }
  return {
    key: "redaction",
    title: "Redaction: privacy zones in the compressed domain",
    intro:
      `The ${jpegs.length} CDnet highway frames (${width}x${height}, ${figures.compressedBytesPerFrame.toLocaleString("en")} ` +
      `bytes on average) redacted with issue 14's acceptance zone ${JSON.stringify(ACCEPTANCE_ZONES)} ` +
      `(${figures.mcusRedactedPerFrame} MCUs flat). Frames/s are per core, in CPU time, the best round; the C and ` +
      "libjpeg-turbo rounds alternate in one process, before and after the Node rounds. Issue 14's target: C at least 2x " +
      "libjpeg-turbo's full-size decode of the same frame (tjDecompress2 to RGB, no scaling).",
    json: figures,
    rows: redactionRows(figures),
  };
}

function redactionRows(f: RedactionFigures): Section["rows"] {
  const fps = (v: number) => `${Math.round(v).toLocaleString("en")} frames/s`;
  const turbo = f.libjpegTurboFullDecodeFps;
  const cRows: Section["rows"] =
    f.cFps !== undefined && turbo !== undefined
      ? [
          {
            figure: "redaction.libjpegTurboFullDecodeFps (reference)",
            value: fps(turbo),
            note: "tjDecompress2 to TJPF_RGB at full size, in process; libturbojpeg from Debian",
          },
          {
            figure: "redaction.cFps (C, for the ESP32)",
            value: fps(f.cFps),
            reference: fps(turbo),
            note: `${f.cOverLibjpeg}x libjpeg-turbo's full decode (target 2x); doorbell_redact.c built -O2 on this machine`,
          },
        ]
      : [{ figure: "redaction C figures", value: "not measured", note: f.cError ?? "" }];
  return [
    ...cRows,
    {
      figure: "redaction.tsFps (Node)",
      value: fps(f.tsFps),
      reference: turbo ? fps(turbo) : "–",
      note: turbo
        ? `${f.tsOverLibjpeg}x libjpeg-turbo's full decode; modules/jpeg/redact.ts`
        : "modules/jpeg/redact.ts",
    },
    {
      figure: "redaction.xsUnitsPerFrame",
      value: f.xsUnitsPerFrame.toLocaleString("en"),
      note: `the TypeScript redactor inside XS, mean of ${f.xsFramesMetered} frames (the simulator's path; the device redacts in C)`,
    },
    {
      figure: "redaction.esp32MsPerFrame (estimate, 640x480)",
      value: f.esp32MsPerFrame !== undefined ? `${f.esp32MsPerFrame} ms` : "not estimated",
      note:
        f.x86InstructionsPerFrame !== undefined
          ? `${f.x86InstructionsPerFrame.toLocaleString("en")} x86-64 instructions per highway frame; ${f.esp32Assumptions?.join("; ")}`
          : "callgrind (valgrind) is not installed",
    },
  ];
}
