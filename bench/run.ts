// SPDX-License-Identifier: MIT
// `npm run bench [-- [--quick] [--only <section>]... [--write] [--producer xs|synthetic]]`: runs every benchmark of
// the project (or only the named sections) and writes build/BENCHMARKS.md and build/bench.json; with --write it
// rewrites the committed BENCHMARKS.md and bench.json (a run of some sections replaces only those). --producer picks
// the video section's live-view producer (default: the firmware on XS).
import { relative } from "node:path";
import { XsWorker } from "../hosts/xs/xsnap-worker.js";
import { type BenchSection, benchOptions, writeReport, type Section } from "./report.js";
import { benchXsCore } from "./xs-core.js";
import { benchSealCost } from "./seal-cost.js";
import { benchVideoCost } from "./video-cost.js";
import { benchLoad } from "./load.js";
import { benchBridge } from "./bridge-throughput.js";
import { benchMotion, highwayInput } from "./motion.js";
import { benchRedaction } from "./redaction.js";
import { benchVideo } from "./video.js";
import { benchOtaCost } from "./ota-cost.js";

/** Two sections under one key: the first's title, both intros, both JSON objects and both row lists. */
function mergeSections(a: Section, b: Section): Section {
  return {
    key: a.key,
    title: `${a.title}; ${b.title.toLowerCase()}`,
    intro: `${a.intro} ${b.intro}`,
    json: { ...(a.json as object), ...(b.json as object) },
    rows: [...a.rows, ...b.rows],
  };
}

let options: ReturnType<typeof benchOptions>;
try {
  options = benchOptions(process.argv.slice(2));
  // The motion and redaction sections' frames: say now, not after minutes of the other benchmarks.
  if (!options.only || options.only.some((s) => s === "motion" || s === "redaction")) highwayInput();
} catch (error) {
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  process.exit(2);
}
const { quick, paths, only } = options;
const wants = (section: BenchSection) => !only || only.includes(section);
const startedAt = new Date().toISOString();
const sections: Section[] = [];
const step = (text: string) => process.stderr.write(`bench: ${text}\n`);

/** Compute units of a plain 100,000-iteration loop: the meter's scale, measured in this run. */
async function calibrationUnits(): Promise<number> {
  const worker = new XsWorker({ onRequest: () => new Uint8Array(0) });
  try {
    return (await worker.evaluate("let s = 0; for (let i = 0; i < 100000; i++) s += i;")).meter.compute;
  } finally {
    await worker.close();
  }
}

async function xsSection(): Promise<Section> {
  step("XS core: 1,000 rings through the firmware inside xsnap-worker");
  const xs = await benchXsCore({ rings: 1000, progress: (n) => step(`  ${n} rings`) });
  const loopUnits = await calibrationUnits();
  return {
    key: "xs",
    title: "Firmware on the XS engine",
    intro:
      "Deterministic XS meter figures: the same code and input give the same counts on any machine. A ring runs " +
      "from the debounced edge to the sealed publish handed to the MQTT port; crypto primitives are host calls, as " +
      "on the device (mbedtls). Heap figures are live slots after a full GC; chunk bytes come from a heap snapshot. " +
      "The full outbox is measured with the broker unreachable and the outbox at its default limit (index in RAM, " +
      "envelopes on the storage port).",
    json: { ...xs, calibrationLoop100kUnits: loopUnits },
    rows: [
      {
        figure: "xs.ringComputeUnits (median)",
        value: xs.ringComputeUnits.toLocaleString("en"),
        reference: `${loopUnits.toLocaleString("en")} for a 100k-iteration loop`,
        note:
          `max ${xs.ringComputeUnitsMax.toLocaleString("en")}; ${xs.frameBytes.toLocaleString("en")}-byte frame ` +
          `sealed into ${xs.sealedBytesPerRing.toLocaleString("en")} bytes`,
      },
      {
        figure: "xs.heapAfter10Rings (at rest)",
        value: `${xs.heapAfter10Rings.toLocaleString("en")} slots`,
        note: `${xs.heapAtRest.chunkBytes.toLocaleString("en")} chunk bytes (xs.heapAtRest)`,
      },
      {
        figure: "xs.heapAfterFullOutbox",
        value:
          `${xs.heapAfterFullOutbox.slots.toLocaleString("en")} slots, ` +
          `${xs.heapAfterFullOutbox.chunkBytes.toLocaleString("en")} chunk bytes`,
        reference: "at most 64 KB above the heap at rest",
        note:
          `${(xs.fullOutboxGrowthBytes / 1024).toFixed(1)} KB above rest (slots at 16 B, as on the ESP32); ` +
          `${xs.heapAfterFullOutbox.events} events, ${Math.round(xs.heapAfterFullOutbox.queuedBytes / 1024)} KiB ` +
          `queued on flash (defaults: ${xs.heapAfterFullOutbox.maxEvents} events, ${xs.heapAfterFullOutbox.maxKiB} KiB)`,
      },
      {
        figure: "xs.heapAfter1000Rings",
        value: `${xs.heapAfter1000Rings.toLocaleString("en")} slots`,
        reference: `${xs.heapAfter10Rings.toLocaleString("en")} after 10`,
        note:
          xs.heapAfter1000Rings <= xs.heapAfter10Rings
            ? "no growth"
            : `grew by ${xs.heapAfter1000Rings - xs.heapAfter10Rings}`,
      },
    ],
  };
}
if (wants("xs")) sections.push(await xsSection());

// Sealed events: XS cost of one seal and open, Node throughput beside hpke-js, and an ESP32 estimate.
if (wants("seal")) {
  step("seal: one ring event with a 20 KB snapshot");
  sections.push(await benchSealCost({ quick }));
}

// Sealed video: XS cost of one 25 KB live frame in its stream, and an ESP32 estimate scaled from the seal's.
let videoCost: Section | undefined;
if (wants("video")) {
  step("video: one live frame of 25 KB");
  videoCost = await benchVideoCost({ seal: sections.find((x) => x.key === "seal")?.json });
}

// Load and scale-out: N doorbells on the Node host against one Mosquitto on loopback, with bridge processes.
if (wants("load")) {
  step(
    `load: N = ${quick ? "10, 100" : "10, 100, 1,000"} doorbells against Mosquitto, then two bridges sharing the load`,
  );
  sections.push(...(await benchLoad({ quick, progress: step })));
}

// The bridge on its own: events sealed beforehand by N = 10, 100, 1,000 devices, beside Mosquitto alone.
if (wants("bridge")) {
  step("bridge: sealed events replayed through Mosquitto alone, then through the bridge");
  sections.push(await benchBridge({ quick, progress: step }));
}

// Motion: thumbnail decode (TypeScript on Node, libjpeg-turbo and doorbell_thumb.c in C) and the detector's XS units per cell.
if (wants("motion")) {
  step("motion: the CDnet highway frames through the thumbnail decoders and the detector");
  sections.push(await benchMotion({ quick, progress: step }));
}

// Redaction: the C redactor beside libjpeg-turbo's full decode, the TypeScript on Node and its XS units, an ESP32 estimate.
if (wants("redaction")) {
  step("redaction: the CDnet highway frames with issue 14's acceptance zone");
  sections.push(await benchRedaction({ quick, progress: step }));
}

// Video: the live view through the bridge's MJPEG endpoint (also alone: npm run bench:video), in one "video" section
// with the sealing cost.
if (videoCost) {
  step("video: the live view through the bridge's MJPEG endpoint on loopback");
  sections.push(mergeSections(videoCost, await benchVideo({ quick, progress: step, producer: options.producer })));
}

// Owner updates: the receiver's cost per chunk in XS, and an ESP32 estimate for a whole update (bench/ota-cost.ts).
if (wants("ota")) {
  step("ota: the update receiver in XS");
  sections.push(await benchOtaCost());
}

writeReport(sections, { quick, startedAt, ...(only ? { only } : {}) }, paths);
step(`wrote ${relative(process.cwd(), paths.markdown)} and ${relative(process.cwd(), paths.json)}`);
