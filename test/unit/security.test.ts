// SPDX-License-Identifier: MIT
// The claims of docs/security.md, one test each (the envelope, command and CLI tests cover the rest).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fromUtf8, toHex, utf8 } from "../../modules/bytes.js";
import { DEVICE_KEY_KEY } from "../../modules/device-key.js";
import { openEnvelope } from "../../modules/envelope/open-envelope.js";
import { sealEnvelope } from "../../modules/envelope/seal-envelope.js";
import { startFirmware } from "../../modules/firmware.js";
import { createFakeHost, frameBytes } from "../support/fake-host.js";
import { openEventForTest, testOwnerKeys } from "../support/owner.js";
import { testCrypto } from "../support/test-crypto.js";

const TOPIC = "doorbell/frontdoor/sealed/event";

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

function base64(bytes: Uint8Array): string {
  const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out +=
      abc[(n >> 18) & 63] +
      abc[(n >> 12) & 63] +
      (i + 1 < bytes.length ? abc[(n >> 6) & 63] : "=") +
      (i + 2 < bytes.length ? abc[n & 63] : "=");
  }
  return out;
}

function ringOnce() {
  const owner = testOwnerKeys();
  const host = createFakeHost();
  const fw = startFirmware(host, {
    firmwareVersion: "test",
    config: { deviceId: "frontdoor", keys: { ownerPublic: owner.publicHex } },
  });
  host.mqtt.accept();
  host.mqtt.published.length = 0; // the connect-time status event: these claims follow the ring
  host.clock.advance(10_000);
  host.camera.capture(10_000);
  host.button.edge(1, 10_010);
  host.clock.advance(100);
  host.button.edge(0, host.clock.nowMs);
  host.clock.advance(2000);
  const sealed = host.mqtt.published.filter((p) => p.topic === TOPIC);
  return { owner, host, fw, sealed };
}

describe("security claims (docs/security.md): no plaintext or key published, stored or logged", () => {
  test("the broker sees only ciphertext: no event id, type, device time or JPEG byte run in what is published", () => {
    const { owner, fw, sealed } = ringOnce();
    assert.ok(sealed.length >= 1);
    const ring = openEventForTest(owner, toHex(fw.devicePublicKey), "frontdoor", TOPIC, sealed[0].payload);
    for (const p of sealed) {
      assert.ok(!contains(p.payload, utf8(ring.header.id)), "event id in the clear");
      assert.ok(!contains(p.payload, utf8('"ring"')), "event type in the clear");
      assert.ok(!contains(p.payload, utf8(String(ring.header.atMs))), "event time in the clear");
      assert.ok(!contains(p.payload, frameBytes(10_000).subarray(4)), "JPEG bytes in the clear");
    }
  });

  test("the device's storage holds no event plaintext", () => {
    const { host, owner, fw, sealed } = ringOnce();
    const ring = openEventForTest(owner, toHex(fw.devicePublicKey), "frontdoor", TOPIC, sealed[0].payload);
    for (const [key, value] of host.storage.kv.map) {
      assert.ok(!contains(value, utf8(ring.header.id)), `event id stored under ${key}`);
      assert.ok(!fromUtf8(value).includes("ring"), `event text stored under ${key}`);
    }
    for (const r of host.storage.log.records()) assert.ok(!contains(r.bytes, utf8(ring.header.id)));
  });

  test("the outbox holds only sealed bytes: events waiting for a PUBACK are stored as ciphertext", () => {
    const owner = testOwnerKeys();
    const host = createFakeHost();
    host.mqtt.autoAck = false;
    startFirmware(host, {
      firmwareVersion: "test",
      config: { deviceId: "frontdoor", keys: { ownerPublic: owner.publicHex } },
    });
    host.mqtt.accept();
    host.clock.advance(10_000);
    host.camera.capture(10_000);
    host.button.edge(1, 10_010);
    host.clock.advance(100);
    host.button.edge(0, host.clock.nowMs);
    host.clock.advance(2000);
    const stored = host.storage.log.records();
    assert.equal(stored.length, 3, "status, ring and follow-up, none acknowledged");
    for (const r of stored) {
      assert.ok(
        !contains(r.bytes, utf8('"ring"')) && !contains(r.bytes, utf8('"snapshot"')),
        "event type in the clear",
      );
      assert.ok(!contains(r.bytes, frameBytes(10_000).subarray(4)), "JPEG bytes in the clear");
      assert.ok(!contains(r.bytes, utf8('"atMs"')), "event header in the clear");
    }
  });

  test("no key material appears in any log line, as hex or base64", () => {
    const { host, owner } = ringOnce();
    const deviceSecret = host.storage.kv.get(DEVICE_KEY_KEY)!;
    const text = host.lines.map((l) => l.message).join("\n");
    for (const secret of [deviceSecret, owner.secret]) {
      assert.ok(!text.includes(toHex(secret)), "secret hex in logs");
      assert.ok(!text.includes(base64(secret).slice(0, 40)), "secret base64 in logs");
    }
  });
});

describe("security claims (docs/security.md): only the owner's key opens an event", () => {
  test("a seized device cannot open what it sent: its own key and storage do not open its events", () => {
    const { host, fw, sealed } = ringOnce();
    const deviceSecret = host.storage.kv.get(DEVICE_KEY_KEY)!;
    for (const p of sealed) {
      // Everything the device holds: its secret, its public key, the owner's public key.
      const r = openEnvelope({
        crypto: testCrypto(),
        recipientPrivateKey: deviceSecret,
        senderPublicKey: fw.devicePublicKey,
        deviceId: "frontdoor",
        topic: TOPIC,
        bytes: p.payload,
      });
      assert.equal(r.ok, false);
    }
  });

  test("an attacker with broker access cannot forge a ring: a message sealed with any other key is refused", () => {
    const owner = testOwnerKeys();
    const attacker = testOwnerKeys();
    const device = testOwnerKeys();
    const forged = sealEnvelope({
      crypto: testCrypto(),
      senderPrivateKey: attacker.secret,
      recipientPublicKey: owner.publicKey,
      deviceId: "frontdoor",
      topic: TOPIC,
      seq: 1,
      header: { type: "ring" },
    });
    const r = openEnvelope({
      crypto: testCrypto(),
      recipientPrivateKey: owner.secret,
      senderPublicKey: device.publicKey,
      deviceId: "frontdoor",
      topic: TOPIC,
      bytes: forged,
    });
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.reason, "wrong-sender");
  });

  test("losing the owner key loses the footage: no other key opens an event", () => {
    const { fw, sealed } = ringOnce();
    const replacement = testOwnerKeys();
    const r = openEnvelope({
      crypto: testCrypto(),
      recipientPrivateKey: replacement.secret,
      senderPublicKey: fw.devicePublicKey,
      deviceId: "frontdoor",
      topic: TOPIC,
      bytes: sealed[0].payload,
    });
    assert.equal(r.ok, false);
  });
});
