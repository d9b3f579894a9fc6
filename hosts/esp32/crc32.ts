// SPDX-License-Identifier: MIT
// CRC-32 (ISO-HDLC: reflected polynomial 0xEDB88320, the zlib/PNG one) for record framing.
// Moddable's `crc` module has only CRC-8 and CRC-16. Detects torn or bit-flipped records; not a MAC.

let table: Uint32Array | undefined;

function buildTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/** CRC-32 of `bytes`; crc32(utf8("123456789")) is 0xCBF43926. The 1 KB table is built on first use. */
export function crc32(bytes: Uint8Array): number {
  const t = (table ??= buildTable());
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
