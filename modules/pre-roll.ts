// SPDX-License-Identifier: MIT
// The camera pre-roll ring: the newest few frames, so a ring's snapshot shows the press instant.
// Frames beyond the capacity are released at once: the ESP32 camera has only three buffers.
import type { Frame, TimerHandle, TimerPort } from "./ports.js";

export interface PreRollOptions {
  timers: TimerPort;
  /** Frames kept; the rest go straight back to the camera. */
  capacity: number;
  /** Expected frame interval: how long a press waits for a frame, and when a frame counts as stale. */
  framePeriodMs: number;
}

/** Receives the chosen frame, valid only during the call, or `undefined` when none qualifies. */
export type FrameCallback = (frame: Frame | undefined) => void;

export interface PreRoll {
  /** Adds a newly captured frame (capture order). */
  push(frame: Frame): void;
  /**
   * Picks the snapshot for instant `atMs`: the newest frame captured at or before it, never an older
   * one; a frame older than two frame periods is stale and ignored. With none, the first frame captured
   * within one frame period after `atMs` is used, and otherwise there is no snapshot.
   */
  frameAt(atMs: number, callback: FrameCallback): void;
  /** The newest frame, for the motion detector and snapshot-now. */
  newest(): Frame | undefined;
  /** Frames released so far. */
  readonly released: number;
  close(): void;
}

interface Waiter {
  atMs: number;
  callback: FrameCallback;
  timer: TimerHandle;
}

export function createPreRoll(options: PreRollOptions): PreRoll {
  const { timers, capacity, framePeriodMs } = options;
  const frames: Frame[] = [];
  const waiters: Waiter[] = [];
  let released = 0;

  function release(frame: Frame): void {
    frame.release();
    released++;
  }

  function pick(atMs: number): Frame | undefined {
    for (let i = frames.length - 1; i >= 0; i--) {
      const f = frames[i];
      if (f.capturedAtMs <= atMs) return atMs - f.capturedAtMs <= 2 * framePeriodMs ? f : undefined;
    }
    return undefined;
  }

  function settleWaiters(frame: Frame): void {
    for (let i = 0; i < waiters.length; ) {
      const w = waiters[i];
      if (frame.capturedAtMs >= w.atMs && frame.capturedAtMs - w.atMs <= framePeriodMs) {
        waiters.splice(i, 1);
        timers.clear(w.timer);
        w.callback(frame);
      } else i++;
    }
  }

  return {
    push(frame) {
      frames.push(frame);
      settleWaiters(frame);
      while (frames.length > capacity) release(frames.shift()!);
    },
    frameAt(atMs, callback) {
      const before = pick(atMs);
      if (before) return callback(before);
      const after = frames.find((f) => f.capturedAtMs > atMs && f.capturedAtMs - atMs <= framePeriodMs);
      if (after) return callback(after);
      const waiter: Waiter = {
        atMs,
        callback,
        timer: timers.set(() => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) waiters.splice(i, 1);
          callback(undefined);
        }, framePeriodMs + 1),
      };
      waiters.push(waiter);
    },
    newest() {
      return frames[frames.length - 1];
    },
    get released() {
      return released;
    },
    close() {
      for (const w of waiters.splice(0)) timers.clear(w.timer);
      for (const f of frames.splice(0)) release(f);
    },
  };
}
