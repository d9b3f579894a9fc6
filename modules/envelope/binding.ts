// SPDX-License-Identifier: MIT
// What ties an envelope to its context (docs/protocol.md): the HPKE info string, the AAD encoding,
// the sender key id and the topic tag. The ids are short public fingerprints, not secrets or MACs.
import type { CryptoPort } from "../ports.js";
import { ascii, concat, utf8 } from "../bytes.js";
import { i2osp } from "../hpke/i2osp.js";
import { TAG_BYTES } from "./layout.js";

/** Device ids the envelope accepts: 1-64 ASCII letters, digits, '-' and '_' (the config is narrower). */
const DEVICE_ID = Object.freeze(/^[A-Za-z0-9_-]{1,64}$/);
const KEY_ID_KEY = ascii("doorbell/1 key id");
const TOPIC_TAG_KEY = ascii("doorbell/1 topic");

/** Throws a RangeError naming the field when `deviceId` or `topic` cannot go into an envelope. */
export function checkBinding(deviceId: string, topic: string): void {
  if (!DEVICE_ID.test(deviceId))
    throw new RangeError(`envelope: deviceId "${deviceId}" must be 1-64 ASCII letters, digits, '-' or '_'`);
  const topicBytes = utf8(topic).length;
  if (topicBytes === 0 || topicBytes > 0xffff)
    throw new RangeError(`envelope: topic must be 1-65535 UTF-8 bytes, got ${topicBytes}`);
}

/** HPKE info: the ASCII bytes of "doorbell/1 " followed by the device id. */
export function envelopeInfo(deviceId: string): Uint8Array {
  return utf8(`doorbell/1 ${deviceId}`);
}

/**
 * The AEAD's associated data: header bytes [0, 29) (version, length, seq, key id, topic tag), then
 * u16 BE length + UTF-8 topic, then u16 BE length + ASCII device id. Fixed-size prefix and
 * length-prefixed fields, so no two (header, topic, device) triples encode alike.
 */
export function envelopeAad(bound: Uint8Array, topic: string, deviceId: string): Uint8Array {
  const topicBytes = utf8(topic);
  const deviceBytes = utf8(deviceId);
  return concat(bound, i2osp(topicBytes.length, 2), topicBytes, i2osp(deviceBytes.length, 2), deviceBytes);
}

/** The sender key id: the first 8 bytes of HMAC-SHA256(key = "doorbell/1 key id", the X25519 public key). */
export function senderKeyId(crypto: CryptoPort, publicKey: Uint8Array): Uint8Array {
  return crypto.hmacSha256(KEY_ID_KEY, publicKey).subarray(0, TAG_BYTES);
}

/** The topic tag: the first 8 bytes of HMAC-SHA256(key = "doorbell/1 topic", the UTF-8 topic). */
export function topicTag(crypto: CryptoPort, topic: string): Uint8Array {
  return crypto.hmacSha256(TOPIC_TAG_KEY, utf8(topic)).subarray(0, TAG_BYTES);
}
