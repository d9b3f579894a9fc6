// SPDX-License-Identifier: MIT
// Why an envelope was refused: one code per check, in the order `openEnvelope` makes them.
// Codes and texts are safe to log: they hold no key, plaintext or image bytes.

/** Rejection codes, in check order. Everything before "auth-failed" is read from unauthenticated bytes. */
export const REJECT_REASONS = Object.freeze([
  "truncated",
  "bad-version",
  "too-large",
  "trailing-data",
  "bad-seq",
  "wrong-topic",
  "wrong-sender",
  "replayed",
  "auth-failed",
  "bad-plaintext",
] as const);

export type RejectReason = (typeof REJECT_REASONS)[number];

/** One log line per reason: what happened and what to look at. */
export const REJECT_REASON_TEXT: Readonly<Record<RejectReason, string>> = Object.freeze({
  truncated: "fewer bytes than the envelope header declares; the message was cut short in transit or storage",
  "bad-version": "unknown envelope version byte; the sender runs a newer or foreign protocol",
  "too-large": "envelope over MAX_ENVELOPE_BYTES; refused before any crypto",
  "trailing-data": "more bytes than the envelope header declares; something appended to the message",
  "bad-seq": "sequence number above 2^53 - 1, which no conforming sender uses",
  "wrong-topic": "the envelope was sealed for another topic than the one it arrived on; check the sender's topic",
  "wrong-sender":
    "the envelope names another sender key than the one configured for this peer; check the provisioned keys",
  replayed: "sequence number not newer than the last accepted one; a replay or a duplicate delivery",
  "auth-failed": "the AEAD tag did not verify: tampered bytes, wrong keys, or another device id",
  "bad-plaintext": "authentic, but the plaintext is not a length-prefixed JSON object header with an optional JPEG",
});
