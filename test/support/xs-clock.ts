// SPDX-License-Identifier: MIT
// Moves a fake clock forward while firmware runs in XS: timer by timer, letting the worker finish each
// crank (which may set new timers) before the next fires, so timing matches the in-process fake host.
import type { XsFirmware } from "../../hosts/xs/xs-firmware.js";
import type { FakeClock } from "./fake-clock.js";

export async function advanceXs(clock: FakeClock, fw: XsFirmware, ms: number): Promise<void> {
  const until = clock.nowMs + ms;
  await fw.idle();
  for (let due = clock.nextDueMs(); due !== undefined && due <= until; due = clock.nextDueMs()) {
    clock.advance(due - clock.nowMs);
    await fw.idle();
  }
  clock.advance(until - clock.nowMs);
  await fw.idle();
}
