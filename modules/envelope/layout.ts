// SPDX-License-Identifier: MIT
// The sealed envelope's byte layout, version 1 (docs/protocol.md): a fixed 61-byte clear header, then
// the HPKE ciphertext. Writes it, and reads the clear header with the structural checks, before any crypto.
import { concat, readUintBE } from "../bytes.js";
import { AEAD_TAG_BYTES } from "../hpke/aead.js";
import { KEM_ENC_BYTES } from "../hpke/dhkem-x25519.js";
import { i2osp } from "../hpke/i2osp.js";
import type { RejectReason } from "./reasons.js";

export const ENVELOPE_VERSION = 0x01;
/**
 * Largest envelope in bytes, enforced on seal and open: room for a VGA JPEG with headroom, while
 * the sealer's peak (plaintext, ciphertext and envelope, about 288 KiB) fits the ESP32-CAM's
 * 4 MiB PSRAM. The outbox's flash must hold its bound times this. See docs/protocol.md.
 */
export const MAX_ENVELOPE_BYTES = 96 * 1024;
/** Length of the sender key id and of the topic tag, in bytes. */
export const TAG_BYTES = 8;

/** Byte offsets of each clear-header field. */
export const OFFSET = Object.freeze({
  version: 0,
  totalLength: 1,
  seq: 5,
  senderKeyId: 13,
  topicTag: 21,
  enc: 29,
  ciphertext: 61,
} as const);

/** The clear header's length; bytes [0, OFFSET.enc) also open the AAD. */
export const HEADER_BYTES = OFFSET.ciphertext;
/** The shortest well-formed envelope: the header and a bare 16-byte tag. */
export const MIN_ENVELOPE_BYTES = HEADER_BYTES + AEAD_TAG_BYTES;

/** The clear header, as read from an envelope. None of it is authenticated until the AEAD opens. */
export interface EnvelopeHeader {
  version: number;
  totalLength: number;
  seq: number;
  senderKeyId: Uint8Array;
  topicTag: Uint8Array;
  enc: Uint8Array;
  /** Bytes [0, 29): version, length, seq, key id and topic tag, as bound into the AAD. */
  bound: Uint8Array;
  ciphertext: Uint8Array;
}

/** Bytes [0, 29) of a new envelope for `ciphertextLength` bytes of ciphertext (tag included). */
export function writeBoundHeader(fields: {
  seq: number;
  senderKeyId: Uint8Array;
  topicTag: Uint8Array;
  ciphertextLength: number;
}): Uint8Array {
  return concat(
    Uint8Array.of(ENVELOPE_VERSION),
    i2osp(HEADER_BYTES + fields.ciphertextLength, 4),
    i2osp(fields.seq, 8),
    fields.senderKeyId,
    fields.topicTag,
  );
}

/**
 * Reads the clear header, checking in order: version, size, declared length, sequence range.
 * Never throws; views share `bytes`.
 */
export function readEnvelopeHeader(
  bytes: Uint8Array,
): { ok: true; header: EnvelopeHeader } | { ok: false; reason: RejectReason } {
  if (bytes.length === 0) return { ok: false, reason: "truncated" };
  if (bytes[OFFSET.version] !== ENVELOPE_VERSION) return { ok: false, reason: "bad-version" };
  if (bytes.length > MAX_ENVELOPE_BYTES) return { ok: false, reason: "too-large" };
  if (bytes.length < MIN_ENVELOPE_BYTES) return { ok: false, reason: "truncated" };
  const totalLength = readUintBE(bytes, OFFSET.totalLength, 4);
  if (totalLength > bytes.length) return { ok: false, reason: "truncated" };
  if (totalLength < bytes.length) return { ok: false, reason: "trailing-data" };
  const seq = readUintBE(bytes, OFFSET.seq, 8);
  if (!Number.isSafeInteger(seq)) return { ok: false, reason: "bad-seq" };
  return {
    ok: true,
    header: {
      version: ENVELOPE_VERSION,
      totalLength,
      seq,
      senderKeyId: bytes.subarray(OFFSET.senderKeyId, OFFSET.senderKeyId + TAG_BYTES),
      topicTag: bytes.subarray(OFFSET.topicTag, OFFSET.topicTag + TAG_BYTES),
      enc: bytes.subarray(OFFSET.enc, OFFSET.enc + KEM_ENC_BYTES),
      bound: bytes.subarray(0, OFFSET.enc),
      ciphertext: bytes.subarray(OFFSET.ciphertext),
    },
  };
}
