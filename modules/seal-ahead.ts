// SPDX-License-Identifier: MIT
// Takes X25519 off a ring's path: when idle it makes the next event's ephemeral key and KEM shared secret, and it
// keeps mode_auth's static DH(skS, pkR) cached. RAM only; each precomputed secret is handed out once, then forgotten.
import { type Encapsulation, encap, type KeyPair, staticDh, wipe } from "./hpke/dhkem-x25519.js";
import type { Logger } from "./logger.js";
import type { CryptoPort, TimerHandle, TimerPort } from "./ports.js";

/** The default wait before idle work: 0 ms, the next turn of the event loop, after the seal's own publish. */
export const SEAL_AHEAD_DELAY_MS = 0;

export interface SealAheadStats {
  /** Encapsulations made when idle (2 X25519 each, 3 when the static DH had to be made too). */
  precomputed: number;
  /** Seals that took a ready one: no X25519 at seal time. */
  taken: number;
  /** Seals that found none ready and made their own then: correct, just slower (2 or 3 X25519). */
  fallbacks: number;
  /** Owner key changes: everything made for the old key was zero-filled. */
  rekeys: number;
}

export interface SealAhead {
  /**
   * The encapsulation for a seal to `recipientPublicKey`, handed over and forgotten here: the ready one, or one
   * made now (a fallback). The caller owns it and must wipe its shared secret (setupSender does). Schedules the next.
   */
  take(recipientPublicKey: Uint8Array): Encapsulation;
  /** Schedules the idle work on the timers port, unless it is scheduled already. */
  soon(): void;
  /** The idle work itself: follows the owner key, then makes the next encapsulation unless one is ready. */
  precompute(): void;
  /** True while an encapsulation is ready for the next seal. */
  readonly ready: boolean;
  readonly stats: Readonly<SealAheadStats>;
  /** Cancels the idle work and zero-fills everything held. */
  close(): void;
}

export interface SealAheadOptions {
  crypto: CryptoPort;
  timers: TimerPort;
  /** The device's static key pair: the mode_auth sender. Secret. */
  sender: KeyPair;
  /** The owner key events are sealed to now, read at each idle run; undefined when none is configured. */
  recipientPublicKey(): Uint8Array | undefined;
  log: Logger;
  /** Wait before idle work, in ms; default SEAL_AHEAD_DELAY_MS. */
  delayMs?: number;
  /** The KEM step (default `encap` of modules/hpke/dhkem-x25519.ts); replaceable so a test can watch what is made. */
  encap?: typeof encap;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

/** Precomputes one encapsulation ahead. Hazard: a RAM dump holding a ready one can open the next event only. */
export function createSealAhead(options: SealAheadOptions): SealAhead {
  const { crypto, timers, sender, log } = options;
  const delayMs = options.delayMs ?? SEAL_AHEAD_DELAY_MS;
  const stats: SealAheadStats = { precomputed: 0, taken: 0, fallbacks: 0, rekeys: 0 };
  let recipient: Uint8Array | undefined; // the owner key that `dhS` and `next` were made for
  let dhS: Uint8Array | undefined;
  let next: Encapsulation | undefined;
  let pending: TimerHandle | undefined;

  const forget = () => {
    if (next) wipe(next.sharedSecret);
    wipe(dhS);
    next = dhS = recipient = undefined;
  };
  /** Zero-fills what was made for another owner key. */
  const follow = (key: Uint8Array) => {
    if (recipient && sameBytes(recipient, key)) return;
    if (recipient) stats.rekeys++;
    forget();
    recipient = key.slice();
  };
  const make = (key: Uint8Array): Encapsulation => {
    follow(key);
    dhS ??= staticDh(crypto, sender, key);
    return (options.encap ?? encap)(crypto, key, sender, dhS);
  };
  const precompute = () => {
    if (pending) timers.clear(pending);
    pending = undefined;
    const key = options.recipientPublicKey();
    if (!key) return forget();
    follow(key);
    if (next) return;
    try {
      next = make(key);
      stats.precomputed++;
    } catch (error) {
      log.warn("no seal precomputed", { reason: (error as Error).message });
    }
  };
  const soon = () => {
    pending ??= timers.set(precompute, delayMs);
  };
  return {
    take(key) {
      follow(key);
      const ready = next;
      next = undefined;
      soon();
      if (ready) {
        stats.taken++;
        return ready;
      }
      stats.fallbacks++;
      return make(key);
    },
    soon,
    precompute,
    get ready() {
      return next !== undefined;
    },
    stats,
    close() {
      if (pending) timers.clear(pending);
      pending = undefined;
      forget();
    },
  };
}
