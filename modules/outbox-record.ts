// SPDX-License-Identifier: MIT
// How one outbox entry is stored in the append-only log: a format byte, a drop-class byte, then the
// sealed envelope exactly as published. The only clear bytes beside the ciphertext are the class.
import { readUintBE } from "./bytes.js";
import type { EventType } from "./events.js";

/** First byte of every outbox record. */
export const OUTBOX_RECORD_FORMAT = 1;
/** Bytes before the envelope in a record. */
export const OUTBOX_RECORD_HEADER_BYTES = 2;
const HEADER_BYTES = OUTBOX_RECORD_HEADER_BYTES;
/** The envelope's `seq` field: 8 bytes at offset 5 (docs/protocol.md, byte layout). */
const SEQ_OFFSET = HEADER_BYTES + 5;

/**
 * Drop classes, lowest dropped first when the outbox is full: status, then snapshots, then motion,
 * then long presses, and rings last of all.
 */
export const DROP_CLASS = Object.freeze({ status: 0, snapshot: 1, motion: 2, long_press: 3, ring: 4 } as const);
export type DropClass = (typeof DROP_CLASS)[keyof typeof DROP_CLASS];
/** Names by class, for logs and stats. */
export const DROP_CLASS_NAMES = Object.freeze(["status", "snapshot", "motion", "long_press", "ring"] as const);
export type DropClassName = (typeof DROP_CLASS_NAMES)[number];

/** The drop class of an event type. */
export function dropClassOf(type: EventType | string): DropClass {
  switch (type) {
    case "ring": return DROP_CLASS.ring;
    case "long_press": return DROP_CLASS.long_press;
    case "motion_start": case "motion_end": return DROP_CLASS.motion;
    case "snapshot": return DROP_CLASS.snapshot;
    default: return DROP_CLASS.status;
  }
}

/** The record bytes for `envelope`. */
export function encodeOutboxRecord(dropClass: DropClass, envelope: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + envelope.length);
  out[0] = OUTBOX_RECORD_FORMAT;
  out[1] = dropClass;
  out.set(envelope, HEADER_BYTES);
  return out;
}

export interface DecodedOutboxRecord {
  dropClass: DropClass;
  seq: number;
  /** A view into the record: the envelope to publish. */
  envelope: Uint8Array;
}

/** Reads a stored record; undefined when it is not one this firmware wrote (the caller removes it). */
export function decodeOutboxRecord(bytes: Uint8Array): DecodedOutboxRecord | undefined {
  if (bytes.length < SEQ_OFFSET + 8 || bytes[0] !== OUTBOX_RECORD_FORMAT || bytes[1] > DROP_CLASS.ring) return undefined;
  return { dropClass: bytes[1] as DropClass, seq: readUintBE(bytes, SEQ_OFFSET, 8), envelope: bytes.subarray(HEADER_BYTES) };
}
