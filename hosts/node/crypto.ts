// SPDX-License-Identifier: MIT
// The crypto port on Node, over node:crypto (OpenSSL). The device binds the same primitives to mbedtls.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  type KeyObject,
  randomBytes,
  verify,
} from "node:crypto";
import type { CryptoPort } from "../../modules/ports.js";

// Raw X25519 keys go in as JWK (RFC 8037 OKP): about ten times faster than through OpenSSL's PKCS#8
// decoder, which dominated the cost of a seal. Node reads only `d` for a private key (`x` is unused).
const b64url = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");

function privateKey(secret: Uint8Array) {
  if (secret.length !== 32) throw new RangeError(`x25519: secret must be 32 bytes, got ${secret.length}`);
  return createPrivateKey({ key: { kty: "OKP", crv: "X25519", d: b64url(secret), x: "" }, format: "jwk" });
}

type KeyCache = WeakMap<Uint8Array, { digest: Buffer; key: KeyObject }>;

/**
 * The key object made for a secret array, kept while that array lives (a static key, such as the bridge's, is
 * imported once instead of once per X25519), and checked against a SHA-256 of the array's bytes at each use, so
 * a wiped or changed array gets a fresh import; no copy of the secret is kept. An ephemeral's entry goes with
 * its array, as its key object did before.
 */
function cachedPrivateKey(cache: KeyCache, secret: Uint8Array) {
  const digest = createHash("sha256").update(secret).digest();
  const hit = cache.get(secret);
  if (hit?.digest.equals(digest)) return hit.key;
  const key = privateKey(secret);
  cache.set(secret, { digest, key });
  return key;
}

function publicKeyObject(pub: Uint8Array) {
  if (pub.length !== 32) throw new RangeError(`x25519: public key must be 32 bytes, got ${pub.length}`);
  return createPublicKey({ key: { kty: "OKP", crv: "X25519", x: b64url(pub) }, format: "jwk" });
}

/** The length of an uncompressed SEC1 P-256 point (04 || x || y) and of a raw r || s signature. */
const P256_POINT_BYTES = 65;
const P256_SIGNATURE_BYTES = 64;

function p256PublicKey(point: Uint8Array) {
  if (point.length !== P256_POINT_BYTES)
    throw new RangeError(`ecdsaP256Verify: public key must be ${P256_POINT_BYTES} bytes, got ${point.length}`);
  if (point[0] !== 0x04) return undefined;
  try {
    // OpenSSL checks that (x, y) is on the curve when the key is imported.
    return createPublicKey({
      key: { kty: "EC", crv: "P-256", x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33)) },
      format: "jwk",
    });
  } catch {
    return undefined;
  }
}

function u8(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Creates the crypto port over node:crypto. */
export function createNodeCrypto(): CryptoPort {
  const privateKeys: KeyCache = new WeakMap();
  return {
    x25519(secret, publicKey) {
      const priv = cachedPrivateKey(privateKeys, secret);
      if (!publicKey) return u8(Buffer.from(priv.export({ format: "jwk" }).x!, "base64url"));
      // RFC 7748 §6.1: an all-zero shared secret means a low-order point; OpenSSL rejects it.
      return u8(diffieHellman({ privateKey: priv, publicKey: publicKeyObject(publicKey) }));
    },
    hmacSha256(key, data) {
      return u8(createHmac("sha256", key).update(data).digest());
    },
    chacha20Poly1305Seal(key, nonce, aad, plaintext) {
      const c = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
      c.setAAD(aad, { plaintextLength: plaintext.length });
      return u8(Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]));
    },
    chacha20Poly1305Open(key, nonce, aad, sealed) {
      if (sealed.length < 16) return undefined;
      const d = createDecipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
      d.setAAD(aad, { plaintextLength: sealed.length - 16 });
      d.setAuthTag(sealed.subarray(sealed.length - 16));
      try {
        return u8(Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]));
      } catch {
        return undefined;
      }
    },
    randomBytes(length) {
      return u8(randomBytes(length));
    },
    ecdsaP256Verify(publicKey, message, signature) {
      const key = p256PublicKey(publicKey);
      if (!key || signature.length !== P256_SIGNATURE_BYTES) return false;
      try {
        return verify("sha256", message, { key, dsaEncoding: "ieee-p1363" }, signature);
      } catch {
        return false;
      }
    },
  };
}
