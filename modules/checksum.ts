// SPDX-License-Identifier: MIT
// Adler-32 (RFC 1950 §9): a table-free checksum to tell a torn flash write from a whole one.
// Not a MAC: it catches truncation and half-programmed pages, not tampering (the AEAD tag does that).

const MOD_ADLER = 65521;
/** Bytes summed before the modulo: the largest n with 255n(n+1)/2 + (n+1)(MOD_ADLER-1) < 2^32 (zlib's NMAX). */
const NMAX = 5552;

/** RFC 1950 §9 Adler-32 of `bytes`, as an unsigned 32-bit number. */
export function adler32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let a = 1;
  let b = 0;
  for (let at = start; at < end; ) {
    const stop = Math.min(end, at + NMAX);
    for (; at < stop; at++) {
      a += bytes[at];
      b += a;
    }
    a %= MOD_ADLER;
    b %= MOD_ADLER;
  }
  return (b * 65536 + a) >>> 0;
}
