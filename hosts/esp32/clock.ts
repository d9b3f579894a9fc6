// SPDX-License-Identifier: MIT
// The clock port on the device: `Time.ticks` made monotonic across its 32-bit wrap, and `Date.now()`.
// Limit: the wall clock reads 1970 until SNTP has set it (wifi.ts); TLS certificate checks need it.
import Time from "time";
import Timer from "timer";
import type { ClockPort } from "../../modules/ports.js";

/** `Time.ticks` is a uint32 millisecond count since boot: it wraps after 49.7 days. */
const TICKS_RANGE = 2 ** 32;
/** Sampling at least once per wrap keeps the unwrapping right even when nobody asks for weeks. */
const SAMPLE_PERIOD_MS = 3_600_000;

export interface Esp32Clock extends ClockPort {
  /** Stops the background sampler. */
  close(): void;
}

/**
 * Creates the clock. `monotonicMs()` counts from boot and never goes backwards, although
 * `Time.ticks` reads negative after 24.8 days (XS returns it as an int32) and wraps after 49.7.
 * Call at run time only: it starts a repeating timer.
 */
export function createEsp32Clock(): Esp32Clock {
  let lastRaw = Time.ticks >>> 0;
  let wraps = 0;
  const monotonicMs = (): number => {
    const raw = Time.ticks >>> 0;
    if (raw < lastRaw) wraps += 1;
    lastRaw = raw;
    return wraps * TICKS_RANGE + raw;
  };
  const sampler = Timer.repeat(() => {
    monotonicMs();
  }, SAMPLE_PERIOD_MS);
  return {
    monotonicMs,
    wallMs: () => Date.now(),
    close() {
      Timer.clear(sampler);
    },
  };
}
