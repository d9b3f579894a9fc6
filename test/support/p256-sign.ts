// SPDX-License-Identifier: MIT
// Test-only ECDSA P-256 signing in plain TypeScript (BigInt), so the unit tests can make owner signatures
// inside XS, where node:crypto is absent. Not constant-time and not for keys that matter: tests only.
import type { CryptoPort } from "../../modules/ports.js";

// FIPS 186-5 / SEC 2: the P-256 field prime, group order and base point (the curve's a is p - 3).
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const GX = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n;
const GY = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n;

type Jacobian = [bigint, bigint, bigint]; // (X, Y, Z); Z = 0 is the point at infinity

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;

function inverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

function double([x, y, z]: Jacobian): Jacobian {
  if (z === 0n || y === 0n) return [0n, 1n, 0n];
  const delta = mod(z * z, P);
  const gamma = mod(y * y, P);
  const beta = mod(x * gamma, P);
  const alpha = mod(3n * (x - delta) * (x + delta), P);
  const x3 = mod(alpha * alpha - 8n * beta, P);
  const z3 = mod((y + z) * (y + z) - gamma - delta, P);
  const y3 = mod(alpha * (4n * beta - x3) - 8n * gamma * gamma, P);
  return [x3, y3, z3];
}

function add(a: Jacobian, b: Jacobian): Jacobian {
  if (a[2] === 0n) return b;
  if (b[2] === 0n) return a;
  const z1z1 = mod(a[2] * a[2], P);
  const z2z2 = mod(b[2] * b[2], P);
  const u1 = mod(a[0] * z2z2, P);
  const u2 = mod(b[0] * z1z1, P);
  const s1 = mod(a[1] * b[2] * z2z2, P);
  const s2 = mod(b[1] * a[2] * z1z1, P);
  if (u1 === u2) return s1 === s2 ? double(a) : [0n, 1n, 0n];
  const h = mod(u2 - u1, P);
  const r = mod(s2 - s1, P);
  const hh = mod(h * h, P);
  const hhh = mod(hh * h, P);
  const x3 = mod(r * r - hhh - 2n * u1 * hh, P);
  const y3 = mod(r * (u1 * hh - x3) - s1 * hhh, P);
  return [x3, y3, mod(h * a[2] * b[2], P)];
}

/** k * G in affine coordinates. */
function multiplyBase(k: bigint): [bigint, bigint] {
  let result: Jacobian = [0n, 1n, 0n];
  for (let bit = 255; bit >= 0; bit--) {
    result = double(result);
    if ((k >> BigInt(bit)) & 1n) result = add(result, [GX, GY, 1n]);
  }
  const zi = inverse(result[2], P);
  return [mod(result[0] * zi * zi, P), mod(result[1] * zi * zi * zi, P)];
}

const toBig = (bytes: Uint8Array) => bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);

function toBytes(v: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

// FIPS 180-4 SHA-256: the signer hashes what it signs, and the crypto port has only HMAC.
const K = Uint32Array.from(
  (
    "428a2f98 71374491 b5c0fbcf e9b5dba5 3956c25b 59f111f1 923f82a4 ab1c5ed5 d807aa98 12835b01 243185be 550c7dc3 " +
    "72be5d74 80deb1fe 9bdc06a7 c19bf174 e49b69c1 efbe4786 0fc19dc6 240ca1cc 2de92c6f 4a7484aa 5cb0a9dc 76f988da " +
    "983e5152 a831c66d b00327c8 bf597fc7 c6e00bf3 d5a79147 06ca6351 14292967 27b70a85 2e1b2138 4d2c6dfc 53380d13 " +
    "650a7354 766a0abb 81c2c92e 92722c85 a2bfe8a1 a81a664b c24b8b70 c76c51a3 d192e819 d6990624 f40e3585 106aa070 " +
    "19a4c116 1e376c08 2748774c 34b0bcb5 391c0cb3 4ed8aa4a 5b9cca4f 682e6ff3 748f82ee 78a5636f 84c87814 8cc70208 " +
    "90befffa a4506ceb bef9a3f7 c67178f2"
  )
    .split(" ")
    .map((h) => Number.parseInt(h, 16)),
);

export function sha256(message: Uint8Array): Uint8Array {
  const bitLength = message.length * 8;
  const padded = new Uint8Array(Math.ceil((message.length + 9) / 64) * 64);
  padded.set(message);
  padded[message.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bitLength / 2 ** 32));
  view.setUint32(padded.length - 4, bitLength >>> 0);
  const h = Uint32Array.of(
    0x6a09e667,
    0xbb67ae85,
    0x3c6ef372,
    0xa54ff53a,
    0x510e527f,
    0x9b05688c,
    0x1f83d9ab,
    0x5be0cd19,
  );
  const w = new Uint32Array(64);
  const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));
  for (let block = 0; block < padded.length; block += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(block + 4 * i);
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      [hh, g, f, e, d, c, b, a] = [g, f, e, (d + t1) >>> 0, c, b, a, (t1 + t2) >>> 0];
    }
    const add8 = [a, b, c, d, e, f, g, hh];
    for (let i = 0; i < 8; i++) h[i] = (h[i] + add8[i]) >>> 0;
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) outView.setUint32(4 * i, h[i]);
  return out;
}

/** A uniformly random scalar in [1, n - 1] (40 random bytes reduced mod n - 1: bias below 2^-64). */
function randomScalar(crypto: CryptoPort): bigint {
  return (toBig(crypto.randomBytes(40)) % (N - 1n)) + 1n;
}

export interface TestSigningKey {
  /** The private scalar, 32 bytes big-endian. Test data only. */
  secret: Uint8Array;
  /** The uncompressed SEC 1 point, 04 || x || y (65 bytes). */
  publicKey: Uint8Array;
  /** FIPS 186-5 ECDSA over SHA-256(message): r || s, 64 bytes (IEEE P1363), a fresh random k each time. */
  sign(message: Uint8Array): Uint8Array;
}

/** A signing key from `secret` (32 bytes), or a fresh one from `crypto`'s random bytes. */
export function testSigningKey(crypto: CryptoPort, secret?: Uint8Array): TestSigningKey {
  const d = secret ? toBig(secret) : randomScalar(crypto);
  if (d <= 0n || d >= N) throw new RangeError("p256: the secret must be in [1, n - 1]");
  const [x, y] = multiplyBase(d);
  const publicKey = new Uint8Array(65);
  publicKey[0] = 0x04;
  publicKey.set(toBytes(x, 32), 1);
  publicKey.set(toBytes(y, 32), 33);
  return {
    secret: toBytes(d, 32),
    publicKey,
    sign(message) {
      const e = toBig(sha256(message));
      for (;;) {
        const k = randomScalar(crypto);
        const r = mod(multiplyBase(k)[0], N);
        const s = mod(inverse(k, N) * (e + r * d), N);
        if (r !== 0n && s !== 0n) {
          const out = new Uint8Array(64);
          out.set(toBytes(r, 32), 0);
          out.set(toBytes(s, 32), 32);
          return out;
        }
      }
    },
  };
}
