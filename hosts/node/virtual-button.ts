// SPDX-License-Identifier: MIT
// A button driven by software (the simulator's page, scenarios, the console demo), with optional
// contact bounce so the firmware's debounce is exercised as on real hardware.
import type { ButtonEdge, ButtonPort, ClockPort } from "../../modules/ports.js";

export interface VirtualButton extends ButtonPort {
  /** Sets the contact; with `bounceMs`, the contact chatters that long before settling. */
  set(level: 0 | 1, bounceMs?: number): void;
}

export function createVirtualButton(clock: ClockPort): VirtualButton {
  let level: 0 | 1 = 0;
  let onEdge: ((edge: ButtonEdge) => void) | undefined;
  const emit = (l: 0 | 1, atMs: number) => {
    level = l;
    onEdge?.({ level: l, atMs });
  };
  return {
    open(options) {
      onEdge = options.onEdge;
    },
    read: () => level,
    close() {
      onEdge = undefined;
    },
    set(target, bounceMs = 0) {
      const start = clock.monotonicMs();
      // A bouncing contact: alternating edges 1 ms apart, all stamped within the bounce window.
      for (let t = 0; t < bounceMs; t += 2) {
        emit(target, start + t);
        emit(target === 1 ? 0 : 1, start + t + 1);
      }
      emit(target, start + bounceMs);
    },
  };
}
