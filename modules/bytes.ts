// SPDX-License-Identifier: MIT
// Byte helpers that run the same on XS and Node (no Buffer): UTF-8, hex, concatenation.
// Nothing here runs native code at load time, so the module can be preloaded on the device.

let encoder: { encode(text: string): Uint8Array } | undefined;
let decoder: { decode(bytes: Uint8Array): string } | undefined;

export function utf8(text: string): Uint8Array {
  return (encoder ??= new TextEncoder()).encode(text);
}

export function fromUtf8(bytes: Uint8Array): string {
  return (decoder ??= new TextDecoder()).decode(bytes);
}

/** The bytes of an ASCII string, in plain JavaScript: usable in module-level constants that are preloaded. */
export function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) throw new RangeError(`ascii: non-ASCII character at ${i}`);
    out[i] = c;
  }
  return out;
}

const HEX = "0123456789abcdef";

export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
  return s;
}

/** Parses lowercase or uppercase hex; throws a RangeError naming the problem, never the input. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new RangeError(`hex: odd length ${hex.length}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const v = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    if (!/^[0-9a-fA-F]{2}$/.test(hex.slice(2 * i, 2 * i + 2)))
      throw new RangeError(`hex: not a hex digit at offset ${2 * i}`);
    out[i] = v;
  }
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Big-endian unsigned integer of `length` bytes; exact while the value stays below 2^53. */
export function readUintBE(bytes: Uint8Array, at: number, length: number): number {
  let v = 0;
  for (let i = 0; i < length; i++) v = v * 256 + bytes[at + i];
  return v;
}

/** `value` as `length` big-endian bytes; throws a RangeError when it is negative, unsafe or too big. */
export function writeUintBE(value: number, length: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`integer ${value} is not a non-negative safe integer`);
  const out = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  if (rest !== 0) throw new RangeError(`integer ${value} does not fit in ${length} bytes`);
  return out;
}
