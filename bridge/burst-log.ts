// SPDX-License-Identifier: MIT
// Logs a repeated refusal once per burst instead of once per message: the first of a burst at once, and at
// the end of the burst's window one line with its count. A flood costs at most two lines per window, not
// one per message, and the counts still add up.
import type { LogFields, Logger } from "../modules/logger.js";
import type { BridgeTimers } from "./ha-sync.js";

/** A burst is the window of this length that starts with its first message. */
export const BURST_WINDOW_MS = 10_000;

export interface BurstLogOptions {
  log: Logger;
  timers: BridgeTimers;
  /** Length of a burst's window; default BURST_WINDOW_MS. */
  windowMs?: number;
}

export interface BurstLog {
  /**
   * Counts one occurrence of `key` (e.g. `rate-limited/frontdoor`). The first of a burst is logged at once
   * with `count=1`; the burst's total (`count=N`) is logged when its window ends, if more came, and then
   * `onEnd` runs. Returns true for the first of a burst.
   */
  note(key: string, level: "info" | "warn", message: string, fields: LogFields, onEnd?: () => void): boolean;
  /** Logs every open burst's total now, and stops the timers. */
  close(): void;
}

interface Burst {
  count: number;
  level: "info" | "warn";
  message: string;
  fields: LogFields;
  timer: unknown;
  onEnd?: () => void;
}

export function createBurstLog(o: BurstLogOptions): BurstLog {
  const windowMs = o.windowMs ?? BURST_WINDOW_MS;
  const bursts = new Map<string, Burst>();

  const end = (key: string) => {
    const b = bursts.get(key);
    if (!b) return;
    bursts.delete(key);
    o.timers.clear(b.timer);
    if (b.count <= 1) return;
    o.log[b.level](`${b.message} (burst ended)`, { ...b.fields, count: b.count });
    b.onEnd?.();
  };

  return {
    note(key, level, message, fields, onEnd) {
      const b = bursts.get(key);
      if (b) {
        b.count++;
        b.fields = fields;
        return false;
      }
      o.log[level](message, { ...fields, count: 1 });
      bursts.set(key, { count: 1, level, message, fields, onEnd, timer: o.timers.set(() => end(key), windowMs) });
      return true;
    },
    close() {
      for (const key of [...bursts.keys()]) end(key);
    },
  };
}
