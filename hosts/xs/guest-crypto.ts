// SPDX-License-Identifier: MIT
// Inside XS: the crypto port as host calls to the Node parent, as the device calls its native mbedtls module.
// The meter therefore counts each primitive as one host call, not as JavaScript work.
import type { CryptoPort } from "../../modules/ports.js";
import { call } from "./guest-call.js";

export function createGuestCrypto(): CryptoPort {
  return {
    x25519: (secret, publicKey) => call("crypto.x25519", {}, publicKey ? [secret, publicKey] : [secret]).blobs[0],
    hmacSha256: (key, data) => call("crypto.hmac", {}, [key, data]).blobs[0],
    chacha20Poly1305Seal: (key, nonce, aad, plaintext) =>
      call("crypto.seal", {}, [key, nonce, aad, plaintext]).blobs[0],
    chacha20Poly1305Open: (key, nonce, aad, sealed) => call("crypto.open", {}, [key, nonce, aad, sealed]).blobs[0],
    randomBytes: (length) => call("crypto.random", { length }).blobs[0],
    ecdsaP256Verify: (publicKey, message, signature) =>
      call("crypto.ecdsaP256Verify", {}, [publicKey, message, signature]).fields.valid === true,
  };
}

/** Test-suite hook: the XS bundle maps test/support/test-crypto.ts here. */
export function testCrypto(): CryptoPort {
  return createGuestCrypto();
}
