// SPDX-License-Identifier: MIT
// RFC 9180 §6.1 single-shot seal and open: the public HPKE API. Each call is its own context at seq 0.
// Suite: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, and ChaCha20-Poly1305 unless another `aead` is given.
import type { CryptoPort } from "../ports.js";
import { chacha20Poly1305Aead, type Aead } from "./aead.js";
import { type Encapsulation, KEM_ENC_BYTES, publicKeyOf, X25519_KEY_BYTES, type KeyPair } from "./dhkem-x25519.js";
import { verifyPskInputs, type PreSharedKey } from "./key-schedule.js";
import { modeOf, setupRecipient, setupSender } from "./setup.js";

export interface SealOptions {
  crypto: CryptoPort;
  /** Defaults to ChaCha20-Poly1305 over `crypto`. */
  aead?: Aead;
  recipientPublicKey: Uint8Array;
  info: Uint8Array;
  aad: Uint8Array;
  plaintext: Uint8Array;
  /** The sender's static private key: seals in mode_auth (RFC 9180 §5.1.3). Secret. */
  senderPrivateKey?: Uint8Array;
  /** The matching public key, to save one X25519; it must belong to `senderPrivateKey`. */
  senderPublicKey?: Uint8Array;
  /** Seals in mode_psk, or mode_auth_psk with a sender key (RFC 9180 §5.1.2, §5.1.4). */
  psk?: PreSharedKey;
  /** A KEM result made ahead of time for this recipient and sender; see `SetupSenderOptions.encapsulate`. */
  encapsulate?: () => Encapsulation;
}

/** A secret to export from the message's own context (RFC 9180 §5.3): `length` bytes bound to `context`. */
export interface ExportRequest {
  context: Uint8Array;
  length: number;
}

export interface OpenOptions {
  crypto: CryptoPort;
  aead?: Aead;
  recipientPrivateKey: Uint8Array;
  /** The matching public key, to save one X25519; it must belong to `recipientPrivateKey`. */
  recipientPublicKey?: Uint8Array;
  /** Required to open mode_auth messages: the sender they must come from. */
  senderPublicKey?: Uint8Array;
  /** DH(skR, pkS) for this recipient and sender, kept from earlier (`staticDh` in dhkem-x25519.ts); saves one X25519. */
  staticDh?: Uint8Array;
  /** `keyScheduleContext` (key-schedule.ts) for this mode, info and PSK id, kept from earlier; public. */
  keyScheduleContext?: Uint8Array;
  psk?: PreSharedKey;
  enc: Uint8Array;
  info: Uint8Array;
  aad: Uint8Array;
  ciphertext: Uint8Array;
}

/** Fills in the public half of a key pair, deriving it when the caller did not pass it. */
export function keyPairOf(crypto: CryptoPort, privateKey: Uint8Array, publicKey?: Uint8Array): KeyPair {
  return { privateKey, publicKey: publicKey ?? publicKeyOf(crypto, privateKey) };
}

/**
 * RFC 9180 §6.1 Seal<MODE>: `{ enc, ciphertext }`, where the ciphertext carries the 16-byte tag.
 * A fresh ephemeral key per message, from `crypto.randomBytes` or made ahead by `encapsulate`.
 * Throws on malformed keys.
 */
export function seal(options: SealOptions): { enc: Uint8Array; ciphertext: Uint8Array } {
  const { enc, ciphertext } = sealExporting(options, undefined);
  return { enc, ciphertext };
}

/**
 * `seal`, plus a secret exported from the same context (RFC 9180 §5.3 Export) when `exporting` is given: the
 * sender derives it with no extra X25519, and only the recipient can derive it too (`openExporting`).
 */
export function sealExporting(
  options: SealOptions,
  exporting: ExportRequest | undefined,
): { enc: Uint8Array; ciphertext: Uint8Array; exported?: Uint8Array } {
  const { crypto, recipientPublicKey, info, aad, plaintext, senderPrivateKey, senderPublicKey, psk } = options;
  const aead = options.aead ?? chacha20Poly1305Aead(crypto);
  const sender = senderPrivateKey ? keyPairOf(crypto, senderPrivateKey, senderPublicKey) : undefined;
  const { encapsulate } = options;
  const { enc, context } = setupSender({ crypto, aead, recipientPublicKey, info, sender, psk, encapsulate });
  const ciphertext = context.seal(aad, plaintext);
  return exporting
    ? { enc, ciphertext, exported: context.export(exporting.context, exporting.length) }
    : { enc, ciphertext };
}

/**
 * RFC 9180 §6.1 Open<MODE>: the plaintext, or `undefined` when the message does not open: a
 * wrong key, sender, info or aad, a tampered byte, or a malformed or low-order `enc`. Throws
 * only on the caller's own malformed keys or PSK, never because of the received bytes.
 */
export function open(options: OpenOptions): Uint8Array | undefined {
  return openExporting(options, undefined)?.plaintext;
}

/**
 * `open`, plus a secret exported from the message's context (RFC 9180 §5.3) when `exporting` is given; the
 * secret is returned only with a plaintext, i.e. only for a message that authenticated.
 */
export function openExporting(
  options: OpenOptions,
  exporting: ExportRequest | undefined,
): { plaintext: Uint8Array; exported?: Uint8Array } | undefined {
  const { crypto, enc, info, aad, ciphertext, senderPublicKey, psk } = options;
  const aead = options.aead ?? chacha20Poly1305Aead(crypto);
  const recipient = keyPairOf(crypto, options.recipientPrivateKey, options.recipientPublicKey);
  verifyPskInputs(modeOf(senderPublicKey !== undefined, psk), psk);
  if (senderPublicKey && senderPublicKey.length !== X25519_KEY_BYTES) {
    throw new RangeError(`hpke: sender public key must be ${X25519_KEY_BYTES} bytes, got ${senderPublicKey.length}`);
  }
  if (enc.length !== KEM_ENC_BYTES) return undefined;
  let context: ReturnType<typeof setupRecipient>;
  try {
    const { staticDh, keyScheduleContext } = options;
    context = setupRecipient({
      crypto,
      aead,
      enc,
      recipient,
      info,
      senderPublicKey,
      psk,
      staticDh,
      keyScheduleContext,
    });
  } catch {
    return undefined; // RFC 9180 §7.1.4: a low-order enc or sender key gives no shared secret.
  }
  const plaintext = context.open(aad, ciphertext);
  if (!plaintext) return undefined;
  return exporting ? { plaintext, exported: context.export(exporting.context, exporting.length) } : { plaintext };
}
