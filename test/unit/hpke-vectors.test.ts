// SPDX-License-Identifier: MIT
// RFC 9180 Appendix A vectors for DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 with AES-128-GCM and
// ChaCha20-Poly1305, all four modes: key derivation, KEM, key schedule, every encryption and export.
import { describe, it } from "node:test";
import { deepEqual, equal, ok } from "node:assert/strict";
import { toHex } from "../../modules/bytes.js";
import { AEAD_AES_128_GCM, AEAD_CHACHA20_POLY1305, chacha20Poly1305Aead, type Aead } from "../../modules/hpke/aead.js";
import { computeNonce } from "../../modules/hpke/context.js";
import {
  decap,
  deriveKeyPair,
  encap,
  KEM_DHKEM_X25519_HKDF_SHA256,
  staticDh,
} from "../../modules/hpke/dhkem-x25519.js";
import { KDF_HKDF_SHA256, keySchedule, keyScheduleContext, type Mode } from "../../modules/hpke/key-schedule.js";
import { setupRecipient, setupSender } from "../../modules/hpke/setup.js";
import { open, seal } from "../../modules/hpke/single-shot.js";
import { countingCrypto } from "../support/counting-crypto.js";
import { nodeAes128GcmAead } from "../support/hpke-aes-gcm.js";
import { fixedRandomCrypto } from "../support/hpke-fixed-random.js";
import { hpkeVectorText } from "../support/hpke-vector-text.js";
import { type HpkeEncryptionVector, parseHpkeVectors, type HpkeVector } from "../support/hpke-vectors.js";
import { testCrypto } from "../support/test-crypto.js";

const vectors = parseHpkeVectors(hpkeVectorText());
const crypto = testCrypto();
const MODE_NAMES = ["base", "psk", "auth", "auth_psk"];

function aeadFor(vector: HpkeVector): Aead {
  return vector.aeadId === AEAD_AES_128_GCM ? nodeAes128GcmAead() : chacha20Poly1305Aead(crypto);
}

function hex(bytes: Uint8Array): string {
  return toHex(bytes);
}

function pskOf(vector: HpkeVector) {
  return vector.psk && vector.pskId ? { psk: vector.psk, pskId: vector.pskId } : undefined;
}

function senderOf(vector: HpkeVector) {
  return vector.skSm && vector.pkSm ? { privateKey: vector.skSm, publicKey: vector.pkSm } : undefined;
}

/** One vector's AEAD and the parts of it the setups take. */
interface Setup {
  v: HpkeVector;
  aead: Aead;
  mode: Mode;
  psk: ReturnType<typeof pskOf>;
  sender: ReturnType<typeof senderOf>;
  recipient: { privateKey: Uint8Array; publicKey: Uint8Array };
}

function setupOf(v: HpkeVector): Setup {
  return {
    v,
    aead: aeadFor(v),
    mode: v.mode as Mode,
    psk: pskOf(v),
    sender: senderOf(v),
    recipient: { privateKey: v.skRm, publicKey: v.pkRm },
  };
}

function nameOf(v: HpkeVector): string {
  return `${v.aeadId === AEAD_CHACHA20_POLY1305 ? "ChaCha20-Poly1305" : "AES-128-GCM"} mode_${MODE_NAMES[v.mode]}`;
}

/** DeriveKeyPair, Encap/Decap and the key schedule. */
function keyTests({ v, aead, mode, psk, sender, recipient }: Setup): void {
  it("RFC 9180 §7.1.3 DeriveKeyPair gives skEm/pkEm, skRm/pkRm and skSm/pkSm", () => {
    deepEqual(deriveKeyPair(crypto, v.ikmE), { privateKey: v.skEm, publicKey: v.pkEm });
    deepEqual(deriveKeyPair(crypto, v.ikmR), recipient);
    if (v.ikmS) deepEqual(deriveKeyPair(crypto, v.ikmS), sender);
  });

  it("RFC 9180 §4.1 Encap/AuthEncap with ikmE gives enc and shared_secret; Decap agrees", () => {
    const got = encap(fixedRandomCrypto(crypto, v.ikmE), v.pkRm, sender);
    equal(hex(got.enc), hex(v.enc));
    equal(hex(got.sharedSecret), hex(v.sharedSecret));
    equal(hex(decap(crypto, v.enc, recipient, v.pkSm)), hex(v.sharedSecret));
  });

  if (sender) {
    it("RFC 9180 §4.1 AuthEncap with a cached DH(skS, pkR) gives the same shared_secret in one X25519 less", () => {
      const counting = countingCrypto(fixedRandomCrypto(crypto, v.ikmE));
      const got = encap(counting, v.pkRm, sender, staticDh(crypto, sender, v.pkRm));
      equal(counting.counts.x25519, 2, "the ephemeral key and DH(skE, pkR)");
      equal(hex(got.enc), hex(v.enc));
      equal(hex(got.sharedSecret), hex(v.sharedSecret));
    });
  }

  it("RFC 9180 §5.1 key schedule gives key_schedule_context, key, base_nonce, exporter_secret", () => {
    equal(hex(keyScheduleContext(crypto, aead, mode, v.info, v.pskId ?? new Uint8Array(0))), hex(v.keyScheduleContext));
    const schedule = keySchedule(crypto, aead, mode, v.sharedSecret, v.info, psk);
    equal(hex(schedule.key), hex(v.key));
    equal(hex(schedule.baseNonce), hex(v.baseNonce));
    equal(hex(schedule.exporterSecret), hex(v.exporterSecret));
  });
}

/** The sender's and the recipient's contexts: every listed encryption, and every export. */
function contextTests({ v, aead, psk, sender, recipient }: Setup): void {
  it("RFC 9180 §5.2 sender context seals every listed sequence number, with its nonce", () => {
    const { enc, context } = setupSender({
      crypto: fixedRandomCrypto(crypto, v.ikmE),
      aead,
      recipientPublicKey: v.pkRm,
      info: v.info,
      sender,
      psk,
    });
    equal(hex(enc), hex(v.enc));
    const last = v.encryptions[v.encryptions.length - 1].seq;
    const bySeq = new Map(v.encryptions.map((e) => [e.seq, e]));
    for (let seq = 0; seq <= last; seq++) {
      const e = bySeq.get(seq);
      equal(context.seq, seq);
      if (!e) {
        context.seal(new Uint8Array(0), new Uint8Array(0)); // advances the sequence number
        continue;
      }
      equal(hex(computeNonce(v.baseNonce, seq)), hex(e.nonce), `nonce at seq ${seq}`);
      equal(hex(context.seal(e.aad, e.pt)), hex(e.ct), `ct at seq ${seq}`);
    }
  });

  const recipientContext = () =>
    setupRecipient({ crypto, aead, enc: v.enc, recipient, info: v.info, senderPublicKey: v.pkSm, psk });

  it("RFC 9180 §5.2 recipient context opens each listed ciphertext at its sequence number", () => {
    const context = recipientContext();
    const bySeq = new Map(v.encryptions.map((e) => [e.seq, e]));
    const last = v.encryptions[v.encryptions.length - 1].seq;
    const empty = new Uint8Array(0);
    for (let seq = 0; seq <= last; seq++) {
      const e = bySeq.get(seq);
      if (!e) {
        // An unlisted number: open the empty message the vector's key sealed with it, to advance.
        ok(context.open(empty, aead.seal(v.key, computeNonce(v.baseNonce, seq), empty, empty)));
        continue;
      }
      const pt = context.open(e.aad, e.ct);
      ok(pt, `opens at seq ${seq}`);
      equal(hex(pt), hex(e.pt));
    }
  });

  it("RFC 9180 §5.3 Export gives every exported_value", () => {
    const context = recipientContext();
    for (const x of v.exports) equal(hex(context.export(x.exporterContext, x.length)), hex(x.value));
  });
}

/** Single-shot seal and open. */
function singleShotTests({ v, aead, psk, sender }: Setup): void {
  const openAt = (e: HpkeEncryptionVector) =>
    open({
      crypto,
      aead,
      recipientPrivateKey: v.skRm,
      senderPublicKey: v.pkSm,
      psk,
      enc: v.enc,
      info: v.info,
      aad: e.aad,
      ciphertext: e.ct,
    });

  it("RFC 9180 §6.1 single-shot seal with ikmE equals the seq 0 ciphertext, and open reads it", () => {
    const first = v.encryptions[0];
    equal(first.seq, 0);
    const sealed = seal({
      crypto: fixedRandomCrypto(crypto, v.ikmE),
      aead,
      recipientPublicKey: v.pkRm,
      info: v.info,
      aad: first.aad,
      plaintext: first.pt,
      senderPrivateKey: v.skSm,
      psk,
    });
    equal(hex(sealed.enc), hex(v.enc));
    equal(hex(sealed.ciphertext), hex(first.ct));
    const pt = openAt(first);
    ok(pt);
    equal(hex(pt), hex(first.pt));
  });

  it("RFC 9180 §6.1 single-shot seal with the KEM made ahead from ikmE gives the seq 0 ciphertext, no X25519 then", () => {
    const first = v.encryptions[0];
    const cachedStaticDh = sender ? staticDh(crypto, sender, v.pkRm) : undefined;
    const ahead = encap(fixedRandomCrypto(crypto, v.ikmE), v.pkRm, sender, cachedStaticDh);
    const counting = countingCrypto(crypto);
    const sealed = seal({
      crypto: counting,
      aead,
      recipientPublicKey: v.pkRm,
      info: v.info,
      aad: first.aad,
      plaintext: first.pt,
      senderPrivateKey: v.skSm,
      senderPublicKey: v.pkSm,
      psk,
      encapsulate: () => ahead,
    });
    equal(counting.counts.x25519, 0);
    equal(counting.counts.randomBytes, 0);
    equal(hex(sealed.enc), hex(v.enc));
    equal(hex(sealed.ciphertext), hex(first.ct));
    ok(
      ahead.sharedSecret.every((b) => b === 0),
      "the shared secret is zero-filled after use",
    );
    if (cachedStaticDh)
      ok(
        cachedStaticDh.some((b) => b !== 0),
        "a cached DH(skS, pkR) is the caller's to keep",
      );
  });

  it("RFC 9180 §6.1 single-shot open refuses the seq 1 ciphertext (it needs nonce 1)", () => {
    const second = v.encryptions[1];
    equal(second.seq, 1);
    equal(openAt(second), undefined);
  });
}

describe("RFC 9180 Appendix A vectors (X25519, HKDF-SHA256)", () => {
  it("holds the eight X25519 setups: both AEADs in all four modes", () => {
    equal(vectors.length, 8);
    for (const v of vectors) {
      equal(v.kemId, KEM_DHKEM_X25519_HKDF_SHA256);
      equal(v.kdfId, KDF_HKDF_SHA256);
      ok(v.encryptions.length >= 6 && v.exports.length === 3);
    }
    deepEqual(
      vectors.map((v) => `${v.aeadId}/${v.mode}`),
      ["1/0", "1/1", "1/2", "1/3", "3/0", "3/1", "3/2", "3/3"],
    );
  });

  for (const v of vectors) {
    const setup = setupOf(v);
    describe(nameOf(v), () => {
      keyTests(setup);
      contextTests(setup);
      singleShotTests(setup);
    });
  }
});
