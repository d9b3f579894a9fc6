// SPDX-License-Identifier: MIT
// Fake of Moddable's `time` module (modules/base/time/esp/modTime.c). `Time.ticks` is the uint32
// millisecond counter returned through xsmcSetInteger, so it reads as an int32: negative after
// 24.8 days and back through zero after 49.7. `Time.delta` subtracts as uint32. `Time.set(seconds)`
// moves the wall clock that `Date.now()` would read; tests read it back from `wallSetS()`.
import { loopNowMs } from "./event-loop.js";

let tickOriginMs = 0;
let wallS: number | undefined;

/** Starts the tick counter at `originMs` (e.g. just below 2 ** 32) for wrap tests. */
export function setTickOrigin(originMs: number): void {
  tickOriginMs = originMs;
}

/** The last `Time.set` value in seconds, or undefined. */
export function wallSetS(): number | undefined {
  return wallS;
}

export function resetTime(): void {
  tickOriginMs = 0;
  wallS = undefined;
}

const Time = {
  get ticks(): number {
    return (tickOriginMs + loopNowMs()) | 0;
  },
  delta(start: number, end?: number): number {
    const stop = end ?? Time.ticks;
    return ((stop >>> 0) - (start >>> 0)) | 0;
  },
  set(seconds: number): void {
    wallS = seconds;
  },
  timezone: 0,
  dst: 0,
};

export default Time;
