// SPDX-License-Identifier: MIT
// The owner's signature on a command (docs/protocol.md, "Signed commands"): ECDSA P-256 with SHA-256 over a
// domain-separated message binding the topic, the device id and the whole envelope. It closes HPKE mode_auth's
// key-compromise impersonation (RFC 9180 §9.1.1): the device's own key cannot make it.
import { ascii, concat, utf8 } from "./bytes.js";
import { i2osp } from "./hpke/i2osp.js";
import type { CryptoPort } from "./ports.js";

/** The raw r || s signature (IEEE P1363) that follows the envelope. */
export const COMMAND_SIGNATURE_BYTES = 64;
/** The owner's signing public key: an uncompressed SEC 1 P-256 point, 04 || x || y. */
export const SIGNING_PUBLIC_KEY_BYTES = 65;
const LABEL = ascii("doorbell/1 command signature");

/**
 * What the owner signs: the ASCII label "doorbell/1 command signature", then u16 BE length + UTF-8 topic,
 * u16 BE length + ASCII device id, u32 BE length + the envelope. Length-prefixed, so no two triples
 * encode alike, and the label keeps these signatures apart from any other use of the key.
 */
export function commandSignedMessage(deviceId: string, topic: string, envelope: Uint8Array): Uint8Array {
  const topicBytes = utf8(topic);
  const deviceBytes = utf8(deviceId);
  return concat(
    LABEL,
    i2osp(topicBytes.length, 2),
    topicBytes,
    i2osp(deviceBytes.length, 2),
    deviceBytes,
    i2osp(envelope.length, 4),
    envelope,
  );
}

/** Appends the owner's signature to `envelope`. `sign` returns ECDSA P-256/SHA-256 r || s over its input. */
export function signCommandEnvelope(
  sign: (message: Uint8Array) => Uint8Array,
  deviceId: string,
  topic: string,
  envelope: Uint8Array,
): Uint8Array {
  const signature = sign(commandSignedMessage(deviceId, topic, envelope));
  if (signature.length !== COMMAND_SIGNATURE_BYTES)
    throw new RangeError(
      `command signature: expected ${COMMAND_SIGNATURE_BYTES} bytes (r || s), got ${signature.length}`,
    );
  return concat(envelope, signature);
}

export type SignatureCheck =
  | { ok: true; envelope: Uint8Array }
  | { ok: false; reason: "unsigned" | "bad-signature"; envelope?: Uint8Array };

/** Splits a signed command into envelope and signature; `envelope` is a view. Never throws on the bytes. */
export function splitSignedCommand(bytes: Uint8Array): { envelope: Uint8Array; signature: Uint8Array } | undefined {
  if (bytes.length <= COMMAND_SIGNATURE_BYTES) return undefined;
  const cut = bytes.length - COMMAND_SIGNATURE_BYTES;
  return { envelope: bytes.subarray(0, cut), signature: bytes.subarray(cut) };
}

/** Verifies the signature at the end of `bytes` under `signingPublicKey`. Never throws on the received bytes. */
export function verifyCommandSignature(
  crypto: CryptoPort,
  signingPublicKey: Uint8Array,
  deviceId: string,
  topic: string,
  bytes: Uint8Array,
): SignatureCheck {
  const parts = splitSignedCommand(bytes);
  if (!parts) return { ok: false, reason: "unsigned" };
  const message = commandSignedMessage(deviceId, topic, parts.envelope);
  return crypto.ecdsaP256Verify(signingPublicKey, message, parts.signature)
    ? { ok: true, envelope: parts.envelope }
    : { ok: false, reason: "bad-signature", envelope: parts.envelope };
}
