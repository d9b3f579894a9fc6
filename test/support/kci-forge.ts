// SPDX-License-Identifier: MIT
// The key-compromise impersonation of RFC 9180 §9.1.1, for tests: a mode_auth envelope "from the owner" made
// with only the RECIPIENT's (the seized device's) private key. AuthEncap needs DH(skS, pkR), the static half of
// the shared secret; by the symmetry of Diffie-Hellman that equals DH(skR, pkS), which the device key gives.
import { sealEnvelope } from "../../modules/envelope/seal-envelope.js";
import type { CryptoPort } from "../../modules/ports.js";

export interface ForgeOptions {
  crypto: CryptoPort;
  /** What the attacker holds: the device's X25519 secret (read from its flash). */
  devicePrivateKey: Uint8Array;
  devicePublicKey: Uint8Array;
  /** Public: the owner's X25519 key the device accepts commands from. */
  ownerPublicKey: Uint8Array;
  deviceId: string;
  topic: string;
  seq: number;
  header: object;
}

/**
 * A version 1 envelope that opens on the device as the owner's: the real sealer, run with a crypto port
 * that answers the one X25519 call with the owner's (unknown) secret by DH(skR, pkS) instead.
 */
export function forgeOwnerEnvelope(o: ForgeOptions): Uint8Array {
  const placeholder = o.crypto.randomBytes(32); // stands in for the owner's secret, which the attacker lacks
  const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);
  const forging: CryptoPort = {
    ...o.crypto,
    x25519(secret, publicKey) {
      if (same(secret, placeholder)) {
        if (!publicKey || !same(publicKey, o.devicePublicKey))
          throw new Error("forge: unexpected use of the owner key");
        return o.crypto.x25519(o.devicePrivateKey, o.ownerPublicKey); // DH(skR, pkS) = DH(skS, pkR)
      }
      return o.crypto.x25519(secret, publicKey);
    },
    randomBytes: (length) => o.crypto.randomBytes(length),
  };
  return sealEnvelope({
    crypto: forging,
    senderPrivateKey: placeholder,
    senderPublicKey: o.ownerPublicKey,
    recipientPublicKey: o.devicePublicKey,
    deviceId: o.deviceId,
    topic: o.topic,
    seq: o.seq,
    header: o.header,
  });
}
