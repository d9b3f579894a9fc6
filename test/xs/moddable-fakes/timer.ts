// SPDX-License-Identifier: MIT
// Fake of Moddable's `timer` module (modules/base/timer/modTimer.c over mc/timer.c) on the fake loop.
// As in the SDK: `set(cb, ms, repeat)` and `repeat(cb, ms)` return a host object that the callback
// receives; `clear` accepts undefined, a fired one-shot or a cleared timer and does nothing then;
// a callback never runs inside `set`; late timers fire in the order they were set (event-loop.ts);
// `delay(ms)` blocks the loop without servicing it.
import { addTimer, busyFor, type LoopTimer, removeTimer, rescheduleTimer } from "./event-loop.js";

type Callback = (timer: Timer) => void;

class Timer {
  #loop: LoopTimer | undefined;

  private constructor(callback: Callback, delayMs: number, repeatMs: number) {
    this.#loop = addTimer(
      () => {
        if (!repeatMs) this.#loop = undefined; // a fired one-shot: its host data is gone
        callback(this);
      },
      delayMs,
      repeatMs,
    );
  }

  static set(callback: Callback, delayMs = 0, repeatMs = 0): Timer {
    return new Timer(callback, delayMs | 0, repeatMs | 0);
  }
  static repeat(callback: Callback, intervalMs: number): Timer {
    return new Timer(callback, intervalMs | 0, intervalMs | 0);
  }
  static schedule(timer: Timer, delayMs?: number, repeatMs = 0): void {
    const loop = timer.#loop;
    if (!loop) throw new Error("timer: schedule of a fired or cleared timer (no host data)");
    if (delayMs === undefined) rescheduleTimer(loop, Number.MAX_SAFE_INTEGER, 0);
    else rescheduleTimer(loop, delayMs | 0, repeatMs | 0);
  }
  static clear(timer: Timer | undefined | null): void {
    if (!(timer instanceof Timer)) return;
    const loop = timer.#loop;
    timer.#loop = undefined;
    if (loop) removeTimer(loop);
  }
  static delay(ms: number): void {
    busyFor(ms);
  }
}

export default Timer;
