// SPDX-License-Identifier: MIT
// Property tests for the sealed envelope (fast-check): random events round-trip, and no byte string,
// random or mutated from a real envelope, makes openEnvelope throw or accept; it always gives a reason.
import { describe, it } from "node:test";
import { deepEqual, equal, ok } from "node:assert/strict";
import fc from "fast-check";
import { concat } from "../../modules/bytes.js";
import { senderKeyId, topicTag } from "../../modules/envelope/binding.js";
import { MAX_ENVELOPE_BYTES, OFFSET } from "../../modules/envelope/layout.js";
import { openEnvelope, type OpenEnvelopeResult } from "../../modules/envelope/open-envelope.js";
import { REJECT_REASONS } from "../../modules/envelope/reasons.js";
import { sealEnvelope } from "../../modules/envelope/seal-envelope.js";
import { generateKeyPair } from "../../modules/hpke/dhkem-x25519.js";
import { i2osp } from "../../modules/hpke/i2osp.js";
import { testCrypto } from "../support/test-crypto.js";

const crypto = testCrypto();
const device = generateKeyPair(crypto);
const owner = generateKeyPair(crypto);
const deviceId = "frontdoor";
const topic = "doorbell/frontdoor/sealed/event";

function openAsOwner(bytes: Uint8Array, lastAcceptedSeq?: number): OpenEnvelopeResult {
  return openEnvelope({
    crypto,
    recipientPrivateKey: owner.privateKey,
    senderPublicKey: device.publicKey,
    deviceId,
    topic,
    lastAcceptedSeq,
    bytes,
  });
}

function isRejected(result: OpenEnvelopeResult): boolean {
  return !result.ok && (REJECT_REASONS as readonly string[]).includes(result.reason);
}

const jpegArb = fc.option(
  fc.integer({ min: 2, max: 60_000 }).map((size) => {
    const jpeg = new Uint8Array(size).map((_, i) => (i * 131 + size) & 0xff);
    jpeg[0] = 0xff;
    jpeg[1] = 0xd8;
    return jpeg;
  }),
  { nil: undefined },
);
const headerArb = fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), {
  maxKeys: 8,
  noNullPrototype: true,
});

/** Seals from the device to the owner and opens it again: the same seq, header (as JSON) and JPEG come out. */
function roundTrips(
  header: Record<string, unknown>,
  jpeg: Uint8Array | undefined,
  seq: number,
  id: string,
  to: string,
) {
  const bytes = sealEnvelope({
    crypto,
    senderPrivateKey: device.privateKey,
    recipientPublicKey: owner.publicKey,
    deviceId: id,
    topic: to,
    seq,
    header,
    jpeg,
  });
  ok(bytes.length <= MAX_ENVELOPE_BYTES);
  const result = openEnvelope({
    crypto,
    recipientPrivateKey: owner.privateKey,
    senderPublicKey: device.publicKey,
    deviceId: id,
    topic: to,
    lastAcceptedSeq: seq - 1,
    bytes,
  });
  ok(result.ok);
  equal(result.seq, seq);
  deepEqual(result.header, JSON.parse(JSON.stringify(header)));
  deepEqual(result.jpeg, jpeg);
}

/** One to four damages to `sample`: a bit flipped, the bytes cut short, or bytes appended. */
function mutationsOf(sample: Uint8Array) {
  const flip = fc.record({ kind: fc.constant("flip" as const), at: fc.nat(sample.length - 1), bit: fc.nat(7) });
  const cut = fc.record({ kind: fc.constant("cut" as const), at: fc.nat(sample.length - 1) });
  const append = fc.record({
    kind: fc.constant("append" as const),
    extra: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  });
  return fc.array(fc.oneof(flip, cut, append), { minLength: 1, maxLength: 4 });
}

describe("envelope properties", () => {
  it("any JSON object header, JPEG size, seq, device id and topic round-trips", () => {
    fc.assert(
      fc.property(
        headerArb,
        jpegArb,
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
        fc.string({ minLength: 1, maxLength: 80 }),
        roundTrips,
      ),
      { numRuns: 150 },
    );
  });

  it("random bytes never throw and never open: always one of the reason codes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        ok(isRejected(openAsOwner(bytes)));
      }),
      { numRuns: 500 },
    );
  });

  it("random bodies behind a well-formed clear header (right length, topic tag, key id) fail the AEAD", () => {
    const keyId = senderKeyId(crypto, device.publicKey);
    const tag = topicTag(crypto, topic);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.uint8Array({ minLength: 48, maxLength: 400 }),
        (seq, body) => {
          const bytes = concat(Uint8Array.of(1), i2osp(OFFSET.enc + body.length, 4), i2osp(seq, 8), keyId, tag, body);
          const result = openAsOwner(bytes);
          ok(!result.ok);
          equal(result.reason, "auth-failed");
        },
      ),
      { numRuns: 300 },
    );
  });

  it("any mutation of a real envelope (bit flips, cuts, appended bytes) is refused with a reason", () => {
    const sample = sealEnvelope({
      crypto,
      senderPrivateKey: device.privateKey,
      recipientPublicKey: owner.publicKey,
      deviceId,
      topic,
      seq: 77,
      header: { v: 1, type: "snapshot" },
      jpeg: Uint8Array.of(0xff, 0xd8, 1, 2, 3, 0xff, 0xd9),
    });
    fc.assert(
      fc.property(mutationsOf(sample), (mutations) => {
        let bytes: Uint8Array = sample.slice();
        for (const m of mutations) {
          if (m.kind === "flip") bytes[m.at % bytes.length] ^= 1 << m.bit;
          else if (m.kind === "cut") bytes = bytes.slice(0, m.at % bytes.length);
          else bytes = concat(bytes, m.extra);
          if (bytes.length === 0) break;
        }
        fc.pre(bytes.length !== sample.length || bytes.some((b, i) => b !== sample[i]));
        ok(isRejected(openAsOwner(bytes, 76)));
      }),
      { numRuns: 500 },
    );
  });
});
