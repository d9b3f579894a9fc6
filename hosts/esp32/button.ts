// SPDX-License-Identifier: MIT
// The button port over ECMA-419 `embedded:io/digital`: an edge interrupt on both edges, delivered on
// the JS thread, inverted so that level 1 = pressed. No debounce here: the firmware debounces.
// Limits: the timestamp is taken when the JS callback runs, not in the ISR, so it is late by however
// long the event loop was busy; and the driver coalesces edges that arrive before the callback runs.
import Digital from "embedded:io/digital";
import type { ButtonEdge, ButtonPort, ClockPort, LogPort } from "../../modules/ports.js";
import { callSafely } from "./guard.js";

const TAG = "button";

export interface Esp32ButtonOptions {
  /** GPIO of the button input. */
  pin: number;
  /**
   * True (default) for a button wired to GND: the internal pull-up holds the pin high and a press
   * reads 0. False for a button wired to 3V3, with the internal pull-down.
   */
  activeLow?: boolean;
  /** Stamps each edge. */
  clock: ClockPort;
  log: LogPort;
}

/**
 * Creates the button port; nothing touches the GPIO until `open()` or `read()`.
 * When the driver coalesced edges (the callback reads the level it last reported), the host reports
 * the missed opposite level and then the current one, both stamped with the callback time and marked
 * `coalesced`, so edges always alternate and the firmware counts the press it could not time.
 */
export function createEsp32Button(options: Esp32ButtonOptions): ButtonPort {
  const { pin, clock, log } = options;
  const activeLow = options.activeLow ?? true;
  const mode = activeLow ? Digital.InputPullUp : Digital.InputPullDown;
  const logical = (raw: 0 | 1): 0 | 1 => (activeLow ? (raw ? 0 : 1) : raw);
  let input: Digital | undefined;
  let lastLevel: 0 | 1 = 0;

  return {
    open({ onEdge }) {
      if (input) throw new Error(`button: GPIO ${pin} is already open; close() it before opening again`);
      const deliver = (edge: ButtonEdge) => {
        lastLevel = edge.level;
        callSafely(log, TAG, "onEdge", () => onEdge(edge));
      };
      input = new Digital({
        pin,
        mode,
        edge: Digital.Rising | Digital.Falling,
        onReadable(this: Digital) {
          const atMs = clock.monotonicMs();
          const level = logical(this.read());
          if (level === lastLevel) {
            log.write("debug", TAG, "coalesced edges; reporting the missed pulse");
            deliver({ level: level ? 0 : 1, atMs, coalesced: true });
            deliver({ level, atMs, coalesced: true });
            return;
          }
          deliver({ level, atMs });
        },
      });
      lastLevel = logical(input.read());
    },
    read() {
      if (input) return logical(input.read());
      const probe = new Digital({ pin, mode });
      try {
        return logical(probe.read());
      } finally {
        probe.close();
      }
    },
    close() {
      input?.close();
      input = undefined;
    },
  };
}
