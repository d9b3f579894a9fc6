// SPDX-License-Identifier: MIT
// k-of-n hysteresis for motion events: motion starts when the blob condition held in at least k of the
// last n frames, and ends after a quiet time with no blob. Frames judged to be lighting changes neither
// start motion nor count as quiet.

export interface HysteresisParams {
  /** k: frames with a blob, among the last `windowFrames`, that start motion. */
  startFrames: number;
  /** n: the window, at most 31 frames. */
  windowFrames: number;
  /** Motion ends after this long without a blob frame. */
  endQuietMs: number;
}

export type HysteresisEvent = "start" | "end" | undefined;

export interface Hysteresis {
  readonly active: boolean;
  /** One frame at `atMs`: `candidate` when it had a qualifying blob. */
  frame(candidate: boolean, atMs: number): HysteresisEvent;
  /** A frame that says nothing (an illumination event or its relearning): holds the state. */
  hold(atMs: number): void;
  reset(): void;
}

export function createHysteresis(p: HysteresisParams): Hysteresis {
  const windowMask = (1 << p.windowFrames) - 1;
  const startFrames = Math.min(p.startFrames, p.windowFrames);
  let history = 0; // bit i: the frame i frames ago had a blob
  let active = false;
  let lastMotionMs = 0;
  return {
    get active() {
      return active;
    },
    frame(candidate, atMs) {
      history = ((history << 1) | (candidate ? 1 : 0)) & windowMask;
      if (candidate) lastMotionMs = atMs;
      if (!active) {
        if (candidate && popcount(history) >= startFrames) {
          active = true;
          return "start";
        }
        return undefined;
      }
      if (!candidate && atMs - lastMotionMs >= p.endQuietMs) {
        active = false;
        history = 0;
        return "end";
      }
      return undefined;
    },
    hold(atMs) {
      if (active) lastMotionMs = atMs;
      history = 0;
    },
    reset() {
      history = 0;
      active = false;
    },
  };
}

function popcount(v: number): number {
  let n = 0;
  for (; v !== 0; v &= v - 1) n++;
  return n;
}
