// SPDX-License-Identifier: MIT
// A deterministic clock and timer queue: time moves only when a test advances it.
import type { ClockPort, TimerHandle, TimerPort } from "../../modules/ports.js";

interface Pending {
  atMs: number;
  order: number;
  callback: () => void;
  handle: TimerHandle;
}

export class FakeClock implements ClockPort, TimerPort {
  nowMs = 0;
  wallOriginMs = 1_790_000_000_000;
  private queue: Pending[] = [];
  private order = 0;

  monotonicMs(): number {
    return this.nowMs;
  }
  wallMs(): number {
    return this.wallOriginMs + this.nowMs;
  }
  set(callback: () => void, delayMs: number): TimerHandle {
    const handle: TimerHandle = {};
    this.queue.push({ atMs: this.nowMs + Math.max(0, delayMs), order: this.order++, callback, handle });
    return handle;
  }
  clear(handle: TimerHandle): void {
    this.queue = this.queue.filter((p) => p.handle !== handle);
  }
  /** Timers still pending. */
  get pending(): number {
    return this.queue.length;
  }
  /** When the earliest pending timer is due, or undefined. */
  nextDueMs(): number | undefined {
    let due: number | undefined;
    for (const p of this.queue) if (due === undefined || p.atMs < due) due = p.atMs;
    return due;
  }
  /** Advances time to `nowMs + ms`, firing due timers in order (timers set meanwhile included). */
  advance(ms: number): void {
    const until = this.nowMs + ms;
    for (let guard = 0; guard < 100_000; guard++) {
      let next: Pending | undefined;
      for (const p of this.queue)
        if (p.atMs <= until && (!next || p.atMs < next.atMs || (p.atMs === next.atMs && p.order < next.order)))
          next = p;
      if (!next) break;
      this.queue.splice(this.queue.indexOf(next), 1);
      this.nowMs = next.atMs;
      next.callback();
    }
    this.nowMs = until;
  }
}
