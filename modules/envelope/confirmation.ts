// SPDX-License-Identifier: MIT
// Delivery confirmations (docs/protocol.md, "Delivery confirmations"): the owner's bridge tells the device which
// events it holds durably, so the device may drop them from its outbox. Each confirmation is an HMAC under a key
// exported from the event's own HPKE context (RFC 9180 §5.3), which only the device (as the sender) and the holder
// of the owner's private key can derive. One message carries a batch: a version byte, a count byte, then per
// event its sequence number (8 bytes, big-endian) and a 16-byte MAC.
import { ascii, concat, readUintBE, utf8, writeUintBE } from "../bytes.js";
import type { CryptoPort } from "../ports.js";

/** The exporter context of the confirmation key (RFC 9180 §5.3 `exporter_context`). */
export const CONFIRM_EXPORTER_CONTEXT = ascii("doorbell/1 delivery confirmation key");
/** Bytes of the confirmation key exported per event; stored as the outbox record's tag. */
export const CONFIRM_KEY_BYTES = 32;
/** Bytes of each confirmation's MAC (HMAC-SHA256, truncated: 128 bits). */
export const CONFIRM_MAC_BYTES = 16;
/** The format byte of a confirmation message. */
export const CONFIRM_VERSION = 1;
/** Most confirmations in one message. */
export const MAX_CONFIRMATIONS = 64;
const ITEM_BYTES = 8 + CONFIRM_MAC_BYTES;
const MAC_LABEL = ascii("doorbell/1 confirm");

export interface Confirmation {
  seq: number;
  mac: Uint8Array;
}

/** The MAC confirming event `seq` of `deviceId`: HMAC-SHA256(key, label || len(id) || id || seq), 16 bytes. */
export function confirmationMac(
  crypto: Pick<CryptoPort, "hmacSha256">,
  key: Uint8Array,
  deviceId: string,
  seq: number,
): Uint8Array {
  const id = utf8(deviceId);
  const message = concat(MAC_LABEL, new Uint8Array([id.length]), id, writeUintBE(seq, 8));
  return crypto.hmacSha256(key, message).subarray(0, CONFIRM_MAC_BYTES);
}

/** Compares two MACs in time independent of where they differ. */
export function sameMac(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** The message for up to MAX_CONFIRMATIONS confirmations. */
export function encodeConfirmations(items: readonly Confirmation[]): Uint8Array {
  if (items.length < 1 || items.length > MAX_CONFIRMATIONS)
    throw new RangeError(`confirmation: 1 to ${MAX_CONFIRMATIONS} items per message, got ${items.length}`);
  const out = new Uint8Array(2 + items.length * ITEM_BYTES);
  out[0] = CONFIRM_VERSION;
  out[1] = items.length;
  items.forEach(({ seq, mac }, i) => {
    if (mac.length !== CONFIRM_MAC_BYTES) throw new RangeError(`confirmation: a MAC is ${CONFIRM_MAC_BYTES} bytes`);
    out.set(writeUintBE(seq, 8), 2 + i * ITEM_BYTES);
    out.set(mac, 2 + i * ITEM_BYTES + 8);
  });
  return out;
}

export type DecodedConfirmations = { ok: true; items: Confirmation[] } | { ok: false; reason: string };

/** Reads a confirmation message; never throws on the received bytes. */
export function decodeConfirmations(bytes: Uint8Array): DecodedConfirmations {
  if (bytes.length < 2) return { ok: false, reason: "truncated" };
  if (bytes[0] !== CONFIRM_VERSION) return { ok: false, reason: "bad-version" };
  const count = bytes[1];
  if (count < 1 || count > MAX_CONFIRMATIONS) return { ok: false, reason: "bad-count" };
  if (bytes.length < 2 + count * ITEM_BYTES) return { ok: false, reason: "truncated" };
  if (bytes.length > 2 + count * ITEM_BYTES) return { ok: false, reason: "trailing-data" };
  const items: Confirmation[] = [];
  for (let i = 0; i < count; i++) {
    const at = 2 + i * ITEM_BYTES;
    const seq = readUintBE(bytes, at, 8);
    if (!Number.isSafeInteger(seq)) return { ok: false, reason: "bad-seq" };
    items.push({ seq, mac: bytes.subarray(at + 8, at + ITEM_BYTES) });
  }
  return { ok: true, items };
}
