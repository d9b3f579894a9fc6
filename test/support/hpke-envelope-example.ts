// SPDX-License-Identifier: MIT
// The worked example of docs/protocol.md: fixed keys (RFC 7748 §6.1 Alice and Bob) and a fixed
// ephemeral, so the envelope is reproducible. Test-only: a fixed ephemeral must never ship.
import { fromHex } from "../../modules/bytes.js";
import { envelopeAad, envelopeInfo } from "../../modules/envelope/binding.js";
import { OFFSET } from "../../modules/envelope/layout.js";
import { encodePlaintext } from "../../modules/envelope/plaintext.js";
import { sealEnvelope } from "../../modules/envelope/seal-envelope.js";
import type { CryptoPort } from "../../modules/ports.js";
import { fixedRandomCrypto } from "./hpke-fixed-random.js";

export const EXAMPLE = {
  /** RFC 7748 §6.1 Alice: the device. */
  devicePrivateKey: fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"),
  devicePublicKey: fromHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"),
  /** RFC 7748 §6.1 Bob: the owner. */
  ownerPrivateKey: fromHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"),
  ownerPublicKey: fromHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"),
  /** The 32 random bytes the ephemeral is derived from (RFC 9180 §7.1.3): 00 01 .. 1f. */
  ikmE: Uint8Array.from({ length: 32 }, (_, i) => i),
  deviceId: "frontdoor",
  topic: "doorbell/frontdoor/sealed/event",
  seq: 42,
  header: { v: 1, type: "ring", id: "5eed5eed5eed5eed", seq: 42, device: "frontdoor", atMs: 1767225600000 },
  /** A 4-byte stand-in for a JPEG: start and end of image only. */
  jpeg: Uint8Array.of(0xff, 0xd8, 0xff, 0xd9),
};

/** The example's envelope and the intermediate values docs/protocol.md shows. */
export function buildExample(crypto: CryptoPort): {
  envelope: Uint8Array;
  info: Uint8Array;
  aad: Uint8Array;
  plaintext: Uint8Array;
} {
  const envelope = sealEnvelope({
    crypto: fixedRandomCrypto(crypto, EXAMPLE.ikmE),
    senderPrivateKey: EXAMPLE.devicePrivateKey,
    recipientPublicKey: EXAMPLE.ownerPublicKey,
    deviceId: EXAMPLE.deviceId,
    topic: EXAMPLE.topic,
    seq: EXAMPLE.seq,
    header: EXAMPLE.header,
    jpeg: EXAMPLE.jpeg,
  });
  return {
    envelope,
    info: envelopeInfo(EXAMPLE.deviceId),
    aad: envelopeAad(envelope.subarray(0, OFFSET.enc), EXAMPLE.topic, EXAMPLE.deviceId),
    plaintext: encodePlaintext(EXAMPLE.header, EXAMPLE.jpeg),
  };
}
