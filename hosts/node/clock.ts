// SPDX-License-Identifier: MIT
// Clock and timers on Node: performance.now() is monotonic, Date.now() is the wall clock.
import { performance } from "node:perf_hooks";
import type { ClockPort, TimerHandle, TimerPort } from "../../modules/ports.js";

export function createNodeClock(): ClockPort {
  return { monotonicMs: () => Math.floor(performance.now()), wallMs: () => Date.now() };
}

interface NodeTimer extends TimerHandle {
  timeout: ReturnType<typeof setTimeout>;
}

export function createNodeTimers(): TimerPort {
  return {
    set: (callback, delayMs) => ({ timeout: setTimeout(callback, Math.max(0, delayMs)) }) as NodeTimer,
    clear: (handle) => clearTimeout((handle as NodeTimer).timeout),
  };
}
