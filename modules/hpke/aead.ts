// SPDX-License-Identifier: MIT
// The AEAD half of an HPKE suite (RFC 9180 §7.3) and ChaCha20-Poly1305 over the crypto port.
// The port has no AES: an AES-128-GCM `Aead` must come from the host (tests pass node:crypto's).
import type { CryptoPort } from "../ports.js";

/** RFC 9180 §7.3 aead_id values this code knows. */
export const AEAD_AES_128_GCM = 0x0001;
export const AEAD_CHACHA20_POLY1305 = 0x0003;

/** Tag length of both supported AEADs, in bytes. */
export const AEAD_TAG_BYTES = 16;

/**
 * An AEAD as HPKE uses it. Hazard: a (key, nonce) pair must never seal twice; HPKE guarantees
 * that by deriving a fresh key per message (fresh ephemeral) and a nonce per sequence number.
 */
export interface Aead {
  /** RFC 9180 §7.3 aead_id, part of the suite id. */
  readonly id: number;
  /** Nk in bytes. */
  readonly keyLength: number;
  /** Nn in bytes. */
  readonly nonceLength: number;
  /** Ciphertext followed by the 16-byte tag. */
  seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** The plaintext, or `undefined` when the tag does not verify. Never throws on bad input bytes. */
  open(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | undefined;
}

/** RFC 8439 ChaCha20-Poly1305 (aead_id 0x0003) over `crypto`: the project's default AEAD. */
export function chacha20Poly1305Aead(crypto: CryptoPort): Aead {
  return {
    id: AEAD_CHACHA20_POLY1305,
    keyLength: 32,
    nonceLength: 12,
    seal: (key, nonce, aad, plaintext) => crypto.chacha20Poly1305Seal(key, nonce, aad, plaintext),
    open: (key, nonce, aad, sealed) =>
      sealed.length < AEAD_TAG_BYTES ? undefined : crypto.chacha20Poly1305Open(key, nonce, aad, sealed),
  };
}
