// SPDX-License-Identifier: MIT
// The sealed plaintext: u32 BE header length, the header as UTF-8 JSON (an object), then at most
// one JPEG (the rest of the bytes, starting with the FF D8 start-of-image marker).
import { concat, readUintBE, utf8 } from "../bytes.js";
import { i2osp } from "../hpke/i2osp.js";

/** A JSON object header: an event (modules/events.ts) or a command. */
export type EnvelopeHeaderJson = Record<string, unknown>;

let strictUtf8: { decode(bytes: Uint8Array): string } | undefined; // created on first use: the module stays preloadable

function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xd8;
}

/** Encodes the plaintext. Throws a TypeError when `header` is not a plain object or `jpeg` lacks FF D8. */
export function encodePlaintext(header: object, jpeg?: Uint8Array): Uint8Array {
  if (header === null || typeof header !== "object" || Array.isArray(header))
    throw new TypeError("envelope: header must be a JSON object");
  if (jpeg && !isJpeg(jpeg))
    throw new TypeError(`envelope: jpeg (${jpeg.length} bytes) does not start with the FF D8 start-of-image marker`);
  const json = utf8(JSON.stringify(header));
  return concat(i2osp(json.length, 4), json, jpeg ?? new Uint8Array(0));
}

/** Decodes the plaintext, or `undefined` when it is malformed. Never throws; `jpeg` is a view. */
export function decodePlaintext(plaintext: Uint8Array): { header: EnvelopeHeaderJson; jpeg?: Uint8Array } | undefined {
  if (plaintext.length < 4) return undefined;
  const headerLength = readUintBE(plaintext, 0, 4);
  if (headerLength > plaintext.length - 4) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(
      (strictUtf8 ??= new TextDecoder("utf-8", { fatal: true })).decode(plaintext.subarray(4, 4 + headerLength)),
    );
  } catch {
    return undefined;
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) return undefined;
  const rest = plaintext.subarray(4 + headerLength);
  if (rest.length === 0) return { header: header as EnvelopeHeaderJson };
  return isJpeg(rest) ? { header: header as EnvelopeHeaderJson, jpeg: rest } : undefined;
}
