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

const BENCH_OPTIONS = ["--quick", "--write", "--producer"];
/** The video section's live-view producers (`--producer`): the firmware on XS, or a synthetic camera on Node. */
const PRODUCERS = ["xs", "synthetic"] as const;

/**
 * `npm run bench`'s options: `--quick` for smaller loads; `--producer xs|synthetic` for the video section's live-view
 * producer (default xs, the firmware on XS); the report goes to build/bench.json and
 * build/BENCHMARKS.md, or with `--write` over the committed bench.json and BENCHMARKS.md at the repo root (a full
 * run meant to be committed). Throws on any other argument, naming the accepted ones.
 */
export function benchOptions(args: readonly string[]): {
  quick: boolean;
  paths: ReportPaths;
  producer: (typeof PRODUCERS)[number];
} {
  const at = args.indexOf("--producer");
  const producer = at < 0 ? "xs" : args[at + 1];
  if (!PRODUCERS.includes(producer as (typeof PRODUCERS)[number]))
    throw new Error(`--producer ${producer ?? ""}: accepted: ${PRODUCERS.join(", ")}`);
  const unknown = args.filter((a, i) => !BENCH_OPTIONS.includes(a) && !(at >= 0 && (i === at || i === at + 1)));
  if (unknown.length) throw new Error(`unknown option ${unknown.join(" ")}; accepted: ${BENCH_OPTIONS.join(", ")}`);
  const paths = args.includes("--write")
    ? { json: repoPath("bench.json"), markdown: repoPath("BENCHMARKS.md") }
    : { json: repoPath("build/bench.json"), markdown: repoPath("build/BENCHMARKS.md") };
  return { quick: args.includes("--quick"), paths, producer: producer as (typeof PRODUCERS)[number] };
}

/** Merges `sections` into the report's bench.json and rewrites its BENCHMARKS.md from all sections present. */
export function writeReport(
  sections: Section[],
  runInfo: { quick: boolean; startedAt: string },
  paths: ReportPaths = benchOptions([]).paths,
): void {
  const jsonPath = paths.json;
  mkdirSync(dirname(jsonPath), { recursive: true });
  mkdirSync(dirname(paths.markdown), { recursive: true });
  const previous = existsSync(jsonPath) ? (JSON.parse(readFileSync(jsonPath, "utf8")) as Record<string, unknown>) : {};
  const md = (previous.$markdown ?? {}) as Record<string, { title: string; intro: string; rows: Row[] }>;
  const out: Record<string, unknown> = { ...previous, machine: machine(), run: runInfo };
  for (const s of sections) {
    out[s.key] = s.json;
    md[s.key] = { title: s.title, intro: s.intro, rows: s.rows };
  }
  out.$markdown = md;
  writeFileSync(jsonPath, `${JSON.stringify(out, null, 2)}\n`);

  const m = out.machine as Machine;
  const command = paths.markdown === repoPath("BENCHMARKS.md") ? "npm run bench -- --write" : "npm run bench";
  const lines = [
    "# Benchmarks",
    "",
    `Written by \`${command}\`${runInfo.quick ? " (--quick)" : ""} on ${runInfo.startedAt.slice(0, 10)}. ` +
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
      "",
      "| Figure | Value | Reference (same run) | Note |",
      "| --- | ---: | ---: | --- |",
    );
    for (const r of s.rows) lines.push(`| ${r.figure} | ${r.value} | ${r.reference ?? "–"} | ${r.note ?? ""} |`);
  }
  writeFileSync(paths.markdown, `${lines.join("\n")}\n`);
}
