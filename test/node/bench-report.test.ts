// SPDX-License-Identifier: MIT
// `npm run bench` writes its report into build/; only `npm run bench -- --write` rewrites the committed
// BENCHMARKS.md and bench.json (bench/report.ts). The benchmarks themselves are not run here.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { benchOptions, writeReport } from "../../bench/report.js";
import { repoPath } from "../../hosts/xs/bundle.js";

const work = mkdtempSync(join(tmpdir(), "bench-report-"));
after(() => rmSync(work, { recursive: true, force: true }));

describe("npm run bench: where the report goes", () => {
  test("by default (and with --quick) into build/, leaving the committed files alone", () => {
    for (const args of [[], ["--quick"]]) {
      const { paths } = benchOptions(args);
      assert.deepEqual(paths, { json: repoPath("build/bench.json"), markdown: repoPath("build/BENCHMARKS.md") });
    }
    assert.equal(benchOptions([]).quick, false);
    assert.equal(benchOptions(["--quick"]).quick, true);
  });

  test("--write rewrites the committed BENCHMARKS.md and bench.json at the repo root", () => {
    for (const args of [["--write"], ["--quick", "--write"]])
      assert.deepEqual(benchOptions(args).paths, { json: repoPath("bench.json"), markdown: repoPath("BENCHMARKS.md") });
  });

  test("an unknown option is refused, naming it and the accepted ones", () => {
    assert.throws(() => benchOptions(["--wirte"]), /unknown option --wirte; accepted: --quick, --write/);
  });

  test("the report is written where the paths say, saying which command wrote it", () => {
    const paths = { json: join(work, "out", "bench.json"), markdown: join(work, "out", "BENCHMARKS.md") };
    const section = {
      key: "demo",
      title: "Demo",
      intro: "A section",
      json: { figure: 3 },
      rows: [{ figure: "demo.figure", value: "3" }],
    };
    writeReport([section], { quick: true, startedAt: "2026-12-04T00:00:00.000Z" }, paths);
    assert.deepEqual(JSON.parse(readFileSync(paths.json, "utf8")).demo, { figure: 3 });
    const md = readFileSync(paths.markdown, "utf8");
    assert.match(md, /^Written by `npm run bench` \(--quick\) on 2026-12-04\./m);
    assert.match(md, /\| demo\.figure \| 3 \| – \|/);
  });
});
