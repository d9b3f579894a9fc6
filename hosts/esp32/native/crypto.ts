// SPDX-License-Identifier: MIT
// The crypto port on the ESP32: the native mbedtls module (doorbell_crypto.c via crypto-xs.c).
// Needs crypto-xs.c and doorbell_crypto.c in the build (manifest.json beside this file).
import type { CryptoPort } from "../../../modules/ports.js";

// XS resolves native("…") at compile time to the C host function of that name. The SDK's
// xs/includes/xs.d.ts declares it globally; this module-scoped copy keeps the file checkable
// without it (the npm @moddable/typings does not ship it) and shadows it where it exists.
// biome-ignore lint/suspicious/noExplicitAny: XS's native() returns an untyped host function; each use is typed at its call
declare function native(name: string): (...args: any[]) => any;

/** The most `randomBytes` returns per call (crypto-xs.c RANDOM_MAX_BYTES). */
export const MAX_RANDOM_BYTES = 65536;

type Bytes = Uint8Array | ArrayBuffer;

/**
 * Creates the crypto port over the native module. Byte views go to C without copying; every
 * result is a fresh Uint8Array. Wrong key, nonce or public-key sizes throw RangeError; a
 * low-order X25519 public key (RFC 7748 §6.1) throws Error. Messages never contain key bytes.
 */
export function createNativeCrypto(): CryptoPort {
  const x25519 = native("xs_doorbell_x25519") as (secret: Bytes, publicKey?: Bytes) => ArrayBuffer;
  const hmacSha256 = native("xs_doorbell_hmac_sha256") as (key: Bytes, data: Bytes) => ArrayBuffer;
  const seal = native("xs_doorbell_chacha20poly1305_seal") as (
    key: Bytes,
    nonce: Bytes,
    aad: Bytes,
    plaintext: Bytes,
  ) => ArrayBuffer;
  const open = native("xs_doorbell_chacha20poly1305_open") as (
    key: Bytes,
    nonce: Bytes,
    aad: Bytes,
    sealed: Bytes,
  ) => ArrayBuffer | undefined;
  const randomBytes = native("xs_doorbell_random_bytes") as (length: number) => ArrayBuffer;
  const ecdsaP256Verify = native("xs_doorbell_ecdsa_p256_verify") as (
    publicKey: Bytes,
    message: Bytes,
    signature: Bytes,
  ) => boolean;

  return {
    x25519(secret, publicKey) {
      return new Uint8Array(publicKey === undefined ? x25519(secret) : x25519(secret, publicKey));
    },
    hmacSha256(key, data) {
      return new Uint8Array(hmacSha256(key, data));
    },
    chacha20Poly1305Seal(key, nonce, aad, plaintext) {
      return new Uint8Array(seal(key, nonce, aad, plaintext));
    },
    chacha20Poly1305Open(key, nonce, aad, sealed) {
      const plaintext = open(key, nonce, aad, sealed);
      return plaintext === undefined ? undefined : new Uint8Array(plaintext);
    },
    randomBytes(length) {
      if (!Number.isInteger(length) || length < 0 || length > MAX_RANDOM_BYTES)
        throw new RangeError(`randomBytes: length must be an integer from 0 to ${MAX_RANDOM_BYTES}, got ${length}`);
      return new Uint8Array(randomBytes(length));
    },
    ecdsaP256Verify(publicKey, message, signature) {
      return ecdsaP256Verify(publicKey, message, signature);
    },
  };
}
