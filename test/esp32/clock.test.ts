// SPDX-License-Identifier: MIT
// hosts/esp32/clock.ts inside XS on the `time` and `timer` fakes: Time.ticks is a uint32 that XS
// returns as an int32, so it turns negative after 24.8 days and wraps to 0 after 49.7 days.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createEsp32Clock } from "../../hosts/esp32/clock.js";
import { advance, pendingTimers } from "../xs/moddable-fakes/event-loop.js";
import Time, { setTickOrigin } from "../xs/moddable-fakes/time.js";
import { freshBoard } from "./device.js";

const DAY_MS = 86_400_000;

describe("ESP32 clock over Time.ticks", () => {
  test("the clock survives a tick wrap: monotonic across int32 and uint32 wrap", () => {
    freshBoard();
    setTickOrigin(2 ** 32 - 5_000);
    const clock = createEsp32Clock();
    const start = clock.monotonicMs();
    advance(4_000);
    const before = clock.monotonicMs();
    advance(2_000); // Time.ticks passes 2^32 here
    const after = clock.monotonicMs();
    assert.ok(Time.ticks >= 0 && Time.ticks < 5_000, `ticks wrapped to ${Time.ticks}`);
    assert.equal(before - start, 4_000);
    assert.equal(after - before, 2_000);
    clock.close();
  });

  test("the clock survives the int32 sign change at 24.8 days", () => {
    freshBoard();
    setTickOrigin(2 ** 31 - 1_000);
    const clock = createEsp32Clock();
    const start = clock.monotonicMs();
    advance(3_000);
    assert.ok(Time.ticks < 0, "Time.ticks reads negative past 2^31 ms, as XS returns it");
    assert.equal(clock.monotonicMs() - start, 3_000);
    clock.close();
  });

  test("60 days with nobody asking: the hourly sampler keeps the count right over a whole wrap", () => {
    freshBoard();
    const clock = createEsp32Clock();
    const start = clock.monotonicMs();
    advance(60 * DAY_MS);
    assert.equal(clock.monotonicMs() - start, 60 * DAY_MS);
    clock.close();
  });

  test("close() stops the sampler", () => {
    freshBoard();
    const clock = createEsp32Clock();
    assert.equal(pendingTimers(), 1);
    clock.close();
    assert.equal(pendingTimers(), 0);
  });
});
