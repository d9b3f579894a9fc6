// SPDX-License-Identifier: MIT
// `npm run bench` writes its report into build/; only `npm run bench -- --write` rewrites the committed
// BENCHMARKS.md and bench.json (bench/report.ts). The benchmarks themselves are not run here.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { bridgeSection, type BridgeRow } from "../../bench/bridge-throughput.js";
import { BENCH_SECTIONS, benchOptions, writeReport } from "../../bench/report.js";
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
    assert.throws(
      () => benchOptions(["--wirte"]),
      /unknown option --wirte; accepted: --quick, --write, --only <section>/,
    );
  });

  test("--only <section> (repeatable) names the sections to run; anything else after it is refused", () => {
    assert.equal(benchOptions([]).only, undefined, "a full run");
    assert.deepEqual(benchOptions(["--only", "bridge"]).only, ["bridge"]);
    assert.deepEqual(benchOptions(["--only", "bridge", "--quick", "--only", "load"]).only, ["bridge", "load"]);
    assert.ok(BENCH_SECTIONS.includes("bridge"));
    assert.throws(() => benchOptions(["--only", "brigde"]), /--only brigde is not a section; accepted: xs, seal/);
    assert.throws(() => benchOptions(["--only"]), /--only \(nothing\) is not a section/);
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

  test("a run of some sections replaces only those, keeps the full run's date, and says when each was measured", () => {
    const paths = { json: join(work, "partial", "bench.json"), markdown: join(work, "partial", "BENCHMARKS.md") };
    const section = (key: string, value: number) => ({ key, title: key, intro: "", json: { value }, rows: [] });
    writeReport([section("a", 1), section("b", 2)], { quick: false, startedAt: "2026-12-01T00:00:00.000Z" }, paths);
    writeReport([section("b", 3)], { quick: true, startedAt: "2026-12-04T00:00:00.000Z", only: ["b"] }, paths);
    const json = JSON.parse(readFileSync(paths.json, "utf8"));
    assert.deepEqual([json.a, json.b], [{ value: 1 }, { value: 3 }]);
    assert.equal(json.run.startedAt, "2026-12-01T00:00:00.000Z");
    assert.equal(json.sectionRuns.b.startedAt, "2026-12-04T00:00:00.000Z");
    const md = readFileSync(paths.markdown, "utf8");
    assert.match(md, /^Written by `npm run bench` on 2026-12-01\./m);
    assert.match(
      md,
      /## b\n\n\n\nMeasured on 2026-12-04 by `npm run bench -- --only b --quick`, not in the full run above\./,
    );
    assert.doesNotMatch(md.split("## b")[0], /Measured on/, "section a was measured by the full run");
  });
});

describe("the bridge section (issue 17): rows the acceptance check reads", () => {
  const row = (n: number, eventsPerSecond: number, mosquittoPerSecond: number): BridgeRow => ({
    n,
    events: 20_000,
    eventsPerSecond,
    mosquittoPerSecond,
    ratio: Number((eventsPerSecond / mosquittoPerSecond).toFixed(3)),
    lost: 0,
    duplicated: 0,
    outOfOrder: 0,
    confirm: false,
    confirmed: 0,
    refusedConfirmations: 0,
    sealedBytes: 2314,
    cpuMsPer1000: {
      mosquittoAlone: { broker: 40, publisherAndSubscriber: 80 },
      bridge: { broker: 200, publisherAndHomeAssistant: 180, bridge: 400 },
    },
  });

  test("bench.json gets the rows as an array; BENCHMARKS.md one line per N with Mosquitto alone as the reference", () => {
    const rows = [row(10, 1500, 3000), row(100, 1200, 4000), row(1000, 900, 3600)];
    const s = bridgeSection(rows);
    assert.equal(s.key, "bridge");
    assert.deepEqual(s.json, rows);
    assert.deepEqual(
      s.rows.map((r) => [r.figure, r.value, r.reference]),
      [
        ["bridge N=10 events/s", "1,500", "3,000/s Mosquitto alone"],
        ["bridge N=100 events/s", "1,200", "4,000/s Mosquitto alone"],
        ["bridge N=1000 events/s", "900", "3,600/s Mosquitto alone"],
      ],
    );
    assert.match(
      s.rows[0].note ?? "",
      /^ratio 0\.50; 20,000 events of 2,314 bytes; lost 0, duplicated 0, out of order 0; confirm off/,
    );
    assert.match(s.intro, /Mosquitto alone/);
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
