// SPDX-License-Identifier: MIT
// Opens a version 1 envelope (docs/protocol.md), checking in a fixed order and returning one reason
// code per failed check. Never throws on the received bytes; only `ok: true` is authenticated.
import type { CryptoPort } from "../ports.js";
import { open } from "../hpke/single-shot.js";
import { checkBinding, envelopeAad, envelopeInfo, senderKeyId, topicTag } from "./binding.js";
import { readEnvelopeHeader } from "./layout.js";
import { decodePlaintext, type EnvelopeHeaderJson } from "./plaintext.js";
import type { RejectReason } from "./reasons.js";

export interface OpenEnvelopeOptions {
  crypto: CryptoPort;
  /** The recipient's static X25519 key. Secret. */
  recipientPrivateKey: Uint8Array;
  /** Its public key, to save one X25519; it must belong to `recipientPrivateKey`. */
  recipientPublicKey?: Uint8Array;
  /** The only sender accepted (mode_auth). */
  senderPublicKey: Uint8Array;
  /**
   * DH(recipientPrivateKey, senderPublicKey), kept in RAM by a recipient that opens many envelopes of one sender
   * (`staticDh` in hpke/dhkem-x25519.ts): one X25519 per open instead of two. Secret.
   */
  staticDh?: Uint8Array;
  deviceId: string;
  /** The topic the envelope arrived on. */
  topic: string;
  /** The last sequence number accepted from this sender, persisted; absent before the first. */
  lastAcceptedSeq?: number;
  bytes: Uint8Array;
}

export type OpenEnvelopeResult =
  | { ok: true; seq: number; header: EnvelopeHeaderJson; jpeg?: Uint8Array }
  /** `seq` is the unauthenticated clear value, when it could be read: for logs only. */
  | { ok: false; reason: RejectReason; seq?: number };

/**
 * Checks, in order: structure (truncated, bad-version, too-large, trailing-data, bad-seq), topic
 * tag (wrong-topic), sender key id (wrong-sender), replay (replayed), the AEAD (auth-failed), and
 * the plaintext (bad-plaintext). The caller persists `seq` as the new last accepted number only
 * after acting on an `ok: true` result. Throws only on the caller's own malformed keys or ids.
 */
export function openEnvelope(options: OpenEnvelopeOptions): OpenEnvelopeResult {
  const { crypto, deviceId, topic, senderPublicKey, lastAcceptedSeq, bytes } = options;
  checkBinding(deviceId, topic);
  const read = readEnvelopeHeader(bytes);
  if (!read.ok) return read;
  const { header } = read;
  const seq = header.seq;
  if (!sameBytes(header.topicTag, topicTag(crypto, topic))) return { ok: false, reason: "wrong-topic", seq };
  if (!sameBytes(header.senderKeyId, senderKeyId(crypto, senderPublicKey)))
    return { ok: false, reason: "wrong-sender", seq };
  if (lastAcceptedSeq !== undefined && seq <= lastAcceptedSeq) return { ok: false, reason: "replayed", seq };
  const plaintext = open({
    crypto,
    recipientPrivateKey: options.recipientPrivateKey,
    recipientPublicKey: options.recipientPublicKey,
    senderPublicKey,
    staticDh: options.staticDh,
    enc: header.enc,
    info: envelopeInfo(deviceId),
    aad: envelopeAad(header.bound, topic, deviceId),
    ciphertext: header.ciphertext,
  });
  if (!plaintext) return { ok: false, reason: "auth-failed", seq };
  const decoded = decodePlaintext(plaintext);
  if (!decoded) return { ok: false, reason: "bad-plaintext", seq };
  return decoded.jpeg
    ? { ok: true, seq, header: decoded.header, jpeg: decoded.jpeg }
    : { ok: true, seq, header: decoded.header };
}

/** Compares public 8-byte ids; no secret is involved, so timing does not matter. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
