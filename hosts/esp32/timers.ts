// SPDX-License-Identifier: MIT
// The timer port over Moddable's `timer` module: one-shot timers on the XS event loop.
// Limit: a timer fires no earlier than asked, but late by however long the loop is busy (a TLS handshake: seconds).
import Timer from "timer";
import type { LogPort, TimerHandle, TimerPort } from "../../modules/ports.js";
import { callSafely } from "./guard.js";

const TAG = "timers";

/** Creates the timer port. A callback that throws is logged, not allowed to restart the board. */
export function createEsp32Timers(log: LogPort): TimerPort {
  const live = new Map<TimerHandle, Timer>();
  return {
    set(callback, delayMs) {
      const handle: TimerHandle = {};
      const timer = Timer.set(
        () => {
          live.delete(handle);
          callSafely(log, TAG, "timer callback", callback);
        },
        Math.max(0, delayMs),
      );
      live.set(handle, timer);
      return handle;
    },
    clear(handle) {
      const timer = live.get(handle);
      if (timer === undefined) return;
      live.delete(handle);
      Timer.clear(timer);
    },
  };
}
