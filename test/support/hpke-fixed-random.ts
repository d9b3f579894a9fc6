// SPDX-License-Identifier: MIT
// A crypto port whose random bytes are fixed in advance: how tests replay RFC 9180 vectors (ikmE)
// and make worked examples reproducible. Test-only: fixed randomness reuses ephemerals.
import type { CryptoPort } from "../../modules/ports.js";

/**
 * `base` with `randomBytes` answering from `chunks` in order. Each request must ask for exactly the
 * next chunk's length, and running out throws, so a test notices any unexpected use of randomness.
 */
export function fixedRandomCrypto(base: CryptoPort, ...chunks: Uint8Array[]): CryptoPort {
  const queue = chunks.slice();
  return {
    x25519: (secret, publicKey) => base.x25519(secret, publicKey),
    hmacSha256: (key, data) => base.hmacSha256(key, data),
    chacha20Poly1305Seal: (key, nonce, aad, plaintext) => base.chacha20Poly1305Seal(key, nonce, aad, plaintext),
    chacha20Poly1305Open: (key, nonce, aad, sealed) => base.chacha20Poly1305Open(key, nonce, aad, sealed),
    ecdsaP256Verify: (publicKey, message, signature) => base.ecdsaP256Verify(publicKey, message, signature),
    randomBytes(length) {
      const next = queue.shift();
      if (!next) throw new Error(`fixedRandomCrypto: asked for ${length} random bytes with none left`);
      if (next.length !== length)
        throw new Error(`fixedRandomCrypto: asked for ${length} random bytes, next chunk has ${next.length}`);
      return next.slice();
    },
  };
}
