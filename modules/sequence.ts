// SPDX-License-Identifier: MIT
// Event sequence numbers that never repeat, even across a reboot or power cut: a block of numbers is
// reserved in storage before any of it is used, so the flash is written once per block, not per event,
// in two checksummed slots so that a write torn by a power cut cannot send the count back.
import { createDurableNumber } from "./durable-number.js";
import type { KeyValuePort } from "./ports.js";

/**
 * The two slots the reservation alternates between: 6 bytes of the mark and its RFC 1950 Adler-32.
 * A write torn by a power cut spoils only the slot being written; the other still holds the previous
 * mark, which no number handed out so far has reached.
 */
export const SEQ_SLOT_KEYS = Object.freeze(["seq.a", "seq.b"] as const);

export interface Sequencer {
  /** The next number; strictly greater than every number handed out before, across reboots. */
  next(): number;
  /** Storage writes made so far (for tests and the bench). */
  readonly writes: number;
}

export function createSequencer(options: { kv: KeyValuePort; blockSize: number }): Sequencer {
  const { blockSize } = options;
  const mark = createDurableNumber({ kv: options.kv, keys: SEQ_SLOT_KEYS, valueBytes: 6 });
  // Everything below the stored mark may have been used before the last reboot.
  let next = Math.max(1, mark.read() ?? 0);
  let reservedUntil = next;
  let writes = 0;
  return {
    next() {
      if (next >= reservedUntil) {
        reservedUntil = next + blockSize;
        mark.write(reservedUntil);
        writes++;
      }
      return next++;
    },
    get writes() {
      return writes;
    },
  };
}
