// SPDX-License-Identifier: MIT
// Bounds password guessing at the video endpoint: per remote address, the first FREE_FAILURES wrong credentials
// are only refused (401); each further one locks the address out (429) for a time that doubles from LOCKOUT_BASE_MS
// up to LOCKOUT_MAX_MS. A right password clears the address; an hour without a failure forgets it. At most
// MAX_ADDRESSES are tracked (the oldest forgotten first), so memory stays bounded whatever the traffic.

/** Wrong credentials an address may send before it is locked out. */
export const FREE_FAILURES = 5;
export const LOCKOUT_BASE_MS = 1000;
export const LOCKOUT_MAX_MS = 15 * 60_000;
/** A failure this long ago no longer counts. */
export const FORGET_AFTER_MS = 60 * 60_000;
export const MAX_ADDRESSES = 4096;

export interface AuthThrottle {
  /** Milliseconds `address` must still wait; 0 when it may try. */
  retryAfterMs(address: string): number;
  /** `address` sent wrong credentials. */
  failed(address: string): void;
  /** `address` sent the right credentials. */
  succeeded(address: string): void;
  /** Addresses tracked now. */
  readonly tracked: number;
}

interface Entry {
  failures: number;
  lastFailureMs: number;
  lockedUntilMs: number;
}

/** `now` is a wall or monotonic clock in ms (injected for tests). */
export function createAuthThrottle(o: { now?: () => number; maxAddresses?: number } = {}): AuthThrottle {
  const now = o.now ?? Date.now;
  const max = o.maxAddresses ?? MAX_ADDRESSES;
  const entries = new Map<string, Entry>();
  const current = (address: string) => {
    const e = entries.get(address);
    if (e && now() - e.lastFailureMs > FORGET_AFTER_MS && now() >= e.lockedUntilMs) {
      entries.delete(address);
      return undefined;
    }
    return e;
  };
  return {
    retryAfterMs(address) {
      const e = current(address);
      return e ? Math.max(0, e.lockedUntilMs - now()) : 0;
    },
    failed(address) {
      const t = now();
      const e = current(address) ?? { failures: 0, lastFailureMs: t, lockedUntilMs: 0 };
      entries.delete(address); // re-inserted last: the Map's order is the eviction order
      e.failures++;
      e.lastFailureMs = t;
      if (e.failures > FREE_FAILURES)
        e.lockedUntilMs =
          t + Math.min(LOCKOUT_MAX_MS, LOCKOUT_BASE_MS * 2 ** Math.min(30, e.failures - FREE_FAILURES - 1));
      entries.set(address, e);
      for (const oldest of entries.keys()) {
        if (entries.size <= max) break;
        entries.delete(oldest);
      }
    },
    succeeded(address) {
      entries.delete(address);
    },
    get tracked() {
      return entries.size;
    },
  };
}
