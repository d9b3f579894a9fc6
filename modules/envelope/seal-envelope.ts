// SPDX-License-Identifier: MIT
// Seals one event or command into a version 1 envelope (docs/protocol.md): HPKE mode_auth,
// DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305, single-shot. At most MAX_ENVELOPE_BYTES.
import type { CryptoPort } from "../ports.js";
import { concat } from "../bytes.js";
import { AEAD_TAG_BYTES } from "../hpke/aead.js";
import type { Encapsulation } from "../hpke/dhkem-x25519.js";
import { keyPairOf, sealExporting } from "../hpke/single-shot.js";
import { checkBinding, envelopeAad, envelopeInfo, senderKeyId, topicTag } from "./binding.js";
import { HEADER_BYTES, MAX_ENVELOPE_BYTES, writeBoundHeader } from "./layout.js";
import { CONFIRM_EXPORTER_CONTEXT, CONFIRM_KEY_BYTES } from "./confirmation.js";
import { encodePlaintext } from "./plaintext.js";

export interface SealEnvelopeOptions {
  crypto: CryptoPort;
  /** The sender's static X25519 key (the device's, or the owner's for commands). Secret. */
  senderPrivateKey: Uint8Array;
  /** Its public key, to save one X25519; it must belong to `senderPrivateKey`. */
  senderPublicKey?: Uint8Array;
  /** The recipient's X25519 public key (the owner's, or the device's for commands). */
  recipientPublicKey: Uint8Array;
  /** Bound into the HPKE info and the AAD. */
  deviceId: string;
  /** The MQTT topic the envelope is published on; bound into the AAD and tagged in the clear. */
  topic: string;
  /** Sender sequence number: a safe integer, strictly increasing, never reused (persist in blocks). */
  seq: number;
  /** A JSON object; sealed, never in the clear. */
  header: object;
  /** One JPEG (starting FF D8), sealed after the header. */
  jpeg?: Uint8Array;
  /**
   * The KEM step made ahead of time (modules/seal-ahead.ts): an AuthEncap result for exactly this sender and
   * recipient, never used before. Called only once the input has been checked, so an oversized JPEG wastes
   * none; its shared secret is zero-filled after use. The bytes on the wire are the same either way.
   */
  encapsulate?: () => Encapsulation;
}

/**
 * The envelope bytes. A fresh ephemeral key per message (from `crypto.randomBytes`, or made ahead and
 * passed as `encapsulate`), so the sender
 * cannot open what it sealed. Throws a RangeError or TypeError, naming the field, on bad input or
 * when the result would exceed MAX_ENVELOPE_BYTES.
 */
export function sealEnvelope(options: SealEnvelopeOptions): Uint8Array {
  return sealWith(options, false).envelope;
}

/**
 * `sealEnvelope`, plus the event's confirmation key: CONFIRM_KEY_BYTES exported from the seal's own HPKE context
 * (RFC 9180 §5.3; envelope/confirmation.ts). No extra X25519. Secret: it is kept only to check confirmations.
 */
export function sealEnvelopeConfirmable(options: SealEnvelopeOptions): {
  envelope: Uint8Array;
  confirmKey: Uint8Array;
} {
  const { envelope, confirmKey } = sealWith(options, true);
  return { envelope, confirmKey: confirmKey as Uint8Array };
}

function sealWith(options: SealEnvelopeOptions, exportKey: boolean): { envelope: Uint8Array; confirmKey?: Uint8Array } {
  const { crypto, recipientPublicKey, deviceId, topic, seq } = options;
  checkBinding(deviceId, topic);
  if (!Number.isSafeInteger(seq) || seq < 0)
    throw new RangeError(`envelope: seq must be a non-negative safe integer, got ${seq}`);
  const plaintext = encodePlaintext(options.header, options.jpeg);
  const ciphertextLength = plaintext.length + AEAD_TAG_BYTES;
  if (HEADER_BYTES + ciphertextLength > MAX_ENVELOPE_BYTES) {
    throw new RangeError(
      `envelope: ${HEADER_BYTES + ciphertextLength} bytes would exceed MAX_ENVELOPE_BYTES (${MAX_ENVELOPE_BYTES}); ` +
        `send a smaller JPEG (${options.jpeg?.length ?? 0} bytes given)`,
    );
  }
  const sender = keyPairOf(crypto, options.senderPrivateKey, options.senderPublicKey);
  const bound = writeBoundHeader({
    seq,
    senderKeyId: senderKeyId(crypto, sender.publicKey),
    topicTag: topicTag(crypto, topic),
    ciphertextLength,
  });
  const { enc, ciphertext, exported } = sealExporting(
    {
      crypto,
      recipientPublicKey,
      info: envelopeInfo(deviceId),
      aad: envelopeAad(bound, topic, deviceId),
      plaintext,
      senderPrivateKey: sender.privateKey,
      senderPublicKey: sender.publicKey,
      encapsulate: options.encapsulate,
    },
    exportKey ? { context: CONFIRM_EXPORTER_CONTEXT, length: CONFIRM_KEY_BYTES } : undefined,
  );
  return { envelope: concat(bound, enc, ciphertext), confirmKey: exported };
}
