// SPDX-License-Identifier: MIT
// HKDF-SHA256 (RFC 5869) and RFC 9180 §4 LabeledExtract/LabeledExpand, over CryptoPort.hmacSha256.
// Only SHA-256 (kdf_id 0x0001): Nh = 32, so one expand yields at most 255 * 32 bytes.
import type { CryptoPort } from "../ports.js";
import { ascii, concat, utf8 } from "../bytes.js";
import { i2osp } from "./i2osp.js";

/** Nh for HKDF-SHA256, in bytes. */
export const HASH_BYTES = 32;

const HPKE_V1 = ascii("HPKE-v1");

/** RFC 5869 §2.2 HKDF-Extract. An empty salt means HashLen zero bytes, as the RFC says. */
export function hkdfExtract(crypto: CryptoPort, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return crypto.hmacSha256(salt.length === 0 ? new Uint8Array(HASH_BYTES) : salt, ikm);
}

/** RFC 5869 §2.3 HKDF-Expand: `length` bytes (at most 255 * 32) from the pseudorandom key `prk`. */
export function hkdfExpand(crypto: CryptoPort, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > 255 * HASH_BYTES) {
    throw new RangeError(`hkdfExpand: length ${length} is outside 0..${255 * HASH_BYTES} bytes`);
  }
  const out = new Uint8Array(length);
  let block: Uint8Array = new Uint8Array(0);
  for (let i = 1, offset = 0; offset < length; i++) {
    const input = concat(block, info, Uint8Array.of(i));
    block.fill(0);
    block = crypto.hmacSha256(prk, input);
    input.fill(0);
    out.set(block.subarray(0, Math.min(HASH_BYTES, length - offset)), offset);
    offset += HASH_BYTES;
  }
  block.fill(0); // the output's bytes: only `out` keeps them
  return out;
}

/** RFC 9180 §4 LabeledExtract: Extract(salt, "HPKE-v1" || suite_id || label || ikm). */
export function labeledExtract(
  crypto: CryptoPort,
  suiteId: Uint8Array,
  salt: Uint8Array,
  label: string,
  ikm: Uint8Array,
): Uint8Array {
  const labeledIkm = concat(HPKE_V1, suiteId, utf8(label), ikm);
  try {
    return hkdfExtract(crypto, salt, labeledIkm);
  } finally {
    labeledIkm.fill(0); // a copy of the secret input
  }
}

/** RFC 9180 §4 LabeledExpand: Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L). */
export function labeledExpand(
  crypto: CryptoPort,
  suiteId: Uint8Array,
  prk: Uint8Array,
  label: string,
  info: Uint8Array,
  length: number,
): Uint8Array {
  return hkdfExpand(crypto, prk, concat(i2osp(length, 2), HPKE_V1, suiteId, utf8(label), info), length);
}
