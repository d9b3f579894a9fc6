// SPDX-License-Identifier: MIT
// Event sequence numbers that never repeat, even across a reboot or power cut: a block of numbers is
// reserved in storage before any of it is used, so the flash is written once per block, not per event.
import { readUintBE, writeUintBE } from "./bytes.js";
import type { KeyValuePort } from "./ports.js";

/** The storage key holding the first number not yet reserved. */
export const SEQ_KEY = "seq.reserved";

export interface Sequencer {
  /** The next number; strictly greater than every number handed out before, across reboots. */
  next(): number;
  /** Storage writes made so far (for tests and the bench). */
  readonly writes: number;
}

export function createSequencer(options: { kv: KeyValuePort; blockSize: number }): Sequencer {
  const { kv, blockSize } = options;
  const stored = kv.get(SEQ_KEY);
  // Everything below the stored mark may have been used before the last reboot.
  let next = stored && stored.length === 6 ? readUintBE(stored, 0, 6) : 1;
  let reservedUntil = next;
  let writes = 0;
  return {
    next() {
      if (next >= reservedUntil) {
        reservedUntil = next + blockSize;
        kv.set(SEQ_KEY, writeUintBE(reservedUntil, 6));
        writes++;
      }
      return next++;
    },
    get writes() {
      return writes;
    },
  };
}
