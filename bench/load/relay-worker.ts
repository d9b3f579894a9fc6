// SPDX-License-Identifier: MIT
// The bridge bench's ceiling (forked, IPC): a relay that carries the bridge's messages and does none of its work.
// It takes each sealed event on the bridge's own connection (connectBoundedMqtt) at QoS 1, publishes what the
// bridge would (prepared by the bench: the picture's link, QoS 1 retained, and the ring state, QoS 2) for Home
// Assistant's side, and once those are acknowledged,
// the confirmation the bridge would send (prepared by the bench from each event's key, QoS 1). No opening, no
// state, no durable write: what is left is the MQTT traffic of the bridge's path (docs/scaling.md).
import { readEnvelopeHeader } from "../../modules/envelope/layout.js";
import { connectBoundedMqtt } from "../../bridge/mqtt-connect.js";
import { MAX_PACKET_BYTES } from "../../bridge/provision/broker-limits.js";

export interface RelayWorkerConfig {
  url: string;
  /** The sealed event topics' filter. */
  filter: string;
  /** Per event, keyed `<sealed topic> <seq>`: what the bridge would publish for it. */
  replies: Record<
    string,
    {
      ha: { topic: string; payload: string; qos: 0 | 1 | 2; retain: boolean }[];
      ackTopic: string;
      ackPayloadHex: string;
    }
  >;
}

async function run(config: RelayWorkerConfig): Promise<void> {
  const client = connectBoundedMqtt({
    url: config.url,
    mqtt: { clientId: "bench-relay", clean: true, reconnectPeriod: 0, protocolVersion: 4 },
    maxPacketBytes: MAX_PACKET_BYTES,
    onRefused: () => undefined,
  });
  await new Promise<void>((resolve, reject) => (client.once("connect", () => resolve()), client.once("error", reject)));
  await client.subscribeAsync(config.filter, { qos: 1 });
  let relayed = 0;
  let unknown = 0;
  const cpuAtReady = process.cpuUsage();
  client.on("message", (topic, payload) => {
    const read = readEnvelopeHeader(payload);
    const reply = read.ok ? config.replies[`${topic} ${read.header.seq}`] : undefined;
    if (!reply) return void unknown++;
    let waiting = reply.ha.length;
    for (const p of reply.ha)
      client.publish(p.topic, p.payload, { qos: p.qos, retain: p.retain }, () => {
        if (--waiting > 0) return;
        client.publish(reply.ackTopic, Buffer.from(reply.ackPayloadHex, "hex"), { qos: 1, retain: false });
        relayed++;
      });
  });
  process.send!({ ready: true });
  process.on("message", (message: { stop?: boolean }) => {
    if (!message.stop) return;
    const used = process.cpuUsage(cpuAtReady);
    const stats = { relayed, unknown, cpuMs: Math.round((used.user + used.system) / 1000) };
    process.send!({ stats }, () => void client.endAsync().then(() => process.exit(0)));
  });
}

process.once(
  "message",
  (config: RelayWorkerConfig) =>
    void run(config).catch((error) => {
      process.stderr.write(`bench relay: ${(error as Error).message}\n`);
      process.exit(1);
    }),
);
