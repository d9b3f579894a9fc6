// SPDX-License-Identifier: MIT
// Interop with an independent HPKE, hpke-js (@hpke/core with @hpke/dhkem-x25519 and
// @hpke/chacha20poly1305): our seal opens there, theirs opens here, in all four RFC 9180 §5 modes, and
// the sealer's envelope opens there when its KEM was made ahead of the seal.
import { describe, it } from "node:test";
import { deepEqual, equal, ok } from "node:assert/strict";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";
import { Aes128Gcm, CipherSuite, HkdfSha256 } from "@hpke/core";
import { DhkemX25519HkdfSha256 } from "@hpke/dhkem-x25519";
import { toHex, utf8 } from "../../modules/bytes.js";
import { envelopeAad, envelopeInfo } from "../../modules/envelope/binding.js";
import { OFFSET } from "../../modules/envelope/layout.js";
import { encodePlaintext } from "../../modules/envelope/plaintext.js";
import { chacha20Poly1305Aead, type Aead } from "../../modules/hpke/aead.js";
import { generateKeyPair } from "../../modules/hpke/dhkem-x25519.js";
import { open, seal } from "../../modules/hpke/single-shot.js";
import { createLogger } from "../../modules/logger.js";
import { createEventSealer } from "../../modules/sealer.js";
import { countingCrypto } from "../support/counting-crypto.js";
import { FakeClock } from "../support/fake-clock.js";
import { nodeAes128GcmAead } from "../support/hpke-aes-gcm.js";
import { testCrypto } from "../support/test-crypto.js";

const crypto = testCrypto();
const info = utf8("doorbell/1 interop");
const aad = utf8("doorbell/interop/sealed/event");
const plaintext = utf8("a ring at the front door");
const pskBytes = crypto.randomBytes(32);
const pskId = utf8("interop psk");

type ModeName = "base" | "psk" | "auth" | "auth_psk";
const MODES: ModeName[] = ["base", "psk", "auth", "auth_psk"];
const usesAuth = (m: ModeName) => m === "auth" || m === "auth_psk";
const usesPsk = (m: ModeName) => m === "psk" || m === "auth_psk";

const SUITES: { name: string; ours: Aead; theirs: () => Chacha20Poly1305 | Aes128Gcm }[] = [
  { name: "ChaCha20-Poly1305", ours: chacha20Poly1305Aead(crypto), theirs: () => new Chacha20Poly1305() },
  { name: "AES-128-GCM", ours: nodeAes128GcmAead(), theirs: () => new Aes128Gcm() },
];

function bytes(buffer: ArrayBuffer): Uint8Array {
  return new Uint8Array(buffer);
}

for (const s of SUITES) {
  const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: s.theirs() });
  const privateKey = (sk: Uint8Array) => suite.kem.importKey("raw", sk.slice().buffer, false);
  const publicKey = (pk: Uint8Array) => suite.kem.deserializePublicKey(pk.slice().buffer);

  describe(`hpke-js interop, X25519 / HKDF-SHA256 / ${s.name}`, () => {
    for (const mode of MODES) {
      it(`RFC 9180 §6.1 mode_${mode}: our seal opens with hpke-js`, async () => {
        const recipient = generateKeyPair(crypto);
        const sender = generateKeyPair(crypto);
        const psk = usesPsk(mode) ? { psk: pskBytes, pskId } : undefined;
        const sealed = seal({
          crypto,
          aead: s.ours,
          recipientPublicKey: recipient.publicKey,
          info,
          aad,
          plaintext,
          senderPrivateKey: usesAuth(mode) ? sender.privateKey : undefined,
          psk,
        });
        const opened = await suite.open(
          {
            recipientKey: await privateKey(recipient.privateKey),
            enc: sealed.enc,
            info,
            senderPublicKey: usesAuth(mode) ? await publicKey(sender.publicKey) : undefined,
            psk: psk ? { id: psk.pskId, key: psk.psk } : undefined,
          },
          sealed.ciphertext,
          aad,
        );
        deepEqual(bytes(opened), plaintext);
      });

      it(`RFC 9180 §6.1 mode_${mode}: hpke-js seal opens here, and not with another sender or aad`, async () => {
        const recipient = generateKeyPair(crypto);
        const sender = generateKeyPair(crypto);
        const psk = usesPsk(mode) ? { psk: pskBytes, pskId } : undefined;
        const theirs = await suite.seal(
          {
            recipientPublicKey: await publicKey(recipient.publicKey),
            info,
            senderKey: usesAuth(mode) ? await privateKey(sender.privateKey) : undefined,
            psk: psk ? { id: psk.pskId, key: psk.psk } : undefined,
          },
          plaintext,
          aad,
        );
        const options = {
          crypto,
          aead: s.ours,
          recipientPrivateKey: recipient.privateKey,
          psk,
          senderPublicKey: usesAuth(mode) ? sender.publicKey : undefined,
          enc: bytes(theirs.enc),
          info,
          aad,
          ciphertext: bytes(theirs.ct),
        };
        const opened = open(options);
        ok(opened);
        deepEqual(opened, plaintext);
        equal(open({ ...options, aad: utf8("another topic") }), undefined);
        if (usesAuth(mode)) equal(open({ ...options, senderPublicKey: generateKeyPair(crypto).publicKey }), undefined);
      });
    }
  });
}

describe("hpke-js interop: a ring sealed with the KEM made ahead (issue 17, modules/seal-ahead.ts)", () => {
  it("RFC 9180 §6.1 mode_auth: the sealer's envelope, with no X25519 at seal time, opens with hpke-js", async () => {
    const suite = new CipherSuite({
      kem: new DhkemX25519HkdfSha256(),
      kdf: new HkdfSha256(),
      aead: new Chacha20Poly1305(),
    });
    const owner = generateKeyPair(crypto);
    const device = generateKeyPair(crypto);
    const counting = countingCrypto(crypto);
    const clock = new FakeClock();
    const topic = "doorbell/frontdoor/sealed/event";
    const sealer = createEventSealer({
      crypto: counting,
      deviceKey: { secret: device.privateKey, publicKey: device.publicKey },
      config: { deviceId: "frontdoor", keys: { ownerPublic: toHex(owner.publicKey) } } as never,
      topic,
      log: createLogger({ write: () => undefined }, "seal"),
      timers: clock,
    });
    clock.advance(0);
    counting.reset();
    const header = { v: 1, type: "ring", id: "interop", seq: 7, device: "frontdoor", atMs: 1, frameAgeMs: 0 } as const;
    const envelope = sealer(header, undefined);
    ok(envelope);
    equal(counting.counts.x25519, 0);
    const opened = await suite.open(
      {
        recipientKey: await suite.kem.importKey("raw", owner.privateKey.slice().buffer, false),
        enc: envelope.slice(OFFSET.enc, OFFSET.ciphertext).buffer,
        info: envelopeInfo("frontdoor"),
        senderPublicKey: await suite.kem.deserializePublicKey(device.publicKey.slice().buffer),
      },
      envelope.slice(OFFSET.ciphertext).buffer,
      envelopeAad(envelope.subarray(0, OFFSET.enc), topic, "frontdoor"),
    );
    deepEqual(bytes(opened), encodePlaintext(header, undefined));
    sealer.close();
  });
});
