// SPDX-License-Identifier: MIT
// How one outbox entry is stored in the append-only log: a format byte, a drop-class byte, the
// sealed envelope exactly as published, then an Adler-32 of all that, so a record torn by a power cut
// is recognised and never published. The only clear bytes beside the ciphertext are the class.
import { readUintBE, writeUintBE } from "./bytes.js";
import { adler32 } from "./checksum.js";
import type { EventType } from "./events.js";

/** First byte of every outbox record (2: with the checksum trailer). */
export const OUTBOX_RECORD_FORMAT = 2;
/** Bytes before the envelope in a record. */
export const OUTBOX_RECORD_HEADER_BYTES = 2;
/** Bytes after the envelope: the RFC 1950 Adler-32 of everything before it, big-endian. */
export const OUTBOX_RECORD_TRAILER_BYTES = 4;
const HEADER_BYTES = OUTBOX_RECORD_HEADER_BYTES;
const TRAILER_BYTES = OUTBOX_RECORD_TRAILER_BYTES;
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
  const out = new Uint8Array(HEADER_BYTES + envelope.length + TRAILER_BYTES);
  out[0] = OUTBOX_RECORD_FORMAT;
  out[1] = dropClass;
  out.set(envelope, HEADER_BYTES);
  const end = HEADER_BYTES + envelope.length;
  out.set(writeUintBE(adler32(out, 0, end), 4), end);
  return out;
}

export interface DecodedOutboxRecord {
  dropClass: DropClass;
  seq: number;
  /** A view into the record: the envelope to publish. */
  envelope: Uint8Array;
}

/**
 * Reads a stored record; undefined when it is not one this firmware wrote whole: another format, or
 * torn by a power cut mid-write (truncated, or partly programmed), which the checksum reveals.
 */
export function decodeOutboxRecord(bytes: Uint8Array): DecodedOutboxRecord | undefined {
  const end = bytes.length - TRAILER_BYTES;
  if (end < SEQ_OFFSET + 8 || bytes[0] !== OUTBOX_RECORD_FORMAT || bytes[1] > DROP_CLASS.ring) return undefined;
  if (readUintBE(bytes, end, 4) !== adler32(bytes, 0, end)) return undefined;
  return { dropClass: bytes[1] as DropClass, seq: readUintBE(bytes, SEQ_OFFSET, 8), envelope: bytes.subarray(HEADER_BYTES, end) };
}
