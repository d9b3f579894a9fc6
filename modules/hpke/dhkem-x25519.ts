// SPDX-License-Identifier: MIT
// DHKEM(X25519, HKDF-SHA256), kem_id 0x0020 (RFC 9180 §4.1, §7.1): key pairs, Encap/Decap, AuthEncap/AuthDecap.
// Keys are raw 32-byte strings (§7.1.1); the DH itself is the crypto port's X25519.
import type { CryptoPort } from "../ports.js";
import { ascii, concat } from "../bytes.js";
import { i2osp } from "./i2osp.js";
import { labeledExpand, labeledExtract } from "./labeled-kdf.js";

export const KEM_DHKEM_X25519_HKDF_SHA256 = 0x0020;
/** Nsecret, Nenc, Npk and Nsk of this KEM, all in bytes (RFC 9180 §7.1). */
export const KEM_SECRET_BYTES = 32;
export const KEM_ENC_BYTES = 32;
export const X25519_KEY_BYTES = 32;

const KEM_SUITE_ID = concat(ascii("KEM"), i2osp(KEM_DHKEM_X25519_HKDF_SHA256, 2));
const EMPTY = Object.freeze(new Uint8Array(0));

export interface KeyPair {
  /** Secret: never log it or put it in an error. */
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

export interface Encapsulation {
  /** Secret input to the key schedule. */
  sharedSecret: Uint8Array;
  /** The ephemeral public key, sent to the recipient. */
  enc: Uint8Array;
}

function checkKey(name: string, key: Uint8Array): void {
  if (key.length !== X25519_KEY_BYTES)
    throw new RangeError(`hpke: ${name} must be ${X25519_KEY_BYTES} bytes, got ${key.length}`);
}

/** The public key for a 32-byte X25519 private key. */
export function publicKeyOf(crypto: CryptoPort, privateKey: Uint8Array): Uint8Array {
  checkKey("private key", privateKey);
  return crypto.x25519(privateKey);
}

/** RFC 9180 §7.1.3 DeriveKeyPair: a key pair from input keying material (at least 32 bytes of entropy). */
export function deriveKeyPair(crypto: CryptoPort, ikm: Uint8Array): KeyPair {
  const dkpPrk = labeledExtract(crypto, KEM_SUITE_ID, EMPTY, "dkp_prk", ikm);
  const privateKey = labeledExpand(crypto, KEM_SUITE_ID, dkpPrk, "sk", EMPTY, X25519_KEY_BYTES);
  dkpPrk.fill(0);
  return { privateKey, publicKey: crypto.x25519(privateKey) };
}

/**
 * A fresh key pair: DeriveKeyPair over 32 bytes from `crypto.randomBytes`. Every ephemeral comes
 * from here, so tests replay the RFC 9180 Appendix A vectors by making the port return `ikmE`.
 */
export function generateKeyPair(crypto: CryptoPort): KeyPair {
  const ikm = crypto.randomBytes(X25519_KEY_BYTES);
  try {
    return deriveKeyPair(crypto, ikm);
  } finally {
    ikm.fill(0);
  }
}

/** X25519 with the RFC 9180 §7.1.4 check: an all-zero output (a low-order public key) aborts. */
function dh(crypto: CryptoPort, privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  const shared = crypto.x25519(privateKey, publicKey);
  let bits = 0;
  for (const byte of shared) bits |= byte;
  if (bits === 0)
    throw new Error("hpke: X25519 gave the all-zero value (a low-order public key); refusing it (RFC 9180 §7.1.4)");
  return shared;
}

/** Zero-fills secret buffers this code made, once they have served: a RAM dump later finds zeros there. */
export function wipe(...secrets: (Uint8Array | undefined)[]): void {
  for (const secret of secrets) secret?.fill(0);
}

/** RFC 9180 §4.1 ExtractAndExpand. Wipes its intermediate secrets (the labeled IKM and eae_prk), not `dhValue`. */
function extractAndExpand(crypto: CryptoPort, dhValue: Uint8Array, kemContext: Uint8Array): Uint8Array {
  const eaePrk = labeledExtract(crypto, KEM_SUITE_ID, EMPTY, "eae_prk", dhValue);
  const sharedSecret = labeledExpand(crypto, KEM_SUITE_ID, eaePrk, "shared_secret", kemContext, KEM_SECRET_BYTES);
  wipe(eaePrk);
  return sharedSecret;
}

/**
 * DH(skS, pkR), the static half of AuthEncap (RFC 9180 §4.1): it changes only with either key, so a sender
 * may cache it and pass it to `encap`. With the recipient's key pair and the sender's public key it is
 * DH(skR, pkS), the same value, the static half of AuthDecap, for `decap`. Secret (it lets the holder
 * impersonate the sender to the recipient). Throws on a low-order recipient key.
 */
export function staticDh(crypto: CryptoPort, sender: KeyPair, recipientPublicKey: Uint8Array): Uint8Array {
  checkKey("recipient public key", recipientPublicKey);
  checkKey("sender private key", sender.privateKey);
  return dh(crypto, sender.privateKey, recipientPublicKey);
}

/**
 * RFC 9180 §4.1 Encap(pkR), or AuthEncap(pkR, skS) when `sender` is given. A fresh ephemeral per
 * call, from the port's random bytes; its private key and DH are zero-filled before this returns.
 * `cachedStaticDh`, when given, must be `staticDh(crypto, sender, recipientPublicKey)`: it saves one
 * X25519 and is left as it is. Throws on a low-order recipient key.
 */
export function encap(
  crypto: CryptoPort,
  recipientPublicKey: Uint8Array,
  sender?: KeyPair,
  cachedStaticDh?: Uint8Array,
): Encapsulation {
  checkKey("recipient public key", recipientPublicKey);
  if (sender) {
    checkKey("sender private key", sender.privateKey);
    checkKey("sender public key", sender.publicKey);
  }
  if (cachedStaticDh) checkKey("cached static DH", cachedStaticDh);
  const ephemeral = generateKeyPair(crypto);
  const enc = ephemeral.publicKey;
  let dhE: Uint8Array | undefined;
  let dhS: Uint8Array | undefined;
  let dhValue: Uint8Array | undefined;
  try {
    dhE = dh(crypto, ephemeral.privateKey, recipientPublicKey);
    if (!sender) return { sharedSecret: extractAndExpand(crypto, dhE, concat(enc, recipientPublicKey)), enc };
    dhS = cachedStaticDh ?? dh(crypto, sender.privateKey, recipientPublicKey);
    dhValue = concat(dhE, dhS);
    const kemContext = concat(enc, recipientPublicKey, sender.publicKey);
    return { sharedSecret: extractAndExpand(crypto, dhValue, kemContext), enc };
  } finally {
    wipe(ephemeral.privateKey, dhE, dhValue, dhS === cachedStaticDh ? undefined : dhS);
  }
}

/**
 * RFC 9180 §4.1 Decap(enc, skR), or AuthDecap(enc, skR, pkS) when `senderPublicKey` is given.
 * `cachedStaticDh`, when given with a sender, must be `staticDh(crypto, recipient, senderPublicKey)`: DH(skR, pkS)
 * is the same for every message of that sender, so a recipient may keep it (secret, in RAM) and save one X25519;
 * it is left as it is. Throws when `enc` or `senderPublicKey` is malformed or low-order.
 */
export function decap(
  crypto: CryptoPort,
  enc: Uint8Array,
  recipient: KeyPair,
  senderPublicKey?: Uint8Array,
  cachedStaticDh?: Uint8Array,
): Uint8Array {
  checkKey("enc", enc);
  checkKey("recipient private key", recipient.privateKey);
  checkKey("recipient public key", recipient.publicKey);
  if (!senderPublicKey) {
    return extractAndExpand(crypto, dh(crypto, recipient.privateKey, enc), concat(enc, recipient.publicKey));
  }
  checkKey("sender public key", senderPublicKey);
  if (cachedStaticDh) checkKey("cached static DH", cachedStaticDh);
  const dhE = dh(crypto, recipient.privateKey, enc);
  const dhValue = concat(dhE, cachedStaticDh ?? dh(crypto, recipient.privateKey, senderPublicKey));
  try {
    return extractAndExpand(crypto, dhValue, concat(enc, recipient.publicKey, senderPublicKey));
  } finally {
    wipe(dhE, dhValue);
  }
}
