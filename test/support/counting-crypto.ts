// SPDX-License-Identifier: MIT
// A crypto port that counts the primitive calls made through it and keeps what X25519 was given and gave,
// so a test can say how many scalar multiplications a seal made and check that secrets were zero-filled.
import type { CryptoPort } from "../../modules/ports.js";

export type PrimitiveName = Exclude<keyof CryptoPort, "ecdsaP256Verify">;

/** One X25519 call: its scalar and, for a DH, the peer key and the output (the caller's buffers, not copies). */
export interface X25519Call {
  secret: Uint8Array;
  publicKey?: Uint8Array;
  output: Uint8Array;
}

export interface CountingCrypto extends CryptoPort {
  /** Calls per primitive since the last `reset()`. */
  readonly counts: Record<PrimitiveName, number>;
  /** Every X25519 call since the last `reset()`, in order. */
  readonly x25519Calls: X25519Call[];
  /** Throws `error` from the next `chacha20Poly1305Seal`, once. */
  failNextAeadSeal(error: Error): void;
  reset(): void;
}

const zeroCounts = (): Record<PrimitiveName, number> => ({
  x25519: 0,
  hmacSha256: 0,
  chacha20Poly1305Seal: 0,
  chacha20Poly1305Open: 0,
  randomBytes: 0,
});

/** `base` with every call counted. */
export function countingCrypto(base: CryptoPort): CountingCrypto {
  let counts = zeroCounts();
  const x25519Calls: X25519Call[] = [];
  let failure: Error | undefined;
  return {
    get counts() {
      return counts;
    },
    x25519Calls,
    failNextAeadSeal(error) {
      failure = error;
    },
    reset() {
      counts = zeroCounts();
      x25519Calls.length = 0;
    },
    x25519(secret, publicKey) {
      counts.x25519++;
      const output = base.x25519(secret, publicKey);
      x25519Calls.push({ secret, publicKey, output });
      return output;
    },
    hmacSha256(key, data) {
      counts.hmacSha256++;
      return base.hmacSha256(key, data);
    },
    chacha20Poly1305Seal(key, nonce, aad, plaintext) {
      counts.chacha20Poly1305Seal++;
      const error = failure;
      failure = undefined;
      if (error) throw error;
      return base.chacha20Poly1305Seal(key, nonce, aad, plaintext);
    },
    chacha20Poly1305Open(key, nonce, aad, sealed) {
      counts.chacha20Poly1305Open++;
      return base.chacha20Poly1305Open(key, nonce, aad, sealed);
    },
    randomBytes(length) {
      counts.randomBytes++;
      return base.randomBytes(length);
    },
    ecdsaP256Verify: (publicKey, message, signature) => base.ecdsaP256Verify(publicKey, message, signature),
  };
}
