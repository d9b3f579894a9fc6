// SPDX-License-Identifier: MIT
// Netstrings (`<length>:<bytes>,`), the framing xsnap-worker speaks on fds 3 and 4.

export function encodeNetstring(payload: Uint8Array): Uint8Array {
  const head = new TextEncoder().encode(`${payload.length}:`);
  const out = new Uint8Array(head.length + payload.length + 1);
  out.set(head, 0);
  out.set(payload, head.length);
  out[out.length - 1] = 0x2c; // ','
  return out;
}

/** Incremental decoder: feed chunks, get whole messages. Throws on malformed framing. */
export class NetstringDecoder {
  private buffer = new Uint8Array(0);

  push(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer, 0);
    joined.set(chunk, this.buffer.length);
    const out: Uint8Array[] = [];
    let at = 0;
    for (;;) {
      const colon = joined.indexOf(0x3a, at);
      if (colon < 0) break;
      const digits = new TextDecoder().decode(joined.subarray(at, colon));
      if (!/^\d{1,10}$/.test(digits))
        throw new Error(`netstring: bad length prefix ${JSON.stringify(digits.slice(0, 12))}`);
      const length = Number(digits);
      const end = colon + 1 + length;
      if (joined.length < end + 1) break;
      if (joined[end] !== 0x2c) throw new Error("netstring: missing ',' terminator");
      out.push(joined.slice(colon + 1, end));
      at = end + 1;
    }
    this.buffer = joined.slice(at);
    return out;
  }
}
