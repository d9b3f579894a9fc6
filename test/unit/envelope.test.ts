// SPDX-License-Identifier: MIT
// The version 1 sealed envelope (docs/protocol.md): round trips, the layout, and one distinct reason
// for each way an envelope is refused. Runs under Node and inside XS (node:test and assert only).
import { describe, it } from "node:test";
import { deepEqual, equal, notEqual, ok, throws } from "node:assert/strict";
import { concat, readUintBE, toHex, utf8 } from "../../modules/bytes.js";
import { envelopeAad, envelopeInfo, senderKeyId, topicTag } from "../../modules/envelope/binding.js";
import {
  HEADER_BYTES,
  MAX_ENVELOPE_BYTES,
  MIN_ENVELOPE_BYTES,
  OFFSET,
  writeBoundHeader,
} from "../../modules/envelope/layout.js";
import {
  openConstants,
  openEnvelope,
  type OpenEnvelopeOptions,
  type OpenEnvelopeResult,
} from "../../modules/envelope/open-envelope.js";
import { REJECT_REASONS, REJECT_REASON_TEXT, type RejectReason } from "../../modules/envelope/reasons.js";
import { sealEnvelope, type SealEnvelopeOptions } from "../../modules/envelope/seal-envelope.js";
import { generateKeyPair } from "../../modules/hpke/dhkem-x25519.js";
import { i2osp } from "../../modules/hpke/i2osp.js";
import { seal } from "../../modules/hpke/single-shot.js";
import { testCrypto } from "../support/test-crypto.js";

const crypto = testCrypto();
const device = generateKeyPair(crypto);
const owner = generateKeyPair(crypto);
const stranger = generateKeyPair(crypto);
const deviceId = "frontdoor";
const topic = "doorbell/frontdoor/sealed/event";
const SEQ = 1000;
const header = { v: 1, type: "ring", id: "00112233445566aa", seq: SEQ, device: deviceId, atMs: 1_700_000_000_000 };
const jpeg = concat(
  Uint8Array.of(0xff, 0xd8, 0xff, 0xe0),
  new Uint8Array(180).map((_, i) => (i * 37) & 0xff),
  Uint8Array.of(0xff, 0xd9),
);

function sealSample(extra: Partial<SealEnvelopeOptions> = {}): Uint8Array {
  return sealEnvelope({
    crypto,
    senderPrivateKey: device.privateKey,
    recipientPublicKey: owner.publicKey,
    deviceId,
    topic,
    seq: SEQ,
    header,
    jpeg,
    ...extra,
  });
}

function openSample(bytes: Uint8Array, extra: Partial<OpenEnvelopeOptions> = {}): OpenEnvelopeResult {
  return openEnvelope({
    crypto,
    recipientPrivateKey: owner.privateKey,
    senderPublicKey: device.publicKey,
    deviceId,
    topic,
    lastAcceptedSeq: SEQ - 1,
    bytes,
    ...extra,
  });
}

function reasonOf(result: OpenEnvelopeResult): RejectReason | "ok" {
  return result.ok ? "ok" : result.reason;
}

/** An envelope with any plaintext, assembled from the documented parts (for bad-plaintext cases). */
function sealRawPlaintext(plaintext: Uint8Array): Uint8Array {
  const bound = writeBoundHeader({
    seq: SEQ,
    senderKeyId: senderKeyId(crypto, device.publicKey),
    topicTag: topicTag(crypto, topic),
    ciphertextLength: plaintext.length + 16,
  });
  const { enc, ciphertext } = seal({
    crypto,
    recipientPublicKey: owner.publicKey,
    senderPrivateKey: device.privateKey,
    info: envelopeInfo(deviceId),
    aad: envelopeAad(bound, topic, deviceId),
    plaintext,
  });
  return concat(bound, enc, ciphertext);
}

const sample = sealSample();

describe("envelope round trip (HPKE mode_auth, RFC 9180 §6.1)", () => {
  it("opens an event with its JPEG and returns the clear sequence number", () => {
    const result = openSample(sample);
    ok(result.ok);
    equal(result.seq, SEQ);
    deepEqual(result.header, header);
    deepEqual(result.jpeg, jpeg);
  });

  it("opens a header-only envelope (no JPEG), with no lastAcceptedSeq yet", () => {
    const result = openSample(sealSample({ jpeg: undefined, seq: 0 }), { lastAcceptedSeq: undefined });
    ok(result.ok);
    equal(result.seq, 0);
    equal(result.jpeg, undefined);
    deepEqual(result.header, header);
  });

  it("the layout: version 1, total length, seq BE, key id, topic tag, enc, ciphertext + 16-byte tag", () => {
    const json = utf8(JSON.stringify(header));
    equal(sample.length, HEADER_BYTES + 4 + json.length + jpeg.length + 16);
    equal(sample[OFFSET.version], 0x01);
    equal(readUintBE(sample, OFFSET.totalLength, 4), sample.length);
    equal(readUintBE(sample, OFFSET.seq, 8), SEQ);
    equal(
      toHex(sample.subarray(OFFSET.senderKeyId, OFFSET.topicTag)),
      toHex(crypto.hmacSha256(utf8("doorbell/1 key id"), device.publicKey).subarray(0, 8)),
    );
    equal(
      toHex(sample.subarray(OFFSET.topicTag, OFFSET.enc)),
      toHex(crypto.hmacSha256(utf8("doorbell/1 topic"), utf8(topic)).subarray(0, 8)),
    );
    equal(OFFSET.ciphertext - OFFSET.enc, 32);
  });

  it("the info string is the ASCII 'doorbell/1 ' + device id; the AAD is header[0..29) + u16 topic + u16 device id", () => {
    equal(toHex(envelopeInfo("frontdoor")), toHex(utf8("doorbell/1 frontdoor")));
    const bound = sample.subarray(0, OFFSET.enc);
    const expected = concat(
      bound,
      Uint8Array.of(0, topic.length),
      utf8(topic),
      Uint8Array.of(0, deviceId.length),
      utf8(deviceId),
    );
    equal(toHex(envelopeAad(bound, topic, deviceId)), toHex(expected));
  });

  it("a fresh ephemeral per message: sealing the same event twice gives a different enc", () => {
    const again = sealSample();
    notEqual(
      toHex(again.subarray(OFFSET.enc, OFFSET.ciphertext)),
      toHex(sample.subarray(OFFSET.enc, OFFSET.ciphertext)),
    );
  });

  it("the sender cannot open what it sealed (only the recipient's key opens it)", () => {
    equal(reasonOf(openSample(sample, { recipientPrivateKey: device.privateKey })), "auth-failed");
  });

  it("the same envelope works for commands: owner to device on the cmd topic", () => {
    const cmdTopic = "doorbell/frontdoor/sealed/cmd";
    const command = { v: 1, type: "snapshot" };
    const bytes = sealEnvelope({
      crypto,
      senderPrivateKey: owner.privateKey,
      recipientPublicKey: device.publicKey,
      deviceId,
      topic: cmdTopic,
      seq: 7,
      header: command,
    });
    const result = openEnvelope({
      crypto,
      recipientPrivateKey: device.privateKey,
      senderPublicKey: owner.publicKey,
      deviceId,
      topic: cmdTopic,
      lastAcceptedSeq: 6,
      bytes,
    });
    ok(result.ok);
    deepEqual(result.header, command);
  });
});

describe("a recipient of many envelopes keeps the public per-sender constants (openConstants)", () => {
  it("opens the same with the sender's kept constants (four HMACs fewer), and ignores constants made for others", () => {
    const bytes = sealSample();
    let hmacs = 0;
    const counting = { ...crypto, hmacSha256: (k: Uint8Array, d: Uint8Array) => (hmacs++, crypto.hmacSha256(k, d)) };
    const plain = openSample(bytes, { crypto: counting });
    const without = hmacs;
    const kept = openConstants(crypto, deviceId, topic, device.publicKey);
    hmacs = 0;
    const cached = openSample(bytes, { crypto: counting, constants: kept });
    equal(hmacs, without - 4, "topic tag, key id, psk_id_hash and info_hash came from the constants");
    ok(plain.ok && cached.ok);
    deepEqual(cached, plain);
    const otherTopic = openConstants(crypto, deviceId, "doorbell/frontdoor/sealed/other", device.publicKey);
    const otherSender = openConstants(crypto, deviceId, topic, stranger.publicKey);
    const otherDevice = openConstants(crypto, "backdoor", topic, device.publicKey);
    for (const constants of [otherTopic, otherSender, otherDevice]) deepEqual(openSample(bytes, { constants }), plain);
    equal(reasonOf(openSample(bytes, { topic: "doorbell/frontdoor/sealed/other", constants: kept })), "wrong-topic");
    equal(reasonOf(openSample(bytes, { senderPublicKey: stranger.publicKey, constants: kept })), "wrong-sender");
  });
});

/** `bytes` with `patch` written at `offset`. */
function patched(bytes: Uint8Array, offset: number, patch: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  copy.set(patch, offset);
  return copy;
}

const CMD_TOPIC = "doorbell/frontdoor/sealed/cmd";
const tooLarge = new Uint8Array(MAX_ENVELOPE_BYTES + 1);
tooLarge[0] = 0x01;

/** One representative case per reason code, in check order (docs/protocol.md, "Rejections"). */
const CASES: { reason: RejectReason; what: string; run: () => OpenEnvelopeResult }[] = [
  { reason: "truncated", what: "cut one byte short", run: () => openSample(sample.subarray(0, sample.length - 1)) },
  {
    reason: "bad-version",
    what: "version byte 0x02",
    run: () => openSample(patched(sample, OFFSET.version, Uint8Array.of(0x02))),
  },
  { reason: "too-large", what: "one byte over MAX_ENVELOPE_BYTES", run: () => openSample(tooLarge) },
  { reason: "trailing-data", what: "one byte appended", run: () => openSample(concat(sample, Uint8Array.of(0))) },
  {
    reason: "bad-seq",
    what: "seq 2^53",
    run: () => openSample(patched(sample, OFFSET.seq, Uint8Array.of(0x00, 0x20, 0, 0, 0, 0, 0, 0))),
  },
  {
    reason: "wrong-topic",
    what: "an event opened on the cmd topic",
    run: () => openSample(sample, { topic: CMD_TOPIC }),
  },
  {
    reason: "wrong-sender",
    what: "another sender key expected",
    run: () => openSample(sample, { senderPublicKey: stranger.publicKey }),
  },
  { reason: "replayed", what: "the same seq again", run: () => openSample(sample, { lastAcceptedSeq: SEQ }) },
  { reason: "replayed", what: "an older seq", run: () => openSample(sample, { lastAcceptedSeq: SEQ + 5 }) },
  {
    reason: "auth-failed",
    what: "the last tag byte flipped",
    run: () => openSample(patched(sample, sample.length - 1, Uint8Array.of(sample[sample.length - 1] ^ 0x80))),
  },
  { reason: "auth-failed", what: "another device id", run: () => openSample(sample, { deviceId: "backdoor" }) },
  {
    reason: "auth-failed",
    what: "another recipient key",
    run: () => openSample(sample, { recipientPrivateKey: stranger.privateKey }),
  },
  {
    reason: "auth-failed",
    what: "a low-order (all-zero) enc, RFC 9180 §7.1.4",
    run: () => openSample(patched(sample, OFFSET.enc, new Uint8Array(32))),
  },
  {
    reason: "auth-failed",
    what: "the topic tag rewritten to the topic it is opened on",
    run: () => openSample(patched(sample, OFFSET.topicTag, topicTag(crypto, CMD_TOPIC)), { topic: CMD_TOPIC }),
  },
  {
    reason: "auth-failed",
    what: "a stranger's envelope carrying the device's key id",
    run: () =>
      openSample(
        patched(
          sealSample({ senderPrivateKey: stranger.privateKey }),
          OFFSET.senderKeyId,
          senderKeyId(crypto, device.publicKey),
        ),
      ),
  },
  {
    reason: "bad-plaintext",
    what: "an authentic JSON array header",
    run: () => openSample(sealRawPlaintext(concat(i2osp(2, 4), utf8("[]")))),
  },
];

describe("envelope rejections: one distinct reason per failed check", () => {
  for (const c of CASES) {
    it(`${c.reason}: ${c.what}`, () => {
      const result = c.run();
      equal(reasonOf(result), c.reason);
    });
  }

  it("every reason code has a case above and a log text", () => {
    deepEqual([...new Set(CASES.map((c) => c.reason))], [...REJECT_REASONS]);
    for (const reason of REJECT_REASONS) ok(REJECT_REASON_TEXT[reason].length > 0);
  });

  it("a flipped bit in every byte is refused, with the reason for the field it lands in", () => {
    const last = SEQ - 1;
    for (let i = 0; i < sample.length; i++) {
      const bad = sample.slice();
      bad[i] ^= 1 << (i % 8);
      let expected: RejectReason;
      if (i === OFFSET.version) expected = "bad-version";
      else if (i < OFFSET.seq)
        expected = readUintBE(bad, OFFSET.totalLength, 4) > bad.length ? "truncated" : "trailing-data";
      else if (i < OFFSET.senderKeyId) {
        const seq = readUintBE(bad, OFFSET.seq, 8);
        expected = !Number.isSafeInteger(seq) ? "bad-seq" : seq <= last ? "replayed" : "auth-failed";
      } else if (i < OFFSET.topicTag) expected = "wrong-sender";
      else if (i < OFFSET.enc) expected = "wrong-topic";
      else expected = "auth-failed";
      equal(reasonOf(openSample(bad)), expected, `bit ${i % 8} of byte ${i}`);
    }
  });

  it("truncation at every length is 'truncated'", () => {
    for (let length = 0; length < sample.length; length++)
      equal(reasonOf(openSample(sample.slice(0, length))), "truncated", `length ${length}`);
  });

  it("any version byte but 0x01 is 'bad-version'", () => {
    for (const version of [0x00, 0x02, 0xff])
      equal(reasonOf(openSample(patched(sample, 0, Uint8Array.of(version)))), "bad-version");
  });

  it("MAX_ENVELOPE_BYTES exactly seals and opens; sealEnvelope refuses one byte more", () => {
    const json = utf8(JSON.stringify(header));
    const room = MAX_ENVELOPE_BYTES - HEADER_BYTES - 16 - 4 - json.length;
    const fits = new Uint8Array(room).fill(0x55);
    fits.set([0xff, 0xd8]);
    const exact = sealSample({ jpeg: fits });
    equal(exact.length, MAX_ENVELOPE_BYTES);
    ok(openSample(exact).ok);
    const over = new Uint8Array(room + 1);
    over.set(fits);
    throws(() => sealSample({ jpeg: over }), /exceed MAX_ENVELOPE_BYTES \(98304\)/);
  });

  it("a rejection after the structural checks reports the clear seq, for the log", () => {
    const result = openSample(sample, { lastAcceptedSeq: SEQ });
    ok(!result.ok);
    equal(result.seq, SEQ);
  });

  it("every malformed authentic plaintext is 'bad-plaintext'", () => {
    const json = utf8('{"v":1}');
    const cases: [string, Uint8Array][] = [
      ["shorter than the length prefix", Uint8Array.of(0, 0)],
      ["length prefix past the end", concat(i2osp(json.length + 1, 4), json)],
      ["not JSON", concat(i2osp(3, 4), utf8("{v:"))],
      ["a JSON array", concat(i2osp(2, 4), utf8("[]"))],
      ["JSON null", concat(i2osp(4, 4), utf8("null"))],
      ["invalid UTF-8", concat(i2osp(4, 4), Uint8Array.of(0x22, 0xc3, 0x28, 0x22))],
      ["trailing bytes that are not a JPEG", concat(i2osp(json.length, 4), json, Uint8Array.of(0x89, 0x50))],
    ];
    for (const [what, plaintext] of cases)
      equal(reasonOf(openSample(sealRawPlaintext(plaintext))), "bad-plaintext", what);
    ok(
      openSample(sealRawPlaintext(concat(i2osp(json.length, 4), json))).ok,
      "the hand-built envelope itself is well formed",
    );
  });
});

describe("sealEnvelope input checks", () => {
  it("refuses a bad device id, topic, seq, header or JPEG, naming the field", () => {
    throws(() => sealSample({ deviceId: "front/door" }), /deviceId/);
    throws(() => sealSample({ deviceId: "" }), /deviceId/);
    throws(() => sealSample({ topic: "" }), /topic/);
    throws(() => sealSample({ seq: -1 }), /seq/);
    throws(() => sealSample({ seq: 2 ** 53 }), /seq/);
    throws(() => sealSample({ header: [1, 2] }), /header/);
    throws(() => sealSample({ jpeg: utf8("GIF89a") }), /jpeg/);
  });

  it("the shortest envelope is the header plus a bare tag; sealed ones are longer", () => {
    equal(MIN_ENVELOPE_BYTES, 77);
    ok(sealSample({ header: {}, jpeg: undefined }).length > MIN_ENVELOPE_BYTES);
  });
});
