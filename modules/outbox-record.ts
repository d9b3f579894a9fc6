// SPDX-License-Identifier: MIT
// How one outbox entry is stored in the append-only log (format 4): a format byte, a drop-class byte, a
// tag-length byte and that many tag bytes (none today; room for a per-record tag that must survive a reboot),
// the sealed envelope exactly as published, then a 32-bit checksum of all that: the one integrity check per
// record, computed natively. Records of format 3 (no tag-length byte) are still read. The only clear bytes
// beside the ciphertext are the class and the tag.
import { ascii, readUintBE, writeUintBE } from "./bytes.js";
import type { EventType } from "./events.js";
import type { CryptoPort } from "./ports.js";

/** First byte of every outbox record this firmware writes. */
export const OUTBOX_RECORD_FORMAT = 4;
/** The previous format, still read: format byte, class byte, envelope, checksum (no tag). */
export const OUTBOX_RECORD_FORMAT_3 = 3;
/** Bytes before the envelope in a record with no tag: format, drop class and tag length. */
export const OUTBOX_RECORD_HEADER_BYTES = 3;
/** Bytes after the envelope: the record checksum of everything before it, big-endian. */
export const OUTBOX_RECORD_TRAILER_BYTES = 4;
/** The longest per-record tag a record can carry. */
export const MAX_RECORD_TAG_BYTES = 32;
const TRAILER_BYTES = OUTBOX_RECORD_TRAILER_BYTES;
/** The envelope's `seq` field: 8 bytes at offset 5 of the envelope (docs/protocol.md, byte layout). */
const ENVELOPE_SEQ_OFFSET = 5;

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

const NO_TAG = Object.freeze(new Uint8Array(0));

/**
 * The record bytes for `envelope`, with an optional per-record `tag` (at most MAX_RECORD_TAG_BYTES) stored
 * beside it and returned by `decodeOutboxRecord`.
 */
export function encodeOutboxRecord(
  dropClass: DropClass,
  envelope: Uint8Array,
  checksum: RecordChecksum,
  tag: Uint8Array = NO_TAG,
): Uint8Array {
  if (tag.length > MAX_RECORD_TAG_BYTES)
    throw new RangeError(`outbox record: a ${tag.length}-byte tag is over the ${MAX_RECORD_TAG_BYTES}-byte limit`);
  const header = OUTBOX_RECORD_HEADER_BYTES + tag.length;
  const out = new Uint8Array(header + envelope.length + TRAILER_BYTES);
  out[0] = OUTBOX_RECORD_FORMAT;
  out[1] = dropClass;
  out[2] = tag.length;
  out.set(tag, OUTBOX_RECORD_HEADER_BYTES);
  out.set(envelope, header);
  const end = header + envelope.length;
  out.set(writeUintBE(checksum(out.subarray(0, end)), 4), end);
  return out;
}

export interface DecodedOutboxRecord {
  dropClass: DropClass;
  seq: number;
  /** A view into the record: the envelope to publish. */
  envelope: Uint8Array;
  /** A view into the record: its per-record tag (empty when it has none, and in format 3). */
  tag: Uint8Array;
}

/**
 * Reads a stored record, of format 4 or 3; undefined when it is not one this firmware wrote whole: another
 * format, or bytes that fail the checksum (flash corruption, or a store that broke its atomic append).
 */
export function decodeOutboxRecord(bytes: Uint8Array, checksum: RecordChecksum): DecodedOutboxRecord | undefined {
  const end = bytes.length - TRAILER_BYTES;
  let header: number;
  if (bytes[0] === OUTBOX_RECORD_FORMAT) header = OUTBOX_RECORD_HEADER_BYTES + (bytes[2] ?? 0);
  else if (bytes[0] === OUTBOX_RECORD_FORMAT_3) header = 2;
  else return undefined;
  if (end < header + ENVELOPE_SEQ_OFFSET + 8 || bytes[1] > DROP_CLASS.ring) return undefined;
  if (readUintBE(bytes, end, 4) !== checksum(bytes.subarray(0, end))) return undefined;
  return {
    dropClass: bytes[1] as DropClass,
    seq: readUintBE(bytes, header + ENVELOPE_SEQ_OFFSET, 8),
    envelope: bytes.subarray(header, end),
    tag: bytes.subarray(header === 2 ? 2 : OUTBOX_RECORD_HEADER_BYTES, header),
  };
}
