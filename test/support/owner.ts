// SPDX-License-Identifier: MIT
// The owner's side for tests: key pairs generated per run (never a fixed key), the config that names them,
// and an opener for events.
import { fromHex, toHex } from "../../modules/bytes.js";
import { openEnvelope } from "../../modules/envelope/open-envelope.js";
import type { EventHeader } from "../../modules/events.js";
import { testSigningKey, type TestSigningKey } from "./p256-sign.js";
import { testCrypto } from "./test-crypto.js";

export interface OwnerKeys {
  secret: Uint8Array;
  publicKey: Uint8Array;
  publicHex: string;
  /** The owner's P-256 command signing key. */
  signing: TestSigningKey;
  signingPublicHex: string;
  /** Signs a command message (what `sealCommand`'s `sign` takes). */
  sign(message: Uint8Array): Uint8Array;
  /** The device config's `keys` section naming both keys. */
  keysConfig: { ownerPublic: string; ownerSigningPublic: string };
}

export function testOwnerKeys(): OwnerKeys {
  const crypto = testCrypto();
  const secret = crypto.randomBytes(32);
  const publicKey = crypto.x25519(secret);
  const signing = testSigningKey(crypto);
  const publicHex = toHex(publicKey);
  const signingPublicHex = toHex(signing.publicKey);
  return {
    secret,
    publicKey,
    publicHex,
    signing,
    signingPublicHex,
    sign: (message) => signing.sign(message),
    keysConfig: { ownerPublic: publicHex, ownerSigningPublic: signingPublicHex },
  };
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
