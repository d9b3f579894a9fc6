// SPDX-License-Identifier: MIT
// hosts/esp32/timers.ts and system.ts inside XS on the `timer` fake.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createEsp32System } from "../../hosts/esp32/system.js";
import { createEsp32Timers } from "../../hosts/esp32/timers.js";
import { systemStats } from "../xs/moddable-fakes/device-globals.js";
import { advance, loopNowMs, pendingTimers } from "../xs/moddable-fakes/event-loop.js";
import { freshBoard } from "./device.js";

describe("ESP32 timers on the timer module", () => {
  test("a callback fires once, not before its delay, and never inside set()", () => {
    const log = freshBoard();
    const timers = createEsp32Timers(log);
    const fired: number[] = [];
    timers.set(() => void fired.push(loopNowMs()), 50);
    timers.set(() => void fired.push(loopNowMs()), 0);
    assert.deepEqual(fired, []);
    advance(100);
    assert.deepEqual(fired, [0, 50]);
  });

  test("clear() cancels; clearing twice or after firing is a no-op", () => {
    const log = freshBoard();
    const timers = createEsp32Timers(log);
    let fired = 0;
    const a = timers.set(() => fired++, 10);
    const b = timers.set(() => fired++, 10);
    timers.clear(a);
    timers.clear(a);
    advance(20);
    timers.clear(b);
    assert.equal(fired, 1);
    assert.equal(pendingTimers(), 0);
  });

  test("a callback that throws is logged and the loop goes on", () => {
    const log = freshBoard();
    const timers = createEsp32Timers(log);
    let after = false;
    timers.set(() => {
      throw new Error("firmware bug");
    }, 5);
    timers.set(() => {
      after = true;
    }, 6);
    advance(10);
    assert.equal(after, true);
    assert.match(log.at("error", "timers")[0], /firmware bug/);
  });

  test("system.restart() logs the reason and resets the board", () => {
    const log = freshBoard();
    const system = createEsp32System({ log, rssiDbm: () => -70 });
    system.restart("update applied");
    assert.equal(systemStats.restarts, 1);
    assert.match(log.at("warn", "system")[0], /update applied/);
    assert.equal(system.rssiDbm(), -70);
  });
});
