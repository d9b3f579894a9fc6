// SPDX-License-Identifier: MIT
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createButtonMachine } from "../../modules/button.js";
import { FakeClock } from "../support/fake-clock.js";

function setup(debounceMs = 30, longPressMs = 2000) {
  const clock = new FakeClock();
  const events: string[] = [];
  const machine = createButtonMachine({
    clock,
    timers: clock,
    debounceMs,
    longPressMs,
    onPress: (at) => events.push(`press@${at}`),
    onRelease: (at, held) => events.push(`release@${at} held=${held}`),
    onLongPress: (at, held) => events.push(`long@${at} held=${held}`),
  });
  /** Raw edge at the current fake time. */
  const edge = (level: 0 | 1) => machine.edge({ level, atMs: clock.nowMs });
  return { clock, events, edge, machine };
}

/** Toggles the contact every `stepMs` for `bounceMs`, ending at `final`. */
function bounce(s: ReturnType<typeof setup>, final: 0 | 1, bounceMs: number, stepMs = 1) {
  let level: 0 | 1 = final;
  for (let t = 0; t < bounceMs; t += stepMs) {
    s.edge(level);
    level = level === 1 ? 0 : 1;
    s.clock.advance(stepMs);
  }
  s.edge(final);
}

describe("button debounce", () => {
  test("10 ms of contact bounce gives exactly one press, dated at the first edge", () => {
    const s = setup();
    s.clock.advance(1000);
    bounce(s, 1, 10);
    s.clock.advance(500);
    bounce(s, 0, 10);
    s.clock.advance(500);
    assert.deepEqual(s.events, ["press@1000", "release@1510 held=510"]);
  });

  test("a glitch shorter than the debounce time is ignored", () => {
    const s = setup(30);
    s.edge(1);
    s.clock.advance(5);
    s.edge(0);
    s.clock.advance(200);
    assert.deepEqual(s.events, []);
  });

  test("the press is not reported until the level has been stable for debounceMs", () => {
    const s = setup(30);
    s.edge(1);
    s.clock.advance(29);
    assert.deepEqual(s.events, []);
    s.clock.advance(1);
    assert.deepEqual(s.events, ["press@0"]);
  });

  test("a press of 2 s or more is a long press; a shorter one is not", () => {
    const s = setup(30, 2000);
    s.edge(1);
    s.clock.advance(1990);
    s.edge(0);
    s.clock.advance(100);
    assert.ok(!s.events.some((e) => e.startsWith("long")), "1.99 s must not be long");
    s.events.length = 0;
    s.edge(1);
    s.clock.advance(2500);
    s.edge(0);
    s.clock.advance(100);
    assert.deepEqual(s.events, ["press@2090", "long@2090 held=2000", "release@4590 held=2500"]);
  });

  test("a press the driver coalesced into a zero-length pulse (loop busy) is counted, not lost", () => {
    const s = setup(30);
    s.clock.advance(3000);
    s.machine.edge({ level: 1, atMs: 3000, coalesced: true });
    s.machine.edge({ level: 0, atMs: 3000, coalesced: true });
    s.clock.advance(100);
    assert.deepEqual(s.events, ["press@3000", "release@3000 held=0"]);
  });

  test("a whole press that reaches a busy loop late, settle timer not yet run, still counts, dated by its edges", () => {
    const s = setup(30);
    s.clock.advance(1300);
    // The loop was busy from 1000 to 1300: the press (bouncing 1000-1008) and the release (1150-1158) arrive together.
    for (let t = 0; t <= 8; t++) s.machine.edge({ level: t % 2 === 0 ? 1 : 0, atMs: 1000 + t });
    for (let t = 0; t <= 8; t++) s.machine.edge({ level: t % 2 === 0 ? 0 : 1, atMs: 1150 + t });
    s.clock.advance(100);
    assert.deepEqual(s.events, ["press@1000", "release@1150 held=150"]);
  });

  test("close cancels pending timers", () => {
    const s = setup();
    s.edge(1);
    s.machine.close();
    s.clock.advance(5000);
    assert.deepEqual(s.events, []);
    assert.equal(s.clock.pending, 0);
  });
});
