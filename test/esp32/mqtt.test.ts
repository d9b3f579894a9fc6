// SPDX-License-Identifier: MIT
// hosts/esp32/mqtt.ts, mqtt-client.ts and mqtt-outbound.ts inside XS on the ECMA-419 MQTT client fake,
// which writes real MQTT 3.1.1 bytes through the TLS and TCP socket fakes: the test parses what the
// broker would receive.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createEsp32Mqtt } from "../../hosts/esp32/mqtt.js";
import type { MqttConnectOptions } from "../../modules/ports.js";
import { advance, turn } from "../xs/moddable-fakes/event-loop.js";
import { currentClient } from "../xs/moddable-fakes/mqtt-client.js";
import {
  dnsAnswer,
  drainNetwork,
  dropConnection,
  stallConnections,
  tlsRecordSizes,
} from "../xs/moddable-fakes/sockets.js";
import { type SentPacket, sentPackets } from "./broker.js";
import { freshBoard } from "./device.js";

function publishOf(packet: SentPacket): { topic: string; id: number; payload: Uint8Array } {
  const topicLength = (packet.body[0] << 8) | packet.body[1];
  const topic = new TextDecoder().decode(packet.body.subarray(2, 2 + topicLength));
  const qos = (packet.flags >> 1) & 3;
  const id = qos ? (packet.body[2 + topicLength] << 8) | packet.body[3 + topicLength] : 0;
  return { topic, id, payload: packet.body.slice(2 + topicLength + (qos ? 2 : 0)) };
}

function rig(host = "broker.home.arpa") {
  const log = freshBoard();
  dnsAnswer("broker.home.arpa", "192.168.1.10");
  const mqtt = createEsp32Mqtt({
    host,
    port: 8883,
    tls: { ca: new ArrayBuffer(3), certificate: new ArrayBuffer(4), key: new ArrayBuffer(5) },
    dnsServers: () => ["192.168.1.1"],
    log,
  });
  const events: string[] = [];
  const messages: { topic: string; payload: Uint8Array }[] = [];
  const options: MqttConnectOptions = {
    clientId: "doorbell-1",
    will: { topic: "db/doorbell-1/status", payload: new TextEncoder().encode("offline"), qos: 1, retain: true },
    keepAliveS: 60,
    onConnect: () => void events.push("connect"),
    onDisconnect: (reason) => void events.push(`disconnect: ${reason}`),
    onMessage: (topic, payload) => void messages.push({ topic, payload }),
  };
  return { log, mqtt, events, messages, options };
}

/** Connects and answers CONNACK; returns the CONNECT packet. */
function connect(r: ReturnType<typeof rig>): SentPacket {
  r.mqtt.connect(r.options);
  advance(1);
  const client = currentClient();
  assert.ok(client, "the client was constructed");
  client.receiveControl({ operation: 2, returnCode: 0 });
  advance(1);
  assert.deepEqual(r.events, ["connect"]);
  return sentPackets()[0];
}

describe("ESP32 MQTT on the ECMA-419 client", () => {
  test("CONNECT carries the client id, keep-alive and the retained will [MQTT-3.1.2-9]", () => {
    const r = rig();
    const packet = connect(r);
    assert.equal(packet.type, 1);
    const flags = packet.body[7];
    assert.equal(flags & 0x04, 0x04, "will flag");
    assert.equal(flags & 0x20, 0x20, "will retain");
    assert.equal((flags >> 3) & 3, 1, "will QoS 1");
    assert.equal((packet.body[8] << 8) | packet.body[9], 60);
    assert.equal(r.mqtt.connected, true);
  });

  test("a PUBLISH larger than one TLS fragment is written whole, in order, and acknowledged on its PUBACK", () => {
    const r = rig();
    connect(r);
    const payload = new Uint8Array(40_000).map((_, i) => (i * 7) & 0xff);
    const acks: (string | undefined)[] = [];
    r.mqtt.publish("db/doorbell-1/event", payload, { qos: 1, retain: false }, (error) => void acks.push(error));
    r.mqtt.publish("db/doorbell-1/small", Uint8Array.of(1, 2, 3), { qos: 0, retain: false });
    for (let i = 0; i < 40; i++) {
      drainNetwork();
      advance(1);
    }
    const publishes = sentPackets().filter((p) => p.type === 3);
    assert.equal(publishes.length, 2);
    const big = publishOf(publishes[0]);
    assert.equal(big.topic, "db/doorbell-1/event");
    assert.deepEqual(big.payload, payload);
    assert.deepEqual(publishOf(publishes[1]).payload, Uint8Array.of(1, 2, 3));
    assert.ok(tlsRecordSizes().length > 8, `spread over ${tlsRecordSizes().length} TLS records`);
    assert.deepEqual(acks, [], "QoS 1 waits for the PUBACK");
    currentClient()?.receiveControl({ operation: 4, id: big.id });
    advance(1);
    assert.deepEqual(acks, [undefined]);
  });

  test("onAck never runs inside publish(), even when the session is down", () => {
    const r = rig();
    const acks: (string | undefined)[] = [];
    r.mqtt.publish("t", Uint8Array.of(1), { qos: 1, retain: false }, (error) => void acks.push(error));
    assert.deepEqual(acks, []);
    turn();
    assert.deepEqual(acks, ["not connected"]);
  });
});

describe("ESP32 MQTT session failures", () => {
  test("a dropped session fails what is unacknowledged and reports the drop on a later turn", () => {
    const r = rig();
    connect(r);
    const acks: (string | undefined)[] = [];
    r.mqtt.publish("t", Uint8Array.of(1), { qos: 1, retain: false }, (error) => void acks.push(error));
    dropConnection();
    advance(1);
    assert.equal(r.mqtt.connected, false);
    assert.deepEqual(acks, ["connection lost"]);
    assert.deepEqual(r.events, ["connect", "disconnect: connection lost"]);
  });

  test("close() sends no DISCONNECT (the broker publishes the will) and calls no onDisconnect", () => {
    const r = rig();
    connect(r);
    r.mqtt.close();
    advance(10);
    assert.deepEqual(r.events, ["connect"]);
    assert.equal(sentPackets().filter((p) => p.type === 14).length, 0);
  });

  test("SUBSCRIBE goes out; an incoming message in pieces reaches onMessage whole", () => {
    const r = rig();
    connect(r);
    r.mqtt.subscribe("db/doorbell-1/cmd", 1);
    advance(1);
    const subscribe = sentPackets().find((p) => p.type === 8);
    assert.ok(subscribe);
    assert.equal(subscribe.flags, 2, "[MQTT-3.8.1-1] reserved flags 0010");
    const command = new Uint8Array(3000).map((_, i) => i & 0xff);
    currentClient()?.receivePublish("db/doorbell-1/cmd", command, 1, 700);
    advance(1);
    assert.equal(r.messages.length, 1);
    assert.deepEqual(r.messages[0].payload, command);
  });

  test("a broker name with no DNS answer ends in onDisconnect on a later turn, not an exception", () => {
    const r = rig("nowhere.home.arpa");
    r.mqtt.connect(r.options);
    assert.deepEqual(r.events, []);
    advance(1);
    assert.equal(r.events.length, 1);
    assert.match(r.events[0], /^disconnect: connect failed: no session/);
  });

  test("a broker that never answers the TCP connect is given up after the client's 30 s", () => {
    const r = rig();
    stallConnections();
    r.mqtt.connect(r.options);
    advance(29_000);
    assert.deepEqual(r.events, []);
    advance(2_000);
    assert.match(r.events[0] ?? "", /^disconnect: connect failed/);
  });

  test("a broker that never sends CONNACK fails the session within 1.5 keep-alive intervals", () => {
    const r = rig();
    r.mqtt.connect(r.options);
    advance(91_000);
    assert.match(r.events[0] ?? "", /^disconnect: connect failed/);
  });
});
