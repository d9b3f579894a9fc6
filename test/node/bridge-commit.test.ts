// SPDX-License-Identifier: MIT
// The bridge's group commit over a real MQTT broker (the embedded aedes, which reports each PUBACK it gets):
// events are acknowledged to the broker [MQTT-4.3.2] only once their batch is durable, a batch takes every
// event that arrived during the previous commit, and Home Assistant and `onDelivered` hear of them after, in order.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import mqtt, { type MqttClient } from "mqtt";
import { startBridge, type Bridge } from "../../bridge/bridge.js";
import { heldStore } from "../support/held-store.js";
import type { DeliveredEvent } from "../../bridge/event-receiver.js";
import { createCommandSigner, generateSigningKey } from "../../bridge/key-files.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { sealEnvelope } from "../../modules/envelope/seal-envelope.js";
import { createLogger } from "../../modules/logger.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../simulator/embedded-broker.js";
import { until, watch, type Watcher } from "../support/mqtt-watch.js";

const crypto = createNodeCrypto();
const EVENT = "doorbell/frontdoor/sealed/event";
const ownerSecret = crypto.randomBytes(32);
const deviceSecret = crypto.randomBytes(32);
const EVENTS = 6;

let broker: EmbeddedBroker;
let device: MqttClient;
let ha: Watcher;
let bridge: Bridge;
let bridgeClient: MqttClient;
const acked: number[] = []; // seq of each event the bridge acknowledged, in the order aedes got the PUBACKs
const delivered: DeliveredEvent[] = [];
const held = heldStore(join(mkdtempSync(join(tmpdir(), "doorbell-commit-")), "state"));

before(async () => {
  broker = await startEmbeddedBroker({ port: 0 });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  broker.broker.on("ack", (packet, client) => {
    if (client?.id === "bridge" && packet && "topic" in packet && packet.topic === EVENT)
      acked.push(Number(Buffer.from(packet.payload as Buffer).readBigUInt64BE(5))); // the clear seq (docs/protocol.md)
  });
  device = await mqtt.connectAsync(url, { clientId: "frontdoor" });
  ha = await watch(url, ["doorbell/frontdoor/event"], { clientId: "homeassistant" }, 2);
  // A persistent session, as the bridge's own (bridge-config.ts): aedes then reports which message each PUBACK answers.
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
    onDelivered: (e) => void delivered.push(e),
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

const seal = (seq: number) =>
  sealEnvelope({
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

describe("bridge: group commit of accepted events", () => {
  test("no PUBACK to the broker and nothing to Home Assistant before the batch is durable [MQTT-4.3.2]", async () => {
    for (let seq = 1; seq <= EVENTS; seq++) await device.publishAsync(EVENT, Buffer.from(seal(seq)), { qos: 1 });
    await until(() => held.store.peek("frontdoor").lastEventSeq === EVENTS, "every event opened and staged");
    await until(() => held.requested >= 1, "a commit asked for");
    await new Promise((r) => setTimeout(r, 300)); // time enough for a PUBACK that should not be sent
    assert.deepEqual(acked, [], "the broker still holds every event as unacknowledged");
    assert.equal(ha.on("doorbell/frontdoor/event").length, 0);
    assert.equal(delivered.length, 0);
    for (let i = 0; i < EVENTS && acked.length < EVENTS; i++) {
      held.letThrough();
      await new Promise((r) => setTimeout(r, 50));
    }
    await until(() => acked.length === EVENTS, "every PUBACK once durable");
    assert.deepEqual(acked, [1, 2, 3, 4, 5, 6], "in the order of the PUBLISHes [MQTT-4.6.0-2]");
    assert.ok(held.requested < EVENTS, `${held.requested} commits for ${EVENTS} events: a batch per commit`);
  });

  test("Home Assistant gets every ring once, in order; onDelivered follows each one's acknowledged publishes", async () => {
    await ha.nth("doorbell/frontdoor/event", EVENTS);
    const rings = ha.on("doorbell/frontdoor/event").map((s) => JSON.parse(s.payload.toString()).seq);
    assert.deepEqual(rings, [1, 2, 3, 4, 5, 6]);
    await until(() => delivered.length === EVENTS, "onDelivered for every event");
    assert.deepEqual(
      delivered.map((e) => [e.seq, e.duplicate]),
      rings.map((seq) => [seq, false]),
    );
    assert.equal(bridge.stats.opened, EVENTS);
  });
});
