// SPDX-License-Identifier: MIT
// Pulses the chime relay output for a fixed time on each ring; a pulse in progress is extended, not doubled.
import type { OutputPort, TimerHandle, TimerPort } from "./ports.js";

export interface Chime {
  /** Energises the relay for `pulseMs` (0 disables the chime). */
  ring(): void;
  close(): void;
}

export function createChime(options: { output: OutputPort; timers: TimerPort; pulseMs: number }): Chime {
  const { output, timers, pulseMs } = options;
  let timer: TimerHandle | undefined;
  const off = () => {
    timer = undefined;
    output.write(0);
  };
  return {
    ring() {
      if (pulseMs <= 0) return;
      if (timer) timers.clear(timer);
      output.write(1);
      timer = timers.set(off, pulseMs);
    },
    close() {
      if (timer) {
        timers.clear(timer);
        off();
      }
    },
  };
}
