// SPDX-License-Identifier: MIT
// Opens a version 1 envelope (docs/protocol.md), checking in a fixed order and returning one reason
// code per failed check. Never throws on the received bytes; only `ok: true` is authenticated.
import type { CryptoPort } from "../ports.js";
import { chacha20Poly1305Aead } from "../hpke/aead.js";
import { keyScheduleContext, MODE_AUTH } from "../hpke/key-schedule.js";
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
  /**
   * What every envelope of this sender on this topic shares (`openConstants`), kept by a recipient of many: no
   * secret, and used only when it was made for this `deviceId`, `topic` and `senderPublicKey` (else recomputed).
   */
  constants?: OpenConstants;
}

/** The public values every envelope of one sender on one topic shares: four HMACs fewer per open. */
export interface OpenConstants {
  deviceId: string;
  topic: string;
  senderPublicKey: Uint8Array;
  info: Uint8Array;
  topicTag: Uint8Array;
  senderKeyId: Uint8Array;
  /** RFC 9180 §5.1 key_schedule_context for mode_auth and `info` (psk_id_hash, info_hash). */
  keyScheduleContext: Uint8Array;
}

/** `OpenConstants` for `deviceId`'s envelopes on `topic` from `senderPublicKey`. Throws as `openEnvelope` does. */
export function openConstants(
  crypto: CryptoPort,
  deviceId: string,
  topic: string,
  senderPublicKey: Uint8Array,
): OpenConstants {
  checkBinding(deviceId, topic);
  const info = envelopeInfo(deviceId);
  return {
    deviceId,
    topic,
    senderPublicKey: senderPublicKey.slice(),
    info,
    topicTag: topicTag(crypto, topic),
    senderKeyId: senderKeyId(crypto, senderPublicKey),
    keyScheduleContext: keyScheduleContext(crypto, chacha20Poly1305Aead(crypto), MODE_AUTH, info, new Uint8Array(0)),
  };
}

function constantsFor(o: OpenEnvelopeOptions): OpenConstants {
  const k = o.constants;
  return k && k.deviceId === o.deviceId && k.topic === o.topic && sameBytes(k.senderPublicKey, o.senderPublicKey)
    ? k
    : openConstants(o.crypto, o.deviceId, o.topic, o.senderPublicKey);
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
  const k = constantsFor(options); // checks the binding
  const read = readEnvelopeHeader(bytes);
  if (!read.ok) return read;
  const { header } = read;
  const seq = header.seq;
  if (!sameBytes(header.topicTag, k.topicTag)) return { ok: false, reason: "wrong-topic", seq };
  if (!sameBytes(header.senderKeyId, k.senderKeyId)) return { ok: false, reason: "wrong-sender", seq };
  const replayed = lastAcceptedSeq !== undefined && seq <= lastAcceptedSeq;
  if (replayed && !options.openReplayed) return { ok: false, reason: "replayed", seq };
  const opened = openExporting(
    {
      crypto,
      recipientPrivateKey: options.recipientPrivateKey,
      recipientPublicKey: options.recipientPublicKey,
      senderPublicKey,
      staticDh: options.staticDh,
      keyScheduleContext: k.keyScheduleContext,
      enc: header.enc,
      info: k.info,
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

/** Compares public ids and keys; no secret is involved, so timing does not matter. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
