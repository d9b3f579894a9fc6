// SPDX-License-Identifier: MIT
// SHA-256 (FIPS 180-4) in TypeScript, incremental, with a state that can be saved between chunks and
// restored after a power cut: the update receiver hashes the image as it arrives and resumes mid-image.
// Limit: `save()` only when the bytes hashed so far are a multiple of 64 (whole blocks); chunks are.

const K = Object.freeze([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const H0 = Object.freeze([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

/** One FIPS 180-4 §6.2.2 round over the 64 bytes of `data` at `at`, into `h`; `w` is scratch. */
function compressBlock(h: Uint32Array, w: Uint32Array, data: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++) {
    const j = at + i * 4;
    w[i] = ((data[j] << 24) | (data[j + 1] << 16) | (data[j + 2] << 8) | data[j + 3]) >>> 0;
  }
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15];
    const b = w[i - 2];
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
  }
  let a = h[0];
  let b = h[1];
  let c = h[2];
  let d = h[3];
  let e = h[4];
  let f = h[5];
  let g = h[6];
  let k = h[7];
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (k + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
    k = g;
    g = f;
    f = e;
    e = (d + t1) >>> 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) >>> 0;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
  h[5] += f;
  h[6] += g;
  h[7] += k;
}

/** The saved state: 8 words of H then the byte count as 8 bytes big-endian. */
export const SHA256_STATE_BYTES = 40;

export interface Sha256 {
  /** Hashes more bytes; any length. */
  update(bytes: Uint8Array): void;
  /** The 32-byte digest; the hasher must not be used afterwards. */
  digest(): Uint8Array;
  /** The state after whole blocks only (throws otherwise), for `createSha256(saved)`. */
  save(): Uint8Array;
}

/** A new hasher, or one continuing from `saved` (from `save()`). Throws a RangeError on a malformed state. */
export function createSha256(saved?: Uint8Array): Sha256 {
  const h = new Uint32Array(8);
  const w = new Uint32Array(64);
  const block = new Uint8Array(64);
  let filled = 0;
  let total = 0;
  if (saved) {
    if (saved.length !== SHA256_STATE_BYTES)
      throw new RangeError(`sha256: a saved state is ${SHA256_STATE_BYTES} bytes`);
    const view = new DataView(saved.buffer, saved.byteOffset, saved.length);
    for (let i = 0; i < 8; i++) h[i] = view.getUint32(i * 4);
    total = view.getUint32(32) * 0x100000000 + view.getUint32(36);
    if (total % 64 !== 0) throw new RangeError("sha256: a saved state must end on a block boundary");
  } else h.set(H0);

  const compress = (data: Uint8Array, at: number) => compressBlock(h, w, data, at);

  const update = (bytes: Uint8Array) => {
    let at = 0;
    total += bytes.length;
    if (filled) {
      const take = Math.min(64 - filled, bytes.length);
      block.set(bytes.subarray(0, take), filled);
      filled += take;
      at = take;
      if (filled < 64) return;
      compress(block, 0);
      filled = 0;
    }
    for (; at + 64 <= bytes.length; at += 64) compress(bytes, at);
    if (at < bytes.length) {
      block.set(bytes.subarray(at), 0);
      filled = bytes.length - at;
    }
  };

  return {
    update,
    digest() {
      const bits = total * 8;
      const pad = new Uint8Array((filled < 56 ? 56 : 120) - filled + 8);
      pad[0] = 0x80;
      const view = new DataView(pad.buffer);
      view.setUint32(pad.length - 8, Math.floor(bits / 0x100000000));
      view.setUint32(pad.length - 4, bits >>> 0);
      update(pad);
      const out = new Uint8Array(32);
      const outView = new DataView(out.buffer);
      for (let i = 0; i < 8; i++) outView.setUint32(i * 4, h[i]);
      return out;
    },
    save() {
      if (filled !== 0) throw new RangeError("sha256: save() only on a block boundary");
      const out = new Uint8Array(SHA256_STATE_BYTES);
      const view = new DataView(out.buffer);
      for (let i = 0; i < 8; i++) view.setUint32(i * 4, h[i]);
      view.setUint32(32, Math.floor(total / 0x100000000));
      view.setUint32(36, total >>> 0);
      return out;
    },
  };
}

/** SHA-256 of `bytes` in one call. */
export function sha256(bytes: Uint8Array): Uint8Array {
  const hasher = createSha256();
  hasher.update(bytes);
  return hasher.digest();
}
