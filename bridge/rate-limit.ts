// SPDX-License-Identifier: MIT
// A token bucket on an injected clock: `burst` at once, then one more every `refillMs`. The bridge uses one
// per device for Home Assistant's "Take snapshot" presses, so a flood cannot fill the doorbell's outbox.

export interface TokenBucketOptions {
  /** Tokens when full: how many may pass at once. */
  burst: number;
  /** One token comes back every this many ms. */
  refillMs: number;
  /** Monotonic or wall clock, ms. */
  now: () => number;
}

export interface TokenBucket {
  /** Takes a token if one is left; false when the caller must refuse. */
  take(): boolean;
}

export function createTokenBucket(o: TokenBucketOptions): TokenBucket {
  if (!Number.isInteger(o.burst) || o.burst < 1)
    throw new RangeError(`burst: ${o.burst} is not accepted; use an integer of 1 or more`);
  if (!Number.isFinite(o.refillMs) || o.refillMs <= 0)
    throw new RangeError(`refillMs: ${o.refillMs} is not accepted; use a number of ms above 0`);
  let tokens = o.burst;
  let lastMs = o.now();
  return {
    take() {
      const t = o.now();
      // A clock that steps back refills nothing rather than a negative amount.
      if (t > lastMs) {
        tokens = Math.min(o.burst, tokens + (t - lastMs) / o.refillMs);
        lastMs = t;
      }
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
