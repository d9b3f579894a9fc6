// SPDX-License-Identifier: MIT
// Why the device refuses an update or a chunk: one code per check, logged with its text and reported on the
// progress topic (docs/ota.md). None of them stops the running firmware.

export type UpdateRefusal =
  | "no-slots"
  | "unsigned"
  | "bad-signature"
  | "bad-envelope"
  | "other-device"
  | "wrong-sender"
  | "replayed"
  | "auth-failed"
  | "bad-manifest"
  | "downgrade"
  | "oversized"
  | "bad-chunk"
  | "wrong-update"
  | "chunk-hash"
  | "wrong-hash"
  | "flash-error";

export const UPDATE_REFUSAL_TEXT: Readonly<Record<UpdateRefusal, string>> = Object.freeze({
  "no-slots": "this host has no second application slot to write an update to",
  unsigned: "no owner signature after the manifest envelope (keys.ownerSigningPublic signs every update)",
  "bad-signature": "not signed by the owner's signing key (keys.ownerSigningPublic)",
  "bad-envelope": "the manifest envelope is malformed, truncated or too large",
  "other-device": "sealed for another device's update topic",
  "wrong-sender": "not sealed by the owner's key (keys.ownerPublic)",
  replayed: "a manifest not newer than the last one accepted",
  "auth-failed": "the manifest did not open (tampered, or sealed to another key)",
  "bad-manifest": "the manifest's fields are not valid",
  downgrade: "the version is not newer than the running firmware and the owner did not allow a downgrade",
  oversized: "the image is larger than the inactive application slot",
  "bad-chunk": "a malformed chunk message",
  "wrong-update": "a chunk of another update than the one in progress",
  "chunk-hash": "the chunk's hash does not match the chain signed in the manifest; it was not written",
  "wrong-hash": "the image's SHA-256 does not match the manifest; the slot was not activated",
  "flash-error": "writing the inactive slot failed",
});
