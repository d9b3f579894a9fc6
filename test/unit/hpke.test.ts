// SPDX-License-Identifier: MIT
// HPKE (RFC 9180) over the crypto port: HKDF (RFC 5869), one embedded Appendix A vector, and the
// behaviour the sealing layer relies on. Runs under Node and inside XS (node:test and assert only).
import { describe, it } from "node:test";
import { deepEqual, equal, notEqual, ok, throws } from "node:assert/strict";
import { concat, fromHex, toHex, utf8 } from "../../modules/bytes.js";
import { chacha20Poly1305Aead } from "../../modules/hpke/aead.js";
import { computeNonce, createContext } from "../../modules/hpke/context.js";
import { deriveKeyPair, generateKeyPair, publicKeyOf, staticDh } from "../../modules/hpke/dhkem-x25519.js";
import { keySchedule, keyScheduleContext, MODE_AUTH, MODE_PSK } from "../../modules/hpke/key-schedule.js";
import { hkdfExpand, hkdfExtract } from "../../modules/hpke/labeled-kdf.js";
import { type OpenOptions, open, seal } from "../../modules/hpke/single-shot.js";
import { fixedRandomCrypto } from "../support/hpke-fixed-random.js";
import { testCrypto } from "../support/test-crypto.js";

const crypto = testCrypto();

// RFC 9180 A.2.3: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305, mode_auth (the product's suite and mode).
const A23 = {
  info: fromHex("4f6465206f6e2061204772656369616e2055726e"),
  ikmE: fromHex("938d3daa5a8904540bc24f48ae90eed3f4f7f11839560597b55e7c9598c996c0"),
  ikmR: fromHex("64835d5ee64aa7aad57c6f2e4f758f7696617f8829e70bc9ac7a5ef95d1c756c"),
  pkRm: fromHex("1a478716d63cb2e16786ee93004486dc151e988b34b475043d3e0175bdb01c44"),
  skRm: fromHex("3ca22a6d1cda1bb9480949ec5329d3bf0b080ca4c45879c95eddb55c70b80b82"),
  pkSm: fromHex("f0f4f9e96c54aeed3f323de8534fffd7e0577e4ce269896716bcb95643c8712b"),
  skSm: fromHex("2def0cb58ffcf83d1062dd085c8aceca7f4c0c3fd05912d847b61f3e54121f05"),
  enc: "f7674cc8cd7baa5872d1f33dbaffe3314239f6197ddf5ded1746760bfc847e0e",
  sharedSecret: fromHex("d2d67828c8bc9fa661cf15a31b3ebf1febe0cafef7abfaaca580aaf6d471e3eb"),
  key: "b071fd1136680600eb447a845a967d35e9db20749cdf9ce098bcc4deef4b1356",
  baseNonce: "d20577dff16d7cea2c4bf780",
  exporterSecret: "be2d93b82071318cdb88510037cf504344151f2f9b9da8ab48974d40a2251dd7",
  pt: fromHex("4265617574792069732074727574682c20747275746820626561757479"),
  aad0: fromHex("436f756e742d30"),
  ct0: "ab1a13c9d4f01a87ec3440dbd756e2677bd2ecf9df0ce7ed73869b98e00c09be111cb9fdf077347aeb88e61bdf",
  aad1: fromHex("436f756e742d31"),
  ct1: "3265c7807ffff7fdace21659a2c6ccffee52a26d270c76468ed74202a65478bfaedfff9c2b7634e24f10b71016",
  exportContext: utf8("TestContext"),
  exported: "1df39dc5dd60edcbf5f9ae804e15ada66e885b28ed7929116f768369a3f950ee",
};

describe("HKDF-SHA256 over the port (RFC 5869 §A.1, §A.3)", () => {
  const ikm = new Uint8Array(22).fill(0x0b);
  it("RFC 5869 A.1: extract and expand with salt and info", () => {
    const prk = hkdfExtract(crypto, fromHex("000102030405060708090a0b0c"), ikm);
    equal(toHex(prk), "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
    equal(
      toHex(hkdfExpand(crypto, prk, fromHex("f0f1f2f3f4f5f6f7f8f9"), 42)),
      "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
    );
  });
  it("RFC 5869 A.3: an empty salt means HashLen zero bytes", () => {
    const prk = hkdfExtract(crypto, new Uint8Array(0), ikm);
    equal(toHex(prk), "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04");
    equal(
      toHex(hkdfExpand(crypto, prk, new Uint8Array(0), 42)),
      "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
    );
  });
  it("RFC 5869 §2.3: refuses more than 255 * HashLen bytes", () => {
    throws(() => hkdfExpand(crypto, new Uint8Array(32), new Uint8Array(0), 255 * 32 + 1), RangeError);
    equal(hkdfExpand(crypto, new Uint8Array(32), new Uint8Array(0), 255 * 32).length, 255 * 32);
  });
});

describe("RFC 9180 A.2.3 (X25519, ChaCha20-Poly1305, mode_auth) inside any engine", () => {
  it("RFC 9180 §7.1.3 DeriveKeyPair(ikmR) gives skRm and pkRm", () => {
    deepEqual(deriveKeyPair(crypto, A23.ikmR), { privateKey: A23.skRm, publicKey: A23.pkRm });
  });
  it("RFC 9180 §5.1 key schedule from shared_secret gives key, base_nonce and exporter_secret", () => {
    const s = keySchedule(crypto, chacha20Poly1305Aead(crypto), MODE_AUTH, A23.sharedSecret, A23.info);
    equal(toHex(s.key), A23.key);
    equal(toHex(s.baseNonce), A23.baseNonce);
    equal(toHex(s.exporterSecret), A23.exporterSecret);
  });
  it("RFC 9180 §6.1 SealAuth with ikmE as the port's randomness gives enc and the seq 0 ct", () => {
    const sealed = seal({
      crypto: fixedRandomCrypto(crypto, A23.ikmE),
      recipientPublicKey: A23.pkRm,
      info: A23.info,
      aad: A23.aad0,
      plaintext: A23.pt,
      senderPrivateKey: A23.skSm,
    });
    equal(toHex(sealed.enc), A23.enc);
    equal(toHex(sealed.ciphertext), A23.ct0);
  });
  it("RFC 9180 §6.1 OpenAuth reads the vector's seq 0 ct", () => {
    const pt = open({
      crypto,
      recipientPrivateKey: A23.skRm,
      senderPublicKey: A23.pkSm,
      enc: fromHex(A23.enc),
      info: A23.info,
      aad: A23.aad0,
      ciphertext: fromHex(A23.ct0),
    });
    ok(pt);
    deepEqual(pt, A23.pt);
  });
  it("RFC 9180 §4.1 AuthDecap with DH(skR, pkS) kept from before reads the vector's ct with one X25519", () => {
    const kept = staticDh(crypto, { privateKey: A23.skRm, publicKey: A23.pkRm }, A23.pkSm);
    let x25519Calls = 0;
    const counting = { ...crypto, x25519: (s: Uint8Array, p?: Uint8Array) => (x25519Calls++, crypto.x25519(s, p)) };
    const options = {
      crypto: counting,
      recipientPrivateKey: A23.skRm,
      recipientPublicKey: A23.pkRm,
      senderPublicKey: A23.pkSm,
      enc: fromHex(A23.enc),
      info: A23.info,
      aad: A23.aad0,
      ciphertext: fromHex(A23.ct0),
    };
    deepEqual(open({ ...options, staticDh: kept }), A23.pt);
    equal(x25519Calls, 1, "only DH(skR, enc): the static half came from the cache");
    equal(
      toHex(kept),
      toHex(staticDh(crypto, { privateKey: A23.skSm, publicKey: A23.pkSm }, A23.pkRm)),
      "DH(skR, pkS) = DH(skS, pkR)",
    );
    equal(open({ ...options, staticDh: new Uint8Array(32).fill(7) }), undefined, "a wrong cached value does not open");
    x25519Calls = 0;
    deepEqual(open(options), A23.pt);
    equal(x25519Calls, 2, "without it, two X25519 per open");
  });
  it("RFC 9180 §5.1 key_schedule_context kept from before reads the vector's ct with two HMACs fewer", () => {
    const aead = chacha20Poly1305Aead(crypto);
    const kept = keyScheduleContext(crypto, aead, MODE_AUTH, A23.info, new Uint8Array(0));
    let hmacs = 0;
    const counting = { ...crypto, hmacSha256: (k: Uint8Array, d: Uint8Array) => (hmacs++, crypto.hmacSha256(k, d)) };
    const options = {
      crypto: counting,
      recipientPrivateKey: A23.skRm,
      recipientPublicKey: A23.pkRm,
      senderPublicKey: A23.pkSm,
      enc: fromHex(A23.enc),
      info: A23.info,
      aad: A23.aad0,
      ciphertext: fromHex(A23.ct0),
    };
    deepEqual(open(options), A23.pt);
    const without = hmacs;
    hmacs = 0;
    deepEqual(open({ ...options, keyScheduleContext: kept }), A23.pt);
    equal(hmacs, without - 2, "psk_id_hash and info_hash came from the kept context");
    const other = keyScheduleContext(crypto, aead, MODE_AUTH, utf8("another info"), new Uint8Array(0));
    equal(open({ ...options, keyScheduleContext: other }), undefined, "a context of another info does not open");
  });
  it("RFC 9180 §5.2 a context seals seq 1 with base_nonce XOR 1, and §5.3 exports", () => {
    const aead = chacha20Poly1305Aead(crypto);
    const context = createContext(crypto, aead, keySchedule(crypto, aead, MODE_AUTH, A23.sharedSecret, A23.info));
    context.seal(A23.aad0, A23.pt);
    equal(context.seq, 1);
    equal(toHex(context.seal(A23.aad1, A23.pt)), A23.ct1);
    equal(toHex(context.export(A23.exportContext, 32)), A23.exported);
  });
});

describe("RFC 9180 §5.2 nonces and sequence numbers", () => {
  it("ComputeNonce XORs the big-endian sequence number into the low bytes (A.1.1 nonces)", () => {
    const base = fromHex("56d890e5accaaf011cff4b7d");
    equal(toHex(computeNonce(base, 0)), "56d890e5accaaf011cff4b7d");
    equal(toHex(computeNonce(base, 1)), "56d890e5accaaf011cff4b7c");
    equal(toHex(computeNonce(base, 255)), "56d890e5accaaf011cff4b82");
    equal(toHex(computeNonce(base, 256)), "56d890e5accaaf011cff4a7d");
  });
  it("a failed open does not advance the recipient's sequence number", () => {
    const aead = chacha20Poly1305Aead(crypto);
    const schedule = keySchedule(crypto, aead, MODE_AUTH, A23.sharedSecret, A23.info);
    const context = createContext(crypto, aead, schedule);
    equal(context.open(A23.aad0, fromHex(A23.ct1)), undefined);
    equal(context.seq, 0);
    ok(context.open(A23.aad0, fromHex(A23.ct0)));
    equal(context.seq, 1);
  });
});

// The single-shot tests share one recipient, one sender and one message (RFC 9180 §6.1).
const recipient = generateKeyPair(crypto);
const sender = generateKeyPair(crypto);
const info = utf8("doorbell/1 unit");
const aad = utf8("aad");
const plaintext = utf8("ding dong");
const sealAuth = () =>
  seal({
    crypto,
    recipientPublicKey: recipient.publicKey,
    info,
    aad,
    plaintext,
    senderPrivateKey: sender.privateKey,
    senderPublicKey: sender.publicKey,
  });
/** OpenAuth as the recipient, from the sender, with this test's info and aad unless `overrides` says otherwise. */
const openAuthWith = (enc: Uint8Array, ciphertext: Uint8Array, overrides: Partial<OpenOptions> = {}) =>
  open({
    crypto,
    recipientPrivateKey: recipient.privateKey,
    senderPublicKey: sender.publicKey,
    enc,
    info,
    aad,
    ciphertext,
    ...overrides,
  });
const openAuth = (enc: Uint8Array, ciphertext: Uint8Array) => openAuthWith(enc, ciphertext);

describe("HPKE single-shot seal and open (RFC 9180 §6.1)", () => {
  it("RFC 7748 §6.1: the port's X25519 gives Alice's public key", () => {
    equal(
      toHex(publicKeyOf(crypto, fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"))),
      "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
    );
  });

  it("mode_base round trip", () => {
    const sealed = seal({ crypto, recipientPublicKey: recipient.publicKey, info, aad, plaintext });
    equal(sealed.ciphertext.length, plaintext.length + 16);
    deepEqual(
      open({
        crypto,
        recipientPrivateKey: recipient.privateKey,
        enc: sealed.enc,
        info,
        aad,
        ciphertext: sealed.ciphertext,
      }),
      plaintext,
    );
  });

  it("mode_auth round trip, with or without the public keys passed in", () => {
    const sealed = sealAuth();
    deepEqual(openAuth(sealed.enc, sealed.ciphertext), plaintext);
    const derived = seal({
      crypto,
      recipientPublicKey: recipient.publicKey,
      info,
      aad,
      plaintext,
      senderPrivateKey: sender.privateKey,
    });
    deepEqual(openAuthWith(derived.enc, derived.ciphertext, { recipientPublicKey: recipient.publicKey }), plaintext);
  });

  it("a fresh ephemeral per message: the same input seals to a different enc and ciphertext", () => {
    const a = sealAuth();
    const b = sealAuth();
    notEqual(toHex(a.enc), toHex(b.enc));
    notEqual(toHex(a.ciphertext), toHex(b.ciphertext));
  });
});

describe("HPKE single-shot: open refuses what was not sealed to it (RFC 9180 §5.1.3, §7.1.4)", () => {
  it("RFC 9180 §5.1.3 mode_auth refuses another sender key, base-mode opening, other info or aad", () => {
    const { enc, ciphertext } = sealAuth();
    const other = generateKeyPair(crypto);
    equal(openAuthWith(enc, ciphertext, { senderPublicKey: other.publicKey }), undefined);
    equal(open({ crypto, recipientPrivateKey: recipient.privateKey, enc, info, aad, ciphertext }), undefined);
    equal(openAuthWith(enc, ciphertext, { recipientPrivateKey: other.privateKey }), undefined);
    equal(openAuthWith(enc, ciphertext, { info: utf8("doorbell/1 other") }), undefined);
    equal(openAuthWith(enc, ciphertext, { aad: utf8("aae") }), undefined);
  });

  it("a flipped bit anywhere in enc or ciphertext fails to open", () => {
    const { enc, ciphertext } = sealAuth();
    const message = concat(enc, ciphertext);
    for (let i = 0; i < message.length; i++) {
      const bad = message.slice();
      bad[i] ^= 1 << (i % 8);
      equal(openAuth(bad.subarray(0, 32), bad.subarray(32)), undefined, `flip in byte ${i}`);
    }
  });

  it("malformed received bytes give undefined, never an exception", () => {
    const { enc, ciphertext } = sealAuth();
    equal(openAuth(enc.subarray(0, 31), ciphertext), undefined);
    equal(openAuth(enc, ciphertext.subarray(0, 15)), undefined);
    equal(openAuth(enc, new Uint8Array(0)), undefined);
    // RFC 9180 §7.1.4: the all-zero point is low-order, so X25519 yields zero and the KEM aborts.
    equal(openAuth(new Uint8Array(32), ciphertext), undefined);
  });
});

describe("HPKE single-shot: bad keys and PSKs throw (RFC 9180 §5.1, §7.1.4)", () => {
  it("RFC 9180 §7.1.4 seal to a low-order recipient key throws", () => {
    throws(() => seal({ crypto, recipientPublicKey: new Uint8Array(32), info, aad, plaintext }));
  });

  it("malformed own keys throw a RangeError that names the length, not the key", () => {
    throws(
      () => seal({ crypto, recipientPublicKey: new Uint8Array(31), info, aad, plaintext }),
      /recipient public key must be 32 bytes, got 31/,
    );
    throws(
      () =>
        open({
          crypto,
          recipientPrivateKey: new Uint8Array(33),
          enc: new Uint8Array(32),
          info,
          aad,
          ciphertext: new Uint8Array(16),
        }),
      RangeError,
    );
    throws(
      () => openAuthWith(new Uint8Array(32), new Uint8Array(16), { senderPublicKey: new Uint8Array(5) }),
      /sender public key must be 32 bytes/,
    );
  });

  it("RFC 9180 §5.1 PSK checks: mode_psk round trip; empty id or a PSK under 32 bytes throws", () => {
    const psk = { psk: crypto.randomBytes(32), pskId: utf8("id") };
    const sealed = seal({ crypto, recipientPublicKey: recipient.publicKey, info, aad, plaintext, psk });
    const openPsk = (given: OpenOptions["psk"]) =>
      open({
        crypto,
        recipientPrivateKey: recipient.privateKey,
        psk: given,
        enc: sealed.enc,
        info,
        aad,
        ciphertext: sealed.ciphertext,
      });
    deepEqual(openPsk(psk), plaintext);
    equal(openPsk({ ...psk, pskId: utf8("other") }), undefined);
    const sealPsk = (given: OpenOptions["psk"]) =>
      seal({ crypto, recipientPublicKey: recipient.publicKey, info, aad, plaintext, psk: given });
    throws(() => sealPsk({ psk: psk.psk, pskId: new Uint8Array(0) }), /non-empty/);
    throws(() => sealPsk({ psk: new Uint8Array(16), pskId: psk.pskId }), /at least 32 bytes/);
    throws(() => keySchedule(crypto, chacha20Poly1305Aead(crypto), MODE_PSK, A23.sharedSecret, info), /needs a PSK/);
    throws(
      () => keySchedule(crypto, chacha20Poly1305Aead(crypto), MODE_AUTH, A23.sharedSecret, info, psk),
      /takes none/,
    );
  });
});
