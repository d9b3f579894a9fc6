// SPDX-License-Identifier: MIT
// The scenario steps for owner updates (simulator/scenarios/README.md): `update`, `expect-update`,
// `expect-firmware` and the `updateTrial` key parse with their options and refuse bad ones naming the line.
// scenario-run.test.ts runs the shipped update scenarios and checks their artifacts.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseScenario, ScenarioError } from "../../simulator/scenario/parse-scenario.js";
import { updateCondition } from "../../simulator/scenario/update-steps.js";

const problems = (text: string) => {
  try {
    parseScenario(text, "s.yaml");
  } catch (error) {
    if (error instanceof ScenarioError) return error.problems;
    throw error;
  }
  assert.fail("expected the scenario to be refused");
};

describe("scenario files: the update steps", () => {
  test("update, expect-update and expect-firmware parse with their options; updateTrial is a duration", () => {
    const s = parseScenario(
      `name: updates
version: 1
updateTrial: 15s
steps:
  - update: { version: 0.2.0, sizeKiB: 96, corrupt: true, unreachableBroker: false }
  - update: 0.3.0
  - expect-update: { progress: ">=30", within: 10s }
  - expect-update: { state: refused, reason: chunk-hash, within: 5s }
  - expect-firmware: { version: 0.2.0, slot: b, fresh: true, within: 1m }
`,
      "s.yaml",
    );
    assert.equal(s.updateTrialMs, 15_000);
    const [a, b, c, d, e] = s.steps;
    assert.deepEqual(
      { ...a, line: 0, text: "" },
      {
        line: 0,
        text: "",
        kind: "update",
        version: "0.2.0",
        sizeKiB: 96,
        corrupt: true,
        unreachableBroker: false,
        allowDowngrade: false,
      },
    );
    assert.equal(b.kind === "update" && b.version, "0.3.0");
    assert.deepEqual(c.kind === "expect-update" && c.progress, { op: ">=", n: 30 });
    assert.deepEqual(d.kind === "expect-update" && [d.state, d.reason, d.withinMs], ["refused", "chunk-hash", 5000]);
    assert.deepEqual(e.kind === "expect-firmware" && [e.version, e.slot, e.fresh, e.withinMs], [
      "0.2.0",
      "b",
      true,
      60_000,
    ]);
  });

  test("bad update options are refused, naming the line and what is accepted", () => {
    const p = problems(`name: bad
version: 1
updateTrial: 5h
steps:
  - update: { sizeKiB: 4096 }
  - expect-update: { progress: "lots", within: 1s }
  - expect-update: { within: 1s }
  - expect-firmware: { version: 1.0.0, slot: c, within: 1s }
`);
    const text = p.join("\n");
    assert.match(text, /s\.yaml:3: updateTrial "5h" is not accepted/);
    assert.match(text, /s\.yaml:5: update: version is required/);
    assert.match(text, /sizeKiB 4096 is not accepted; expected an integer from 1 to 1536/);
    assert.match(text, /s\.yaml:6: expect-update: progress "lots" is not accepted/);
    assert.match(text, /s\.yaml:7: expect-update: give progress or state/);
    assert.match(text, /slot "c" is not accepted; expected one of a, b/);
  });

  test("expect-update holds once the best progress seen reaches the percentage, even after the device moved on", () => {
    let update: { state: string; next?: number; chunks?: number } | undefined = { state: "want", next: 4, chunks: 10 };
    const view = () => ({ update, firmwareVersion: "1.0.0", power: "on" });
    const c = updateCondition({ kind: "expect-update", withinMs: 1, progress: { op: ">=", n: 30 } }, view);
    assert.equal(c.done(), true);
    update = { state: "want", next: 1, chunks: 10 };
    const d = updateCondition({ kind: "expect-update", withinMs: 1, progress: { op: ">=", n: 30 } }, view);
    assert.equal(d.done(), false);
    assert.match(d.why(), /progress >=30 %/);
  });
});
