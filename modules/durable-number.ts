// SPDX-License-Identifier: MIT
// A counter in the key-value store that a power cut cannot corrupt: it alternates between two slots,
// each the number (big-endian) and its RFC 1950 Adler-32. A write torn mid-way spoils only the slot
// being written; the other still holds the value before it. Used for the event sequence reservation
// and the last accepted command sequence number, where falling back to an old value would repeat one.
import { readUintBE, writeUintBE } from "./bytes.js";
import { adler32 } from "./checksum.js";
import type { KeyValuePort } from "./ports.js";

export interface DurableNumber {
  /** The newest value whose slot is whole; undefined before the first write. */
  read(): number | undefined;
  /** Writes `value` to the slot not holding the newest whole value. Values only grow. */
  write(value: number): void;
}

export function createDurableNumber(o: {
  kv: KeyValuePort;
  /** The two slots' keys (at most 15 characters: the NVS limit). */
  keys: readonly [string, string];
  /** Bytes of the number: 6 or 8 (a safe integer fits in either up to 2^48 or 2^53). */
  valueBytes: 6 | 8;
}): DurableNumber {
  const { kv, keys, valueBytes } = o;
  const slotBytes = valueBytes + 4;
  const readSlot = (key: string): number | undefined => {
    const stored = kv.get(key);
    if (!stored || stored.length !== slotBytes || readUintBE(stored, valueBytes, 4) !== adler32(stored, 0, valueBytes))
      return undefined;
    return readUintBE(stored, 0, valueBytes);
  };
  const marks = keys.map(readSlot);
  const found = marks.filter((v): v is number => v !== undefined);
  let current = found.length ? Math.max(...found) : undefined;
  // Overwrite the slot that does not hold the value in force, so a torn write leaves that one intact.
  let slot = marks[0] !== undefined && marks[0] >= (marks[1] ?? 0) ? 1 : 0;
  return {
    read: () => current,
    write(value) {
      const record = new Uint8Array(slotBytes);
      record.set(writeUintBE(value, valueBytes), 0);
      record.set(writeUintBE(adler32(record, 0, valueBytes), 4), valueBytes);
      kv.set(keys[slot], record);
      slot = 1 - slot;
      current = value;
    },
  };
}
