// SPDX-License-Identifier: MIT
// The bridge confirms delivery to the device (docs/delivery.md) over a real MQTT broker (the embedded aedes, on
// loopback): only once the event is durable in its state journal and published to Home Assistant; an event the
// device sends again (it had no confirmation) is confirmed again without reaching Home Assistant twice; and each
// confirmation checks under the key the device exported when it sealed the event.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import mqtt, { type MqttClient } from "mqtt";
import { type Bridge, startBridge } from "../../bridge/bridge.js";
import { heldStore } from "../support/held-store.js";
import { createCommandSigner, generateSigningKey } from "../../bridge/key-files.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { confirmationMac, decodeConfirmations, sameMac } from "../../modules/envelope/confirmation.js";
import { sealEnvelopeConfirmable } from "../../modules/envelope/seal-envelope.js";
import { createLogger } from "../../modules/logger.js";
import { type EmbeddedBroker, startEmbeddedBroker } from "../../simulator/embedded-broker.js";
import { until, type Watcher, watch } from "../support/mqtt-watch.js";

const crypto = createNodeCrypto();
const EVENT = "doorbell/frontdoor/sealed/event";
const ACK = "doorbell/frontdoor/sealed/ack";
const HA_EVENT = "doorbell/frontdoor/event";
const ownerSecret = crypto.randomBytes(32);
const deviceSecret = crypto.randomBytes(32);

let broker: EmbeddedBroker;
let device: MqttClient;
let ha: Watcher;
let bridge: Bridge;
let bridgeClient: MqttClient;
/** Each confirmation the device received: seq and MAC. */
const confirmations: { seq: number; mac: Uint8Array }[] = [];
const held = heldStore(join(mkdtempSync(join(tmpdir(), "doorbell-confirm-")), "state"));

before(async () => {
  broker = await startEmbeddedBroker({ port: 0 });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  device = await mqtt.connectAsync(url, { clientId: "frontdoor" });
  await device.subscribeAsync(ACK, { qos: 1 });
  device.on("message", (topic, payload) => {
    if (topic !== ACK) return;
    const decoded = decodeConfirmations(new Uint8Array(payload));
    assert.ok(decoded.ok, "the bridge's confirmations decode");
    confirmations.push(...decoded.items.map((c) => ({ seq: c.seq, mac: c.mac.slice() })));
  });
  ha = await watch(url, [HA_EVENT], { clientId: "homeassistant" }, 2);
  bridgeClient = await mqtt.connectAsync(url, { clientId: "bridge", clean: false, reconnectPeriod: 0 });
  bridge = startBridge({
    client: bridgeClient,
    crypto,
    ownerSecret,
    signCommand: createCommandSigner(generateSigningKey()),
    devices: [
      {
        id: "frontdoor",
        name: "Front door",
        topicRoot: "doorbell",
        statusIntervalS: 300,
        publicKey: crypto.x25519(deviceSecret),
      },
    ],
    log: createLogger({ write() {} }, "bridge"),
    discoveryPrefix: "homeassistant",
    motionOffDelayS: 30,
    state: held.store,
    random01: () => 0,
  });
  await new Promise((r) => setTimeout(r, 200)); // the bridge's subscriptions are granted
});

after(async () => {
  bridge.close();
  await bridgeClient.endAsync(true);
  await device.endAsync(true);
  await ha.close();
  await broker.close();
});

/** What the device does: seals, and keeps the key exported from the same context. */
const seal = (seq: number) =>
  sealEnvelopeConfirmable({
    crypto,
    senderPrivateKey: deviceSecret,
    recipientPublicKey: crypto.x25519(ownerSecret),
    deviceId: "frontdoor",
    topic: EVENT,
    seq,
    header: {
      v: 1,
      type: "ring",
      id: `00000000000000${seq.toString(16).padStart(2, "0")}`,
      device: "frontdoor",
      atMs: 0,
      seq,
    },
  });

/** Lets the held commits through until `predicate` holds (bounded). */
async function commitUntil(predicate: () => boolean, what: string) {
  for (let i = 0; i < 100 && !predicate(); i++) {
    held.letThrough();
    await new Promise((r) => setTimeout(r, 20));
  }
  await until(predicate, what);
}

const checks = (key: Uint8Array, seq: number, c: { seq: number; mac: Uint8Array }) =>
  c.seq === seq && sameMac(c.mac, confirmationMac(crypto, key, "frontdoor", seq));

describe("bridge: confirmations to the device", () => {
  const first = seal(1);

  test("no confirmation before the event is durable; then one that checks under the device's key", async () => {
    await device.publishAsync(EVENT, Buffer.from(first.envelope), { qos: 1 });
    await until(() => held.store.peek("frontdoor").lastEventSeq === 1, "the event opened and staged");
    await until(() => held.requested >= 1, "a commit asked for");
    await new Promise((r) => setTimeout(r, 300)); // time enough for a confirmation that should not be sent
    assert.deepEqual(confirmations, [], "nothing confirmed while the journal is not durable");
    assert.equal(ha.on(HA_EVENT).length, 0);
    await commitUntil(() => confirmations.length === 1, "the confirmation once durable");
    assert.ok(checks(first.confirmKey, 1, confirmations[0]), "its MAC checks under the key the device kept");
    assert.equal(ha.on(HA_EVENT).length, 1, "published to Home Assistant before the confirmation");
  });

  test("an event sent again is confirmed again, and Home Assistant sees it once", async () => {
    await device.publishAsync(EVENT, Buffer.from(first.envelope), { qos: 1, dup: true });
    await commitUntil(() => confirmations.length === 2, "confirmed again");
    assert.ok(checks(first.confirmKey, 1, confirmations[1]));
    const second = seal(2);
    await device.publishAsync(EVENT, Buffer.from(second.envelope), { qos: 1 });
    await commitUntil(() => confirmations.length === 3, "the next event confirmed");
    assert.ok(checks(second.confirmKey, 2, confirmations[2]));
    // An older event sent again after a newer one was accepted: a replay by sequence, still confirmed.
    await device.publishAsync(EVENT, Buffer.from(first.envelope), { qos: 1, dup: true });
    await commitUntil(() => confirmations.length === 4, "the older one confirmed once more");
    assert.ok(checks(first.confirmKey, 1, confirmations[3]));
    await new Promise((r) => setTimeout(r, 200));
    const rings = ha.on(HA_EVENT).map((s) => JSON.parse(s.payload.toString()).seq);
    assert.deepEqual(rings, [1, 2], "each event reached Home Assistant once");
    assert.equal(bridge.stats.opened, 2);
  });

  test("a forged envelope (not the device's) gets no confirmation", async () => {
    const forged = sealEnvelopeConfirmable({
      crypto,
      senderPrivateKey: crypto.randomBytes(32),
      recipientPublicKey: crypto.x25519(ownerSecret),
      deviceId: "frontdoor",
      topic: EVENT,
      seq: 1,
      header: { v: 1, type: "ring", id: "00000000000000ff", device: "frontdoor", atMs: 0, seq: 1 },
    });
    await device.publishAsync(EVENT, Buffer.from(forged.envelope), { qos: 1 });
    held.letThrough();
    await new Promise((r) => setTimeout(r, 300));
    held.letThrough();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(confirmations.length, 4);
  });

  test("a sync answer to no question of this bridge reaches nobody, moves no floor, and gets no confirmation", async () => {
    const answer = sealEnvelopeConfirmable({
      crypto,
      senderPrivateKey: deviceSecret,
      recipientPublicKey: crypto.x25519(ownerSecret),
      deviceId: "frontdoor",
      topic: EVENT,
      seq: 90,
      header: {
        v: 1,
        type: "sync",
        id: "00000000000000aa",
        device: "frontdoor",
        atMs: 0,
        seq: 90,
        of: "0123456789abcdef",
        done: 80,
      },
    });
    await device.publishAsync(EVENT, Buffer.from(answer.envelope), { qos: 1 });
    // Handled after the answer (one connection, in order), below the answer's seq and its `done`: still new.
    const third = seal(3);
    await device.publishAsync(EVENT, Buffer.from(third.envelope), { qos: 1 });
    await commitUntil(() => confirmations.length === 5, "the next event confirmed");
    assert.ok(checks(third.confirmKey, 3, confirmations[4]));
    await new Promise((r) => setTimeout(r, 200));
    const seen = ha.on(HA_EVENT).map((s) => JSON.parse(s.payload.toString()) as { event_type: string; seq: number });
    assert.deepEqual(
      seen.map((e) => e.seq),
      [1, 2, 3],
      "the answer never reached Home Assistant",
    );
  });
});
