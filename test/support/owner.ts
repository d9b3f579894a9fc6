// SPDX-License-Identifier: MIT
// The owner's side for tests: a key pair generated per run (never a fixed key) and an opener for events.
import { fromHex, toHex } from "../../modules/bytes.js";
import { openEnvelope } from "../../modules/envelope/open-envelope.js";
import type { EventHeader } from "../../modules/events.js";
import { testCrypto } from "./test-crypto.js";

export interface OwnerKeys {
  secret: Uint8Array;
  publicKey: Uint8Array;
  publicHex: string;
}

export function testOwnerKeys(): OwnerKeys {
  const crypto = testCrypto();
  const secret = crypto.randomBytes(32);
  const publicKey = crypto.x25519(secret);
  return { secret, publicKey, publicHex: toHex(publicKey) };
}

/** Opens an event envelope or throws with the rejection reason. */
export function openEventForTest(
  owner: OwnerKeys,
  devicePublicHex: string,
  deviceId: string,
  topic: string,
  bytes: Uint8Array,
  lastAcceptedSeq?: number,
) {
  const r = openEnvelope({
    crypto: testCrypto(),
    recipientPrivateKey: owner.secret,
    recipientPublicKey: owner.publicKey,
    senderPublicKey: fromHex(devicePublicHex),
    deviceId,
    topic,
    lastAcceptedSeq,
    bytes,
  });
  if (!r.ok) throw new Error(`envelope rejected: ${r.reason}`);
  return { header: r.header as unknown as EventHeader, jpeg: r.jpeg };
}
