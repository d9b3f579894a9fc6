// SPDX-License-Identifier: MIT
// The button port in mcsim: the skin's button (a click or a key) as edges, 1 = pressed, stamped with the
// host clock when the message arrives. No debounce here, as on the board: the firmware debounces.
// Limit: the skin's contact never bounces and never coalesces, so those paths run only on the board and its fakes.
import type { ButtonEdge, ButtonPort, ClockPort, LogPort } from "../../modules/ports.js";
import { callSafely } from "../esp32/guard.js";
import type { SkinLink } from "./skin-link.js";

const TAG = "button";

export interface McsimButtonOptions {
  link: SkinLink;
  clock: ClockPort;
  log: LogPort;
}

/** Creates the button port; it hears the skin only between `open()` and `close()`. */
export function createMcsimButton(options: McsimButtonOptions): ButtonPort {
  const { link, clock, log } = options;
  let level: 0 | 1 = 0;
  let stop: (() => void) | undefined;
  return {
    open({ onEdge }) {
      if (stop) throw new Error("button: already open; close() it before opening again");
      stop = link.listen((message) => {
        if (message.button === level) return; // the same level again is no edge
        level = message.button;
        const edge: ButtonEdge = { level, atMs: clock.monotonicMs() };
        callSafely(log, TAG, "onEdge", () => onEdge(edge));
      });
    },
    read: () => level,
    close() {
      stop?.();
      stop = undefined;
    },
  };
}
