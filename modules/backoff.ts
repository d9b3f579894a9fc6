// SPDX-License-Identifier: MIT
// Exponential backoff with full jitter for reconnects, so a fleet does not reconnect in lockstep
// after a broker restart. Delays double from `baseMs` up to `maxMs`; `reset()` after a success.

export interface Backoff {
  /** The next delay in ms: uniformly random in [ceiling/2, ceiling], ceiling doubling per call. */
  next(): number;
  reset(): void;
  readonly attempts: number;
}

/** `random01` returns a number in [0, 1); inject it for deterministic tests. */
export function createBackoff(options: { baseMs: number; maxMs: number; random01: () => number }): Backoff {
  let attempts = 0;
  return {
    next() {
      const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempts, 30));
      attempts++;
      return Math.round(ceiling / 2 + options.random01() * (ceiling / 2));
    },
    reset() {
      attempts = 0;
    },
    get attempts() {
      return attempts;
    },
  };
}

/** A uniform [0, 1) number from the crypto port's random bytes (no Math.random on the device path). */
export function randomUnit(randomBytes: (n: number) => Uint8Array): number {
  const b = randomBytes(4);
  return (((b[0] << 24) >>> 0) + (b[1] << 16) + (b[2] << 8) + b[3]) / 2 ** 32;
}
