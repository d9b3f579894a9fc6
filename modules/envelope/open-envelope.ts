// SPDX-License-Identifier: MIT
// Opens a version 1 envelope (docs/protocol.md), checking in a fixed order and returning one reason
// code per failed check. Never throws on the received bytes; only `ok: true` is authenticated.
import type { CryptoPort } from "../ports.js";
import { openExporting } from "../hpke/single-shot.js";
import { checkBinding, envelopeAad, envelopeInfo, senderKeyId, topicTag } from "./binding.js";
import { CONFIRM_EXPORTER_CONTEXT, CONFIRM_KEY_BYTES } from "./confirmation.js";
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
  /**
   * Opens a replayed envelope too (one X25519 more per replay), so that an event sent again after it was accepted
   * can be confirmed again: it is still refused as `replayed`, but with its `confirmKey` when it authenticates.
   */
  openReplayed?: boolean;
  bytes: Uint8Array;
}

export type OpenEnvelopeResult =
  /** `confirmKey`: the event's delivery confirmation key, exported from its HPKE context (envelope/confirmation.ts). */
  | { ok: true; seq: number; header: EnvelopeHeaderJson; jpeg?: Uint8Array; confirmKey: Uint8Array }
  /**
   * `seq` is the unauthenticated clear value, when it could be read: for logs only. `confirmKey` only on a
   * `replayed` refusal with `openReplayed`, when the envelope authenticated (then `seq` is authenticated too).
   */
  | { ok: false; reason: RejectReason; seq?: number; confirmKey?: Uint8Array };

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
  const replayed = lastAcceptedSeq !== undefined && seq <= lastAcceptedSeq;
  if (replayed && !options.openReplayed) return { ok: false, reason: "replayed", seq };
  const opened = openExporting(
    {
      crypto,
      recipientPrivateKey: options.recipientPrivateKey,
      recipientPublicKey: options.recipientPublicKey,
      senderPublicKey,
      staticDh: options.staticDh,
      enc: header.enc,
      info: envelopeInfo(deviceId),
      aad: envelopeAad(header.bound, topic, deviceId),
      ciphertext: header.ciphertext,
    },
    { context: CONFIRM_EXPORTER_CONTEXT, length: CONFIRM_KEY_BYTES },
  );
  if (!opened) return { ok: false, reason: replayed ? "replayed" : "auth-failed", seq };
  const confirmKey = opened.exported as Uint8Array;
  const decoded = decodePlaintext(opened.plaintext);
  if (!decoded) return { ok: false, reason: replayed ? "replayed" : "bad-plaintext", seq };
  if (replayed) return { ok: false, reason: "replayed", seq, confirmKey };
  return decoded.jpeg
    ? { ok: true, seq, header: decoded.header, jpeg: decoded.jpeg, confirmKey }
    : { ok: true, seq, header: decoded.header, confirmKey };
}

/** Compares public 8-byte ids; no secret is involved, so timing does not matter. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
