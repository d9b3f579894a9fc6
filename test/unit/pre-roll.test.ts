// SPDX-License-Identifier: MIT
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Frame } from "../../modules/ports.js";
import { createPreRoll } from "../../modules/pre-roll.js";
import { FakeCamera } from "../support/fake-host.js";
import { FakeClock } from "../support/fake-clock.js";

function setup(capacity = 2, framePeriodMs = 100) {
  const clock = new FakeClock();
  const camera = new FakeCamera();
  const preRoll = createPreRoll({ timers: clock, capacity, framePeriodMs });
  camera.start({ onFrame: (f) => preRoll.push(f) });
  const picked: (number | undefined)[] = [];
  const pick = (atMs: number) => preRoll.frameAt(atMs, (f?: Frame) => picked.push(f?.capturedAtMs));
  return { clock, camera, preRoll, picked, pick };
}

describe("pre-roll snapshot rule", () => {
  test("the snapshot is the newest frame captured at or before the press, not an older buffered one", () => {
    const s = setup(2, 100);
    s.camera.capture(900);
    s.camera.capture(1000);
    s.pick(1050);
    assert.deepEqual(s.picked, [1000]);
  });

  test("a frame captured after the press is not used when one before it exists", () => {
    const s = setup(2, 100);
    s.camera.capture(1000);
    s.camera.capture(1100);
    s.pick(1099);
    assert.deepEqual(s.picked, [1000]);
  });

  test("a frame at exactly the press instant counts as before", () => {
    const s = setup();
    s.camera.capture(1000);
    s.camera.capture(1100);
    s.pick(1100);
    assert.deepEqual(s.picked, [1100]);
  });

  test("with no frame before the press, the first frame within one frame period after it is used", () => {
    const s = setup(2, 100);
    s.pick(1000);
    assert.deepEqual(s.picked, []);
    s.clock.advance(50);
    s.camera.capture(1050);
    assert.deepEqual(s.picked, [1050]);
  });

  test("a frame later than one frame period after the press is never used", () => {
    const s = setup(2, 100);
    s.pick(1000);
    s.camera.capture(1101);
    s.clock.advance(200);
    assert.deepEqual(s.picked, [undefined]);
  });

  test("a stale frame (camera stalled) is not used as the press snapshot", () => {
    const s = setup(2, 100);
    s.camera.capture(100);
    s.pick(1000);
    s.clock.advance(200);
    assert.deepEqual(s.picked, [undefined]);
  });

  test("frames beyond the capacity are returned to the camera at once, and close returns the rest", () => {
    const s = setup(2, 100);
    for (let t = 0; t < 10; t++) s.camera.capture(t * 100);
    assert.equal(s.camera.outstanding, 2);
    assert.equal(s.preRoll.released, 8);
    s.preRoll.close();
    assert.equal(s.camera.outstanding, 0);
  });
});
