// SPDX-License-Identifier: MIT
// Event sequence numbers that never repeat, even across a reboot or power cut: a block of numbers is
// reserved in storage before any of it is used, so the flash is written once per block, not per event,
// in two checksummed slots so that a write torn by a power cut cannot send the count back.
import { readUintBE, writeUintBE } from "./bytes.js";
import { adler32 } from "./checksum.js";
import type { KeyValuePort } from "./ports.js";

/** The storage key of the first firmware's reservation (6 bytes, no checksum); read, never written. */
export const SEQ_KEY = "seq.reserved";
/**
 * The two slots the reservation alternates between: 6 bytes of the mark and its RFC 1950 Adler-32.
 * A write torn by a power cut spoils only the slot being written; the other still holds the previous
 * mark, which no number handed out so far has reached.
 */
export const SEQ_SLOT_KEYS = Object.freeze(["seq.a", "seq.b"] as const);
const SLOT_BYTES = 10;

export interface Sequencer {
  /** The next number; strictly greater than every number handed out before, across reboots. */
  next(): number;
  /** Storage writes made so far (for tests and the bench). */
  readonly writes: number;
}

function readSlot(kv: KeyValuePort, key: string): number | undefined {
  const stored = kv.get(key);
  if (!stored || stored.length !== SLOT_BYTES || readUintBE(stored, 6, 4) !== adler32(stored, 0, 6)) return undefined;
  return readUintBE(stored, 0, 6);
}

export function createSequencer(options: { kv: KeyValuePort; blockSize: number }): Sequencer {
  const { kv, blockSize } = options;
  const marks = SEQ_SLOT_KEYS.map((key) => readSlot(kv, key));
  const legacy = kv.get(SEQ_KEY);
  // Everything below the highest valid mark may have been used before the last reboot.
  let next = Math.max(1, marks[0] ?? 0, marks[1] ?? 0, legacy && legacy.length === 6 ? readUintBE(legacy, 0, 6) : 0);
  // Overwrite the slot that does not hold the mark in force, so a torn write leaves that one intact.
  let slot = marks[0] !== undefined && marks[0] >= (marks[1] ?? 0) ? 1 : 0;
  let reservedUntil = next;
  let writes = 0;
  return {
    next() {
      if (next >= reservedUntil) {
        reservedUntil = next + blockSize;
        const record = new Uint8Array(SLOT_BYTES);
        record.set(writeUintBE(reservedUntil, 6), 0);
        record.set(writeUintBE(adler32(record, 0, 6), 4), 6);
        kv.set(SEQ_SLOT_KEYS[slot], record);
        slot = 1 - slot;
        writes++;
      }
      return next++;
    },
    get writes() {
      return writes;
    },
  };
}
