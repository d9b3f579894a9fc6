// SPDX-License-Identifier: MIT
// The bridge's message format, used on both sides of the worker's command channel:
// u32 big-endian JSON length, the JSON, then the binary blobs whose lengths the JSON lists under "$b".
// Runs in XS and Node alike (no Buffer).

export type WireFields = Record<string, unknown>;

export interface WireMessage {
  fields: WireFields;
  blobs: Uint8Array[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeWire(fields: WireFields, blobs: readonly Uint8Array[] = []): ArrayBuffer {
  const json = encoder.encode(JSON.stringify(blobs.length ? { ...fields, $b: blobs.map((b) => b.length) } : fields));
  let total = 4 + json.length;
  for (const b of blobs) total += b.length;
  const out = new Uint8Array(total);
  out[0] = json.length >>> 24;
  out[1] = (json.length >>> 16) & 255;
  out[2] = (json.length >>> 8) & 255;
  out[3] = json.length & 255;
  out.set(json, 4);
  let at = 4 + json.length;
  for (const b of blobs) {
    out.set(b, at);
    at += b.length;
  }
  return out.buffer;
}

export function decodeWire(buffer: ArrayBuffer | Uint8Array): WireMessage {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  if (bytes.length < 4) throw new RangeError("wire: message shorter than its header");
  const jsonLength = ((bytes[0] << 24) >>> 0) + (bytes[1] << 16) + (bytes[2] << 8) + bytes[3];
  if (4 + jsonLength > bytes.length) throw new RangeError("wire: JSON length past the end");
  const fields = JSON.parse(decoder.decode(bytes.subarray(4, 4 + jsonLength))) as WireFields;
  const lengths = (fields.$b as number[] | undefined) ?? [];
  delete fields.$b;
  const blobs: Uint8Array[] = [];
  let at = 4 + jsonLength;
  for (const n of lengths) {
    if (at + n > bytes.length) throw new RangeError("wire: blob past the end");
    blobs.push(bytes.slice(at, at + n));
    at += n;
  }
  return { fields, blobs };
}
