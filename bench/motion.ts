// SPDX-License-Identifier: MIT
// Motion on the CDnet highway frames, side by side in one run: the TypeScript thumbnail decode (and decode +
// detect) in frames/s per core on Node; libjpeg-turbo's 1/8 grayscale decode in C, in process, as the
// reference; the C decoder for the ESP32 (doorbell_thumb.c) in the same harness; and the detector's XS
// compute units per thumbnail cell, metered inside xsnap-worker. Speeds are CPU time, best of several rounds.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { defaultConfig } from "../modules/config.js";
import { createThumbnailDecoder } from "../modules/jpeg/thumbnail-decoder.js";
import { createMotionDetector } from "../modules/motion/detector.js";
import { bundleForXs, repoPath } from "../hosts/xs/bundle.js";
import { XsWorker } from "../hosts/xs/xsnap-worker.js";
import { fullHighway } from "../test/support/cdnet.js";
import type { Section } from "./report.js";
import { evaluateSequence } from "../scripts/motion-eval/run-eval.js";

/** The parts of the highway's temporal ROI: the tuning part (QUARTER_THRESHOLD_Q4 chosen on it) and the held-out one. */
export const TUNE_FRAMES: [number, number] = [470, 1085];
export const HELD_OUT_FRAMES: [number, number] = [1086, 1700];

type Score = {
  pixelF: number;
  pixelPrecision: number;
  pixelRecall: number;
  frameRecall: number;
  framePrecision: number;
};

/** Pixel and frame scores of eval:motion on the whole temporal ROI, the tuning part and the held-out part. */
function quality(dir: string): { full: Score; tune: Score; heldOut: Score } {
  const score = (range?: [number, number]): Score => {
    const r = evaluateSequence(dir, { range, sheetFrames: [] });
    const round = (v: number) => Math.round(v * 1000) / 1000;
    return {
      pixelF: round(r.pixel.f),
      pixelPrecision: round(r.pixel.precision),
      pixelRecall: round(r.pixel.recall),
      frameRecall: round(r.frame.recall),
      framePrecision: round(r.frame.precision),
    };
  };
  return { full: score(), tune: score(TUNE_FRAMES), heldOut: score(HELD_OUT_FRAMES) };
}

const OUT = repoPath("build/bench-motion");

export interface MotionFigures {
  frames: number;
  compressedBytesPerFrame: number;
  thumbnail: string;
  rounds: number;
  /** The machine's 1-minute load average before and after the timed rounds (it is shared, 2 cores). */
  loadAverage: [number, number];
  node: { decodeFps: number; decodeDetectFps: number };
  c: { libjpegTurboFps: number; doorbellThumbFps: number; identical: boolean } | { error: string };
  decodeDetectToTurbo?: number;
  /** The median over rounds of the TypeScript decode + detect against libjpeg-turbo in the same round. */
  decodeDetectToTurboPairedMedian?: number;
  /** Flat keys the acceptance check reads (the same figures as node.*, c.* and xs.* above, from this run). */
  tsDecodeDetectFps: number;
  libjpegTurboFps?: number;
  xsDetectorUnitsPerCell: number;
  /** doorbell_thumb.c's frames/s over libjpeg-turbo's, same run. */
  cDecoderToTurbo?: number;
  /** eval:motion's scores: tuned on TUNE_FRAMES, reported on HELD_OUT_FRAMES too. */
  quality: ReturnType<typeof quality>;
  xs: {
    detectorUnitsPerCellMean: number;
    median: number;
    p90: number;
    max: number;
    framesMetered: number;
    cells: number;
    tsDecodeUnitsPerFrame: number;
  };
}

/** CPU seconds of `run()`. */
function cpuSeconds(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/** Builds and runs bench/motion/thumb-bench.c (libjpeg-turbo vs doorbell_thumb.c) on `files`. */
function cBench(files: string[], rounds: number): MotionFigures["c"] {
  const exe = join(OUT, "thumb-bench");
  const cc = spawnSync(
    "gcc",
    [
      "-std=c11",
      "-O2",
      "-D_POSIX_C_SOURCE=199309L",
      "-Wall",
      "-Wextra",
      "-Werror",
      `-I${repoPath("hosts/esp32/native")}`,
      repoPath("bench/motion/thumb-bench.c"),
      repoPath("hosts/esp32/native/doorbell_thumb.c"),
      "-lturbojpeg",
      "-o",
      exe,
    ],
    { encoding: "utf8" },
  );
  if (cc.status !== 0)
    return {
      error: `thumb-bench.c did not build (is libturbojpeg0-dev installed?): ${cc.stderr.trim().split("\n")[0]}`,
    };
  const run = spawnSync(exe, [String(rounds), ...files], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (run.status !== 0) return { error: `thumb-bench failed: ${run.stderr.trim()}` };
  const r = JSON.parse(run.stdout) as { turboFps: number; cFps: number; identical: boolean };
  return { libjpegTurboFps: r.turboFps, doorbellThumbFps: r.cFps, identical: r.identical };
}

/**
 * The full CDnet highway sequence's input/ folder (DOORBELL_CDNET_HIGHWAY, else ../shared/data beside the repo).
 * Throws, saying where to put it, when it is absent: the 50 committed frames are too few to time.
 */
export function highwayInput(): string {
  const dir = fullHighway();
  if (!dir)
    throw new Error(
      "the motion benchmark needs the full CDnet highway sequence (1,700 frames), which is not here: set " +
        "DOORBELL_CDNET_HIGHWAY to its folder or put it at ../shared/data/cdnet-highway " +
        "(see test/fixtures/cdnet-highway/README.md)",
    );
  return join(dir, "input");
}

export async function benchMotion(o: { quick: boolean; progress: (text: string) => void }): Promise<Section> {
  mkdirSync(OUT, { recursive: true });
  const highway = highwayInput();
  const files = readdirSync(highway)
    .filter((f) => f.endsWith(".jpg"))
    .sort()
    .map((f) => join(highway, f));
  const jpegs = files.map((f) => new Uint8Array(readFileSync(f)));
  const rounds = o.quick ? 2 : 12;

  // Round by round, libjpeg-turbo (and doorbell_thumb.c) in C, then the TypeScript decoder + detector on Node, so
  // both sides see the same machine load through the run; each keeps its best round.
  o.progress(
    `  ${jpegs.length} highway frames, ${rounds} rounds: TypeScript on Node, libjpeg-turbo and doorbell_thumb.c in C`,
  );
  const loadBefore = loadavg()[0];
  const { node, cRuns, pairedRatios } = interleavedRounds(files, jpegs, rounds);
  const loadAverage: [number, number] = [Math.round(loadBefore * 100) / 100, Math.round(loadavg()[0] * 100) / 100];
  const c = bestOf(cRuns);

  const metered = o.quick ? 600 : jpegs.length;
  o.progress(`  the detector inside XS on ${metered} thumbnails`);
  const probe = createThumbnailDecoder().decode(jpegs[0]);
  const xs = await meterInXs(jpegs, metered);

  const turbo = "error" in c ? undefined : c.libjpegTurboFps;
  const figures: MotionFigures = {
    frames: jpegs.length,
    compressedBytesPerFrame: Math.round(jpegs.reduce((a, j) => a + j.length, 0) / jpegs.length),
    thumbnail: `${probe.width}x${probe.height}`,
    rounds,
    loadAverage,
    node,
    c,
    ...(turbo ? { decodeDetectToTurbo: Math.round((node.decodeDetectFps / turbo) * 100) / 100 } : {}),
    ...(pairedRatios.length ? { decodeDetectToTurboPairedMedian: median(pairedRatios) } : {}),
    tsDecodeDetectFps: node.decodeDetectFps,
    ...(turbo ? { libjpegTurboFps: turbo } : {}),
    xsDetectorUnitsPerCell: xs.detectorUnitsPerCellMean,
    quality: quality(join(highway, "..")),
    ...("error" in c ? {} : { cDecoderToTurbo: Math.round((c.doorbellThumbFps / c.libjpegTurboFps) * 100) / 100 }),
    xs,
  };
  const bytes = figures.compressedBytesPerFrame.toLocaleString("en");
  return {
    key: "motion",
    title: "Motion: thumbnail decode and detector",
    intro:
      `The ${jpegs.length} CDnet highway frames (320x240, 4:2:0, ${bytes} bytes on average) decoded to ` +
      `${figures.thumbnail} DC thumbnails. Frames/s are per core, in CPU time, the best of ${rounds} rounds, ` +
      "interleaved round by round (a C round, then a TypeScript round) so both sides see the same machine load. " +
      `The machine is shared (2 cores, other engineers' builds and tests): its 1-minute load average was ` +
      `${loadAverage[0]} before these rounds and ${loadAverage[1]} after, so frames/s vary from run to run, and ` +
      "single rounds (the median of the rounds' own ratios) more than best rounds. " +
      "Issue 13's targets: TypeScript decode + detect at least " +
      "libjpeg-turbo's decode alone (1.0x), doorbell_thumb.c too, and the detector at most 40 XS compute units " +
      "per thumbnail cell (deterministic: the same on any machine).",
    json: figures,
    rows: motionRows(figures),
  };
}

/**
 * `rounds` rounds of one C run (libjpeg-turbo and doorbell_thumb.c, one pass each over the frames) followed by
 * one TypeScript round on Node (decode, then decode + detect): frames/s per core, each side's best round, and
 * each round's decode + detect against that round's libjpeg-turbo. One decoder serves every round, as one serves
 * a camera's stream (its Huffman tables are kept while the frames' DHT stays the same), after one untimed pass
 * that lets V8 compile the code (C needs none).
 */
function interleavedRounds(
  files: string[],
  jpegs: Uint8Array[],
  rounds: number,
): { node: MotionFigures["node"]; cRuns: MotionFigures["c"][]; pairedRatios: number[] } {
  const { enabled: _enabled, ...params } = defaultConfig().motion;
  const decoder = createThumbnailDecoder();
  const detectorRound = () => {
    const detector = createMotionDetector(params);
    let atMs = 0;
    return cpuSeconds(() => {
      for (const j of jpegs) detector.process(decoder.decode(j), (atMs += 33));
    });
  };
  detectorRound();
  let decode = Infinity,
    decodeDetect = Infinity;
  const cRuns: MotionFigures["c"][] = [];
  const pairedRatios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const cRun = cBench(files, 1);
    cRuns.push(cRun);
    decode = Math.min(
      decode,
      cpuSeconds(() => {
        for (const j of jpegs) decoder.decode(j);
      }),
    );
    const seconds = detectorRound();
    decodeDetect = Math.min(decodeDetect, seconds);
    if (!("error" in cRun)) pairedRatios.push(jpegs.length / seconds / cRun.libjpegTurboFps);
  }
  return {
    node: { decodeFps: jpegs.length / decode, decodeDetectFps: jpegs.length / decodeDetect },
    cRuns,
    pairedRatios,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const m = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return Math.round(m * 100) / 100;
}

/** The best C figures of the runs that built and ran; the first error when none did. */
function bestOf(cRuns: MotionFigures["c"][]): MotionFigures["c"] {
  const cOk = cRuns.filter((r): r is Exclude<MotionFigures["c"], { error: string }> => !("error" in r));
  if (cOk.length === 0) return cRuns[0];
  return {
    libjpegTurboFps: Math.max(...cOk.map((r) => r.libjpegTurboFps)),
    doorbellThumbFps: Math.max(...cOk.map((r) => r.doorbellThumbFps)),
    identical: cOk.every((r) => r.identical),
  };
}

/** XS: one crank per frame, the detector's meter minus a crank that only carries the same bytes. */
export async function meterInXs(jpegs: Uint8Array[], metered: number): Promise<MotionFigures["xs"]> {
  const probe = createThumbnailDecoder().decode(jpegs[0]);
  const cells = probe.width * probe.height;
  const worker = new XsWorker({ name: "doorbell-bench-motion", onRequest: () => new Uint8Array(0) });
  const units: number[] = [];
  let tsDecodeUnits = 0;
  try {
    await worker.evaluate(await bundleForXs(repoPath("bench/motion/xs-detector-entry.ts")));
    await worker.command(Uint8Array.of(0, probe.width & 255, probe.width >> 8, probe.height & 255, probe.height >> 8));
    const decoder = createThumbnailDecoder();
    const message = new Uint8Array(4 + cells);
    for (let i = 0; i < metered; i++) {
      message.set(decoder.decode(jpegs[i]).luma, 4);
      message[0] = 2;
      const baseline = (await worker.command(message)).meter.compute;
      message[0] = 1;
      units.push((await worker.command(message)).meter.compute - baseline);
    }
    const jpegMessage = new Uint8Array(1 + jpegs[1000].length);
    jpegMessage.set(jpegs[1000], 1);
    jpegMessage[0] = 2;
    const baseline = (await worker.command(jpegMessage)).meter.compute;
    jpegMessage[0] = 3;
    // Once unmetered: the first frame builds the Huffman tables, which later frames with the same DHT reuse.
    await worker.command(jpegMessage);
    tsDecodeUnits = (await worker.command(jpegMessage)).meter.compute - baseline;
  } finally {
    await worker.close();
  }
  const sorted = [...units].sort((a, b) => a - b);
  const perCell = (u: number) => Math.round((u / cells) * 10) / 10;
  return {
    detectorUnitsPerCellMean: perCell(units.reduce((a, b) => a + b, 0) / units.length),
    median: perCell(sorted[sorted.length >> 1]),
    p90: perCell(sorted[Math.floor(sorted.length * 0.9)]),
    max: perCell(sorted[sorted.length - 1]),
    framesMetered: metered,
    cells,
    tsDecodeUnitsPerFrame: tsDecodeUnits,
  };
}

function motionRows({
  node,
  c,
  xs,
  decodeDetectToTurbo,
  decodeDetectToTurboPairedMedian: paired,
  quality: q,
}: MotionFigures): Section["rows"] {
  const fps = (v: number) => `${Math.round(v).toLocaleString("en")} frames/s`;
  const turbo = "error" in c ? undefined : c.libjpegTurboFps;
  const cRows = !("error" in c)
    ? [
        {
          figure: "motion.libjpegTurboFps (reference)",
          value: fps(c.libjpegTurboFps),
          note: "tjDecompress2, 1/8 scale, TJPF_GRAY, in process; libturbojpeg from Debian",
        },
        {
          figure: "motion.doorbellThumbFps (C, for the ESP32)",
          value: fps(c.doorbellThumbFps),
          reference: fps(c.libjpegTurboFps),
          note:
            "hosts/esp32/native/doorbell_thumb.c built -O2 on this machine: " +
            `${Math.round((c.doorbellThumbFps / c.libjpegTurboFps) * 100) / 100}x libjpeg-turbo (target 1.0x); ` +
            `output ${c.identical ? "identical to" : "DIFFERENT from"} libjpeg-turbo's`,
        },
      ]
    : [{ figure: "motion C figures", value: "not measured", note: c.error }];
  return [
    {
      figure: "motion.tsDecodeDetectFps (Node)",
      value: fps(node.decodeDetectFps),
      reference: turbo ? fps(turbo) : "–",
      note: turbo
        ? `${decodeDetectToTurbo}x libjpeg-turbo's decode alone (target 1.0x), best round against best round; ` +
          `median of the rounds' own ratios ${paired}x`
        : "",
    },
    {
      figure: "motion.tsDecodeFps (Node)",
      value: fps(node.decodeFps),
      reference: turbo ? fps(turbo) : "–",
      note: "modules/jpeg/ alone",
    },
    ...cRows,
    {
      figure: "motion.xsDetectorUnitsPerCell (mean)",
      value: xs.detectorUnitsPerCellMean.toLocaleString("en"),
      reference: "target 40",
      note:
        `median ${xs.median}, p90 ${xs.p90}, max ${xs.max}; ${xs.framesMetered} consecutive frames of ` +
        `${xs.cells} cells, config defaults`,
    },
    {
      figure: "motion.quality.heldOut.pixelF",
      value: q.heldOut.pixelF.toFixed(3),
      reference: `${q.tune.pixelF.toFixed(3)} on the tuning part, ${q.full.pixelF.toFixed(3)} on all`,
      note:
        `frames ${HELD_OUT_FRAMES.join("-")} (tuned on ${TUNE_FRAMES.join("-")}); frame recall ` +
        `${q.heldOut.frameRecall.toFixed(3)}, precision ${q.heldOut.framePrecision.toFixed(3)}`,
    },
    {
      figure: "motion.xsTsDecodeUnitsPerFrame",
      value: xs.tsDecodeUnitsPerFrame.toLocaleString("en"),
      note: "the TypeScript decoder inside XS (the simulator's path; the device decodes in C)",
    },
  ];
}
