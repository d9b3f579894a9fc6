// SPDX-License-Identifier: MIT
// The button state machine: software debounce of raw timestamped edges (Moddable has none),
// press and release with the instant the contact first moved, and a long press after a hold.
import type { ButtonEdge, ClockPort, TimerHandle, TimerPort } from "./ports.js";

export interface ButtonMachineOptions {
  clock: ClockPort;
  timers: TimerPort;
  /** A level must hold this long before it counts. */
  debounceMs: number;
  /** A press held this long raises `onLongPress` (while still held). */
  longPressMs: number;
  /** A debounced press; `atMs` is the first edge of the press, before any bounce. */
  onPress(atMs: number): void;
  /** A debounced release; `heldMs` runs from press to release instants. */
  onRelease?(atMs: number, heldMs: number): void;
  /** The press has been held for `longPressMs`. */
  onLongPress?(pressAtMs: number, heldMs: number): void;
}

export interface ButtonMachine {
  /** Feed one raw edge from the button port. */
  edge(edge: ButtonEdge): void;
  close(): void;
}

/** Creates the debouncer; the stable level starts released (0). */
export function createButtonMachine(options: ButtonMachineOptions): ButtonMachine {
  const { clock, timers, debounceMs, longPressMs } = options;
  let stable: 0 | 1 = 0;
  let lastLevel: 0 | 1 = 0;
  let lastEdgeMs = 0;
  let burstStartMs: number | undefined;
  /** A press the driver merged into a zero-length pulse while the loop was busy: real, but untimed. */
  let coalescedPress = false;
  let pressAtMs = 0;
  let settleTimer: TimerHandle | undefined;
  let longTimer: TimerHandle | undefined;

  /** Decides the level as of `nowMs` (normally now; an edge's own time when the loop reached it late). */
  function settle(nowMs = clock.monotonicMs()): void {
    settleTimer = undefined;
    const quietMs = nowMs - lastEdgeMs;
    if (quietMs < debounceMs) {
      settleTimer = timers.set(() => settle(), debounceMs - quietMs);
      return;
    }
    const startedMs = burstStartMs ?? lastEdgeMs;
    burstStartMs = undefined;
    const merged = coalescedPress;
    coalescedPress = false;
    if (lastLevel === stable) {
      // A glitch shorter than the debounce time is ignored, unless the driver merged a whole press
      // while the loop was busy: then the press is counted late rather than lost.
      if (merged && stable === 0) {
        options.onPress(startedMs);
        options.onRelease?.(startedMs, 0);
      }
      return;
    }
    stable = lastLevel;
    if (stable === 1) {
      pressAtMs = startedMs;
      options.onPress(startedMs);
      longTimer = timers.set(checkLong, Math.max(0, pressAtMs + longPressMs - clock.monotonicMs()));
    } else {
      if (longTimer) timers.clear(longTimer);
      longTimer = undefined;
      options.onRelease?.(startedMs, startedMs - pressAtMs);
    }
  }

  function checkLong(): void {
    longTimer = undefined;
    if (stable !== 1) return;
    // A release still settling decides first: if it is real, settle() cancels this check.
    if (burstStartMs !== undefined && lastLevel === 0) {
      longTimer = timers.set(checkLong, debounceMs);
      return;
    }
    options.onLongPress?.(pressAtMs, clock.monotonicMs() - pressAtMs);
  }

  return {
    edge(edge) {
      // The loop may reach an edge late (busy sealing or in a TLS handshake), after the next burst has begun:
      // if the level before it had held for debounceMs by the edges' own times, it counts, settle timer or not.
      if (settleTimer && edge.atMs - lastEdgeMs >= debounceMs) {
        timers.clear(settleTimer);
        settle(edge.atMs);
      }
      if (burstStartMs === undefined) burstStartMs = edge.atMs;
      if (edge.coalesced && edge.level === 1) coalescedPress = true;
      lastLevel = edge.level;
      lastEdgeMs = edge.atMs;
      if (!settleTimer)
        settleTimer = timers.set(() => settle(), Math.max(0, edge.atMs + debounceMs - clock.monotonicMs()));
    },
    close() {
      if (settleTimer) timers.clear(settleTimer);
      if (longTimer) timers.clear(longTimer);
      settleTimer = longTimer = undefined;
    },
  };
}
