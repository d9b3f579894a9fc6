// SPDX-License-Identifier: MIT
// Writes bench.json (machine-readable, merged by section) and BENCHMARKS.md (for people) at the repo root.
import { cpus, totalmem } from "node:os";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
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

/** Merges `sections` into bench.json and rewrites BENCHMARKS.md from all sections present. */
export function writeReport(sections: Section[], runInfo: { quick: boolean; startedAt: string }): void {
  const jsonPath = repoPath("bench.json");
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
  const lines = [
    "# Benchmarks",
    "",
    `Written by \`npm run bench\`${runInfo.quick ? " (--quick)" : ""} on ${runInfo.startedAt.slice(0, 10)}. ` +
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
  writeFileSync(repoPath("BENCHMARKS.md"), `${lines.join("\n")}\n`);
}
