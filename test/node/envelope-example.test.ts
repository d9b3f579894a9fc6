// SPDX-License-Identifier: MIT
// The worked example in docs/protocol.md: the hex there is what the code produces, and hpke-js, an
// independent RFC 9180 implementation, opens it using only the document's layout, info and AAD rules.
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { deepEqual, equal, ok } from "node:assert/strict";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";
import { CipherSuite, HkdfSha256 } from "@hpke/core";
import { DhkemX25519HkdfSha256 } from "@hpke/dhkem-x25519";
import { concat, fromHex, fromUtf8, readUintBE, toHex, utf8 } from "../../modules/bytes.js";
import { openEnvelope } from "../../modules/envelope/open-envelope.js";
import { buildExample, EXAMPLE } from "../support/hpke-envelope-example.js";
import { testCrypto } from "../support/test-crypto.js";

const crypto = testCrypto();
const doc = readFileSync(new URL("../../docs/protocol.md", import.meta.url), "utf8");
const example = buildExample(crypto);

/** The hex of the fenced block after `<!-- example:name -->`, whitespace removed. */
function docHex(name: string): string {
  const match = new RegExp(`<!-- example:${name} -->\\s*\`\`\`hex\\n([\\s\\S]*?)\`\`\``).exec(doc);
  ok(match, `docs/protocol.md has an example:${name} block`);
  return match[1].replace(/\s+/g, "");
}

describe("docs/protocol.md worked example", () => {
  it("the documented info, plaintext, AAD and envelope are what the code produces", () => {
    equal(docHex("info"), toHex(example.info));
    equal(docHex("plaintext"), toHex(example.plaintext));
    equal(docHex("aad"), toHex(example.aad));
    equal(docHex("envelope"), toHex(example.envelope));
  });

  it("openEnvelope accepts it with the owner's key, the device's key and seq 41 last accepted", () => {
    const result = openEnvelope({
      crypto,
      recipientPrivateKey: EXAMPLE.ownerPrivateKey,
      senderPublicKey: EXAMPLE.devicePublicKey,
      deviceId: EXAMPLE.deviceId,
      topic: EXAMPLE.topic,
      lastAcceptedSeq: 41,
      bytes: fromHex(docHex("envelope")),
    });
    ok(result.ok);
    deepEqual(result.header, EXAMPLE.header);
    deepEqual(result.jpeg, EXAMPLE.jpeg);
  });

  it("hpke-js opens the documented bytes by the documented rules (RFC 9180 §6.1 OpenAuth)", async () => {
    const bytes = fromHex(docHex("envelope"));
    // The byte layout table, re-read here by hand.
    equal(bytes[0], 0x01);
    equal(readUintBE(bytes, 1, 4), bytes.length);
    equal(readUintBE(bytes, 5, 8), EXAMPLE.seq);
    const hmac8 = (key: string, data: Uint8Array) => toHex(crypto.hmacSha256(utf8(key), data).subarray(0, 8));
    equal(toHex(bytes.subarray(13, 21)), hmac8("doorbell/1 key id", EXAMPLE.devicePublicKey));
    equal(toHex(bytes.subarray(21, 29)), hmac8("doorbell/1 topic", utf8(EXAMPLE.topic)));
    const topic = utf8(EXAMPLE.topic);
    const device = utf8(EXAMPLE.deviceId);
    const aad = concat(
      bytes.subarray(0, 29),
      Uint8Array.of(0, topic.length),
      topic,
      Uint8Array.of(0, device.length),
      device,
    );

    const suite = new CipherSuite({
      kem: new DhkemX25519HkdfSha256(),
      kdf: new HkdfSha256(),
      aead: new Chacha20Poly1305(),
    });
    const plaintext = new Uint8Array(
      await suite.open(
        {
          recipientKey: await suite.kem.importKey("raw", EXAMPLE.ownerPrivateKey.slice().buffer, false),
          senderPublicKey: await suite.kem.deserializePublicKey(EXAMPLE.devicePublicKey.slice().buffer),
          enc: bytes.slice(29, 61),
          info: utf8("doorbell/1 frontdoor"),
        },
        bytes.slice(61),
        aad,
      ),
    );
    const headerLength = readUintBE(plaintext, 0, 4);
    deepEqual(JSON.parse(fromUtf8(plaintext.subarray(4, 4 + headerLength))), EXAMPLE.header);
    equal(toHex(plaintext.subarray(4 + headerLength)), "ffd8ffd9");
  });
});
