// SPDX-License-Identifier: MIT
// `npm run bench` writes its report into build/; only `npm run bench -- --write` rewrites the committed
// BENCHMARKS.md and bench.json (bench/report.ts). The benchmarks themselves are not run here.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { benchOptions, writeReport } from "../../bench/report.js";
import { esp32VideoEstimate } from "../../bench/video/esp32-video.js";
import { videoSection } from "../../bench/video/section.js";
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

  test("--producer picks the video section's live-view producer: the firmware on XS unless told synthetic", () => {
    assert.equal(benchOptions([]).producer, "xs");
    assert.equal(benchOptions(["--producer", "synthetic", "--quick"]).producer, "synthetic");
    assert.equal(benchOptions(["--quick", "--producer", "xs"]).quick, true);
    assert.throws(() => benchOptions(["--producer", "node"]), /--producer node: accepted: xs, synthetic/);
    assert.throws(() => benchOptions(["--producer"]), /--producer : accepted: xs, synthetic/);
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

describe("npm run bench: the video section (issue 10 point 7)", () => {
  test("the ESP32 estimate per frame: the seal's AEAD time scaled by bytes, XS units by x86 instructions per unit", () => {
    // 4.45 ms for 20,591 bytes -> 25,000 bytes: 5.4028 ms; 10,000 units x 36 x86/unit x 1.5 / 240 MHz = 2.25 ms.
    assert.deepEqual(
      esp32VideoEstimate({
        frameBytes: 25_000,
        xsUnitsPerFrame: 10_000,
        sealAeadMs: 4.45,
        sealAeadBytes: 20_591,
        x86PerXsUnit: 36,
      }),
      { aeadMs: 5.4, xsMs: 2.25, msPerFrame: 7.65, fpsCeiling: 130 },
    );
  });

  test("video.xsUnitsPerFrame is the median frame; the estimate takes the seal section's figures, or says why not", () => {
    const figures = {
      frameBytes: 25_600,
      messageBytes: 25_643,
      frameUnits: [300, 100, 200],
      frameCalls: { chacha20Poly1305Seal: 1 },
      openUnits: 50,
      openCalls: { x25519: 2 },
      bareAeadCallUnits: 80,
    };
    const seal = {
      ringTimeXsUnits: 1000,
      x86Instructions: { aeadBytes: 25_600, xsRingTime: 36_000 },
      esp32Estimate: { breakdownMs: { sealAeadMs: 5 } },
    };
    const withSeal = videoSection({ ...figures, seal }).json as Record<string, unknown>;
    assert.equal(withSeal.xsUnitsPerFrame, 200);
    assert.equal(withSeal.xsUnitsPerFrameWithoutMarshalling, 120);
    // 120 units x 36 x86/unit x 1.5 / 240 MHz = 0.027 ms; AEAD 5 ms for the same bytes.
    const estimate = withSeal.esp32Estimate as { msPerFrame: number; xsMs: number; aeadMs: number };
    assert.deepEqual([estimate.aeadMs, estimate.xsMs, estimate.msPerFrame], [5, 0.03, 5.03]);
    const without = videoSection(figures);
    assert.deepEqual((without.json as Record<string, unknown>).esp32Estimate, {
      unavailable: "the seal section has no ESP32 estimate",
    });
    assert.ok(without.rows.some((r) => r.figure === "video.xsUnitsPerFrame (median)" && r.value === "200"));
  });
});
