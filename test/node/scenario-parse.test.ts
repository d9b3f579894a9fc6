// SPDX-License-Identifier: MIT
// The scenario format: every step with its options, durations with units, and errors that name the file
// and the line, given before anything runs (simulator/scenarios/README.md).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { repoPath } from "../../hosts/xs/bundle.js";
import { parseDuration, parseScenario, ScenarioError } from "../../simulator/scenario/parse-scenario.js";

const problems = (text: string) => {
  try {
    parseScenario(text, "s.yaml");
  } catch (error) {
    if (error instanceof ScenarioError) return error.problems;
    throw error;
  }
  assert.fail("expected the scenario to be refused");
};

describe("scenario files: steps and durations", () => {
  test("every step parses, with its options and durations in ms", () => {
    const s = parseScenario(
      `name: all steps
version: 1
camera: porch:night
engine: node
timeout: 90s
steps:
  - press
  - release: { bounce: 0ms }
  - wait: 1.5s
  - play: { scene: porch, light: day }
  - visitor: { ring: false, leave: false }
  - lamp: on
  - light: night
  - drop-network
  - restore-network
  - restart-broker: { down: 2s }
  - power-cut
  - expect-event: { type: ring, within: 5s, snapshot: true }
  - expect-no-event: { type: motion_start, for: 8s }
  - expect-log: { match: "/ring id=[0-9a-f]+/", within: 1m }
  - expect-all-opened: 10s
`,
      "s.yaml",
    );
    assert.equal(s.name, "all steps");
    assert.deepEqual(s.camera, { kind: "porch", light: "night" });
    assert.equal(s.engine, "node");
    assert.equal(s.timeoutMs, 90_000);
    assert.deepEqual(
      s.steps.map((x) => [x.line, x.kind]),
      [
        [7, "press"],
        [8, "release"],
        [9, "wait"],
        [10, "play"],
        [11, "visitor"],
        [12, "lamp"],
        [13, "light"],
        [14, "drop-network"],
        [15, "restore-network"],
        [16, "restart-broker"],
        [17, "power-cut"],
        [18, "expect-event"],
        [19, "expect-no-event"],
        [20, "expect-log"],
        [21, "expect-all-opened"],
      ],
    );
    const [, release, wait, , visitor, lamp, , , , restart, cut, expect, none, log, all] = s.steps;
    assert.deepEqual(
      [release, wait, visitor, lamp].map((x) => ({ ...x, line: 0, text: "" })),
      [
        { line: 0, text: "", kind: "release", bounceMs: 0 },
        { line: 0, text: "", kind: "wait", ms: 1500 },
        { line: 0, text: "", kind: "visitor", ring: false, leave: false },
        { line: 0, text: "", kind: "lamp", on: true },
      ],
    );
    assert.equal(restart.kind === "restart-broker" && restart.downMs, 2000);
    assert.equal(cut.kind === "power-cut" && cut.offMs, 1000);
    assert.deepEqual(expect.kind === "expect-event" && [expect.type, expect.withinMs, expect.snapshot], [
      "ring",
      5000,
      true,
    ]);
    assert.deepEqual(none.kind === "expect-no-event" && [none.type, none.forMs], ["motion_start", 8000]);
    assert.ok(
      log.kind === "expect-log" &&
        log.match instanceof RegExp &&
        log.match.test("ring ring id=ab12") &&
        log.withinMs === 60_000,
    );
    assert.equal(all.kind === "expect-all-opened" && all.withinMs, 10_000);
  });

  test("durations need a unit: ms, s or m", () => {
    assert.equal(parseDuration("250ms"), 250);
    assert.equal(parseDuration("2s"), 2000);
    assert.equal(parseDuration("1.5s"), 1500);
    assert.equal(parseDuration("1m"), 60_000);
    for (const bad of ["2", "2 h", "s", "-1s", "two seconds"]) assert.equal(parseDuration(bad), undefined, bad);
  });
});

describe("scenario files: problems name the file and the line", () => {
  test("an unknown step is refused with its line", () => {
    assert.deepEqual(problems("name: x\nversion: 1\nsteps:\n  - wait: 1s\n  - presss\n"), [
      `s.yaml:5: unknown step "presss"; expected one of press, release, wait, play, visitor, lamp, light, ` +
        "drop-network, restore-network, restart-broker, power-cut, expect-event, expect-no-event, expect-log, " +
        "expect-all-opened, live-view, expect-stream, update, expect-update, expect-firmware",
    ]);
  });

  test("an unknown key is refused with its line, in a step and at the top", () => {
    const p = problems(
      "name: x\nversion: 1\nretries: 3\nsteps:\n  - expect-event:\n      type: ring\n      withn: 5s\n",
    );
    assert.deepEqual(p, [
      `s.yaml:3: unknown key "retries"; expected name, version, description, camera, engine, timeout, updateTrial, steps`,
      `s.yaml:7: expect-event: unknown key "withn"; expected type, within, snapshot`,
      `s.yaml:5: expect-event: within is required (a duration such as 500ms or 2s)`,
    ]);
  });

  test("bad values name the line and what is accepted", () => {
    const p = problems(
      "name: x\nversion: 2\nsteps:\n  - wait: 2\n  - expect-event: { type: doorbell, within: 1s }\n  - play: { frames: no-such-folder }\n",
    );
    assert.equal(p[0], "s.yaml:2: version 2 is not accepted; expected 1");
    assert.match(
      p[1],
      /^s\.yaml:4: wait: for "?2"? is not accepted; expected a duration up to 10m with a unit: ms, s or m/,
    );
    assert.equal(
      p[2],
      `s.yaml:5: expect-event: type "doorbell" is not accepted; ` +
        "expected one of ring, long_press, motion_start, motion_end, snapshot, status",
    );
    assert.match(p[3], /^s\.yaml:6: play: no-such-folder not found/);
  });

  test("a wait over 10 minutes is refused: every wait is bounded", () => {
    assert.match(
      problems("name: x\nversion: 1\nsteps:\n  - wait: 11m\n")[0],
      /^s\.yaml:4: wait: for "11m" is not accepted/,
    );
  });

  test("npm run scenario refuses an invalid file before running any (exit 2), naming every problem", () => {
    const dir = mkdtempSync(join(tmpdir(), "scenario-parse-"));
    const good = join(dir, "good.yaml");
    const bad = join(dir, "bad.yaml");
    writeFileSync(good, "name: fine\nversion: 1\nsteps:\n  - wait: 1s\n");
    writeFileSync(bad, "name: broken\nversion: 1\nsteps:\n  - wait: 1s\n  - ring-twice\n");
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", repoPath("simulator/scenario/scenario-cli.ts"), "--out", dir, good, bad],
      { encoding: "utf8", cwd: repoPath("") },
    );
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /bad\.yaml:5: unknown step "ring-twice"/);
    assert.equal(r.stdout, "", "nothing ran");
  });
});

describe("scenario files: video steps (issue 10)", () => {
  test("live-view and expect-stream parse with their options and counts", () => {
    const s = parseScenario(
      `name: video
version: 1
steps:
  - live-view: { action: start, seconds: 30 }
  - live-view: stop
  - expect-stream: { kind: clip, trigger: ring, within: 30s, preRollFrames: ">=1", frames: "<=60", complete: true }
  - expect-stream: { kind: live, within: 5s, frames: 12 }
`,
      "v.yaml",
    );
    const [start, stop, clip, live] = s.steps;
    assert.deepEqual(
      [start.kind, start.kind === "live-view" && start.action, start.kind === "live-view" && start.seconds],
      ["live-view", "start", 30],
    );
    assert.ok(stop.kind === "live-view" && stop.action === "stop" && stop.seconds === undefined);
    assert.ok(clip.kind === "expect-stream");
    if (clip.kind !== "expect-stream" || live.kind !== "expect-stream") return;
    assert.deepEqual(
      [clip.stream, clip.trigger, clip.withinMs, clip.preRollFrames, clip.frames, clip.complete],
      ["clip", "ring", 30_000, { op: ">=", n: 1 }, { op: "<=", n: 60 }, true],
    );
    assert.deepEqual([live.frames, live.complete], [{ op: "=", n: 12 }, undefined]);
  });

  test("bad video steps name the line and what is accepted", () => {
    const text = (step: string) => `name: x\nversion: 1\nsteps:\n  - ${step}\n`;
    const cases: [string, RegExp][] = [
      ["live-view: pause", /s.yaml:4: live-view: action "pause" is not accepted; expected one of start, stop/],
      ["live-view: { action: start, seconds: 301 }", /seconds 301 is not accepted; expected an integer from 1 to 300/],
      ["live-view: { action: stop, seconds: 5 }", /live-view: seconds goes with action start only/],
      ["expect-stream: { kind: movie, within: 1s }", /kind "movie" is not accepted; expected one of clip, live/],
      ["expect-stream: { kind: clip }", /within is required/],
      ["expect-stream: { kind: clip, within: 1s, frames: lots }", /frames "lots" is not accepted; expected a count/],
      ["expect-stream: { kind: live, within: 1s, preRollFrames: 1 }", /preRollFrames goes with kind clip only/],
      ["expect-stream: { kind: live, within: 1s, fps: 5 }", /unknown key "fps"/],
    ];
    for (const [step, pattern] of cases)
      assert.ok(
        problems(text(step)).some((p) => pattern.test(p)),
        `${step}: ${problems(text(step)).join(" | ")}`,
      );
  });
});
