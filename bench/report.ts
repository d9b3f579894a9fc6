// SPDX-License-Identifier: MIT
// Writes bench.json (machine-readable, merged by section) and BENCHMARKS.md (for people): into build/ by
// default, and over the committed copies at the repo root only when asked (`npm run bench -- --write`).
import { cpus, totalmem } from "node:os";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { repoPath } from "../hosts/xs/bundle.js";

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function machine(): Machine {
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** One row of the human report: a figure and, where there is one, its reference measured in the same run. */
export interface Row {
  figure: string;
  value: string;
  reference?: string;
  note?: string;
}

export interface Section {
  key: string;
  title: string;
  intro: string;
  json: unknown;
  rows: Row[];
}

/** Where a run writes its report. */
export interface ReportPaths {
  json: string;
  markdown: string;
}

const BENCH_OPTIONS = ["--quick", "--write", "--only <section>", "--producer xs|synthetic"];
/** The sections `--only` accepts, in the order a full run measures them. */
export const BENCH_SECTIONS = ["xs", "seal", "load", "bridge", "motion", "redaction", "video", "ota"] as const;
export type BenchSection = (typeof BENCH_SECTIONS)[number];
/** The video section's live-view producers (`--producer`): the firmware on XS, or a synthetic camera on Node. */
const PRODUCERS = ["xs", "synthetic"] as const;

/**
 * `npm run bench`'s options: `--quick` for smaller loads; `--only <section>` (repeatable) to run only those
 * sections, leaving the others in the report as they were; `--producer xs|synthetic` for the video section's
 * live-view producer (default xs, the firmware on XS); the report goes to build/bench.json and
 * build/BENCHMARKS.md, or with `--write` over the committed bench.json and BENCHMARKS.md at the repo root. Throws on
 * any other argument, naming the accepted ones.
 */
export function benchOptions(args: readonly string[]): {
  quick: boolean;
  only?: BenchSection[];
  paths: ReportPaths;
  producer: (typeof PRODUCERS)[number];
} {
  const only: BenchSection[] = [];
  const unknown: string[] = [];
  let producer: string = "xs";
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--quick" || args[i] === "--write") continue;
    if (args[i] === "--producer") {
      producer = args[++i];
      if (!PRODUCERS.includes(producer as (typeof PRODUCERS)[number]))
        throw new Error(`--producer ${producer ?? ""}: accepted: ${PRODUCERS.join(", ")}`);
      continue;
    }
    if (args[i] !== "--only") {
      unknown.push(args[i]);
      continue;
    }
    const section = args[++i];
    if (!(BENCH_SECTIONS as readonly string[]).includes(section))
      throw new Error(`--only ${section ?? "(nothing)"} is not a section; accepted: ${BENCH_SECTIONS.join(", ")}`);
    only.push(section as BenchSection);
  }
  if (unknown.length) throw new Error(`unknown option ${unknown.join(" ")}; accepted: ${BENCH_OPTIONS.join(", ")}`);
  const paths = args.includes("--write")
    ? { json: repoPath("bench.json"), markdown: repoPath("BENCHMARKS.md") }
    : { json: repoPath("build/bench.json"), markdown: repoPath("build/BENCHMARKS.md") };
  return {
    quick: args.includes("--quick"),
    ...(only.length ? { only } : {}),
    paths,
    producer: producer as (typeof PRODUCERS)[number],
  };
}

/** Merges `sections` into the report's bench.json and rewrites its BENCHMARKS.md from all sections present. */
export function writeReport(
  sections: Section[],
  runInfo: { quick: boolean; startedAt: string; only?: readonly string[] },
  paths: ReportPaths = benchOptions([]).paths,
): void {
  const jsonPath = paths.json;
  mkdirSync(dirname(jsonPath), { recursive: true });
  mkdirSync(dirname(paths.markdown), { recursive: true });
  const previous = existsSync(jsonPath) ? (JSON.parse(readFileSync(jsonPath, "utf8")) as Record<string, unknown>) : {};
  const md = (previous.$markdown ?? {}) as Record<string, { title: string; intro: string; rows: Row[] }>;
  // A run of some sections (--only) keeps the full run's date and notes its own beside the sections it wrote.
  const partial = runInfo.only !== undefined && previous.run !== undefined;
  const out: Record<string, unknown> = { ...previous, machine: machine(), run: partial ? previous.run : runInfo };
  const sectionRuns = { ...((previous.sectionRuns ?? {}) as Record<string, unknown>) };
  for (const s of sections) {
    out[s.key] = s.json;
    md[s.key] = { title: s.title, intro: s.intro, rows: s.rows };
    if (partial) sectionRuns[s.key] = runInfo;
    else delete sectionRuns[s.key];
  }
  out.sectionRuns = sectionRuns;
  out.$markdown = md;
  writeFileSync(jsonPath, `${JSON.stringify(out, null, 2)}\n`);

  const m = out.machine as Machine;
  const command = paths.markdown === repoPath("BENCHMARKS.md") ? "npm run bench -- --write" : "npm run bench";
  const run = out.run as { quick: boolean; startedAt: string };
  const lines = [
    "# Benchmarks",
    "",
    `Written by \`${command}\`${run.quick ? " (--quick)" : ""} on ${run.startedAt.slice(0, 10)}. ` +
      `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}.`,
    "The machine-readable figures are in `bench.json`. Only what was run and seen is reported.",
  ];
  for (const key of Object.keys(md)) {
    const s = md[key];
    lines.push(
      "",
      `## ${s.title}`,
      "",
      s.intro,
      ...sectionNote(key, sectionRuns[key] as { quick: boolean; startedAt: string } | undefined),
      "",
      "| Figure | Value | Reference (same run) | Note |",
      "| --- | ---: | ---: | --- |",
    );
    for (const r of s.rows) lines.push(`| ${r.figure} | ${r.value} | ${r.reference ?? "–"} | ${r.note ?? ""} |`);
  }
  writeFileSync(paths.markdown, `${lines.join("\n")}\n`);
}

/** The line saying a section was measured by a later run of only some sections. */
function sectionNote(key: string, run: { quick: boolean; startedAt: string } | undefined): string[] {
  if (!run) return [];
  const how = `npm run bench -- --only ${key}${run.quick ? " --quick" : ""}`;
  return ["", `Measured on ${run.startedAt.slice(0, 10)} by \`${how}\`, not in the full run above.`];
}
