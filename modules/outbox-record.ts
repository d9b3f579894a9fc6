// SPDX-License-Identifier: MIT
// How one outbox entry is stored in the append-only log: a format byte, a drop-class byte, the
// sealed envelope exactly as published, then a 32-bit checksum of all that, so a record torn by a power
// cut is recognised and never published. The only clear bytes beside the ciphertext are the class.
import { ascii, readUintBE, writeUintBE } from "./bytes.js";
import type { EventType } from "./events.js";
import type { CryptoPort } from "./ports.js";

/** First byte of every outbox record (3: the checksum is HMAC-SHA256-based). */
export const OUTBOX_RECORD_FORMAT = 3;
/** Bytes before the envelope in a record. */
export const OUTBOX_RECORD_HEADER_BYTES = 2;
/** Bytes after the envelope: the record checksum of everything before it, big-endian. */
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

/** A 32-bit checksum over a record's bytes. */
export type RecordChecksum = (bytes: Uint8Array) => number;

const RECORD_KEY = ascii("doorbell/1 outbox record");

/**
 * The record checksum: the first 4 bytes of HMAC-SHA256(key = "doorbell/1 outbox record", bytes), through the
 * crypto port, so on the device it runs in native mbedtls rather than costing XS a JavaScript loop over every
 * byte of a snapshot. It detects torn writes; it is not a MAC (the key is public; the AEAD tag protects contents).
 */
export function recordChecksum(crypto: Pick<CryptoPort, "hmacSha256">): RecordChecksum {
  return (bytes) => readUintBE(crypto.hmacSha256(RECORD_KEY, bytes), 0, 4);
}

/** The drop class of an event type. */
export function dropClassOf(type: EventType | string): DropClass {
  switch (type) {
    case "ring":
      return DROP_CLASS.ring;
    case "long_press":
      return DROP_CLASS.long_press;
    case "motion_start":
    case "motion_end":
      return DROP_CLASS.motion;
    case "snapshot":
      return DROP_CLASS.snapshot;
    default:
      return DROP_CLASS.status;
  }
}

/** The record bytes for `envelope`. */
export function encodeOutboxRecord(dropClass: DropClass, envelope: Uint8Array, checksum: RecordChecksum): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + envelope.length + TRAILER_BYTES);
  out[0] = OUTBOX_RECORD_FORMAT;
  out[1] = dropClass;
  out.set(envelope, HEADER_BYTES);
  const end = HEADER_BYTES + envelope.length;
  out.set(writeUintBE(checksum(out.subarray(0, end)), 4), end);
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
export function decodeOutboxRecord(bytes: Uint8Array, checksum: RecordChecksum): DecodedOutboxRecord | undefined {
  const end = bytes.length - TRAILER_BYTES;
  if (end < SEQ_OFFSET + 8 || bytes[0] !== OUTBOX_RECORD_FORMAT || bytes[1] > DROP_CLASS.ring) return undefined;
  if (readUintBE(bytes, end, 4) !== checksum(bytes.subarray(0, end))) return undefined;
  return {
    dropClass: bytes[1] as DropClass,
    seq: readUintBE(bytes, SEQ_OFFSET, 8),
    envelope: bytes.subarray(HEADER_BYTES, end),
  };
}
