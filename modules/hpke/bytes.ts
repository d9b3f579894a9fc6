// SPDX-License-Identifier: MIT
// Byte helpers for HPKE and the envelope: concatenation, big-endian integers (RFC 9180 §3 I2OSP), UTF-8.
// Plain Uint8Array code so it runs unchanged on XS; integers are limited to JavaScript safe integers.

const encoder = new TextEncoder();

/** UTF-8 bytes of `text` (labels, topics, device ids). */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** A new array holding `parts` one after another. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * RFC 9180 §3 I2OSP: `value` as `length` big-endian bytes. `value` must be a non-negative safe
 * integer that fits; this covers every length, id and sequence number used here.
 */
export function i2osp(value: number, length: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`i2osp: ${value} is not a non-negative safe integer`);
  const out = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  if (rest !== 0) throw new RangeError(`i2osp: ${value} does not fit in ${length} bytes`);
  return out;
}

/**
 * Reads `length` (at most 8) big-endian bytes at `offset` as a number. Above 2^53 the result is
 * rounded, so callers that need exactness check it with `Number.isSafeInteger`.
 */
export function readUintBE(bytes: Uint8Array, offset: number, length: number): number {
  let value = 0;
  for (let i = 0; i < length; i++) value = value * 256 + bytes[offset + i];
  return value;
}

/** True when `a` and `b` hold the same bytes. Not constant-time: use it only on public values. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
