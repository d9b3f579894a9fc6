// SPDX-License-Identifier: MIT
// RFC 9180 §3 I2OSP: a non-negative integer as fixed-length big-endian bytes, refusing what does not fit.
// Limited to JavaScript safe integers, which covers every length, id and sequence number used here.

/** `value` as `length` big-endian bytes; throws a RangeError when it is negative, unsafe or too big. */
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
