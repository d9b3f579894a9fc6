// SPDX-License-Identifier: MIT
// The log port on the device: one `trace()` line per record, `<s since boot> <level> <tag>: <message>`.
// `trace` reaches xsbug in debug builds and the serial console otherwise; callers never pass secrets.
import type { ClockPort, LogLevel, LogPort } from "../../modules/ports.js";

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface Esp32LogOptions {
  /** Records below this level are dropped. Default "info". */
  minLevel?: LogLevel;
  /** Stamps each line with monotonic seconds; without it lines carry no time. */
  clock?: ClockPort;
}

/** Creates the log port. */
export function createEsp32Log(options: Esp32LogOptions = {}): LogPort {
  const min = RANK[options.minLevel ?? "info"];
  const clock = options.clock;
  return {
    write(level, tag, message) {
      if (RANK[level] < min) return;
      const stamp = clock ? `${(clock.monotonicMs() / 1000).toFixed(3)} ` : "";
      trace(`${stamp}${level} ${tag}: ${message}\n`);
    },
  };
}
