// SPDX-License-Identifier: MIT
// The owner's receiver used by the simulator until the bridge's module API is wired in (see owner-side.ts):
// subscribes to the device's sealed events with a persistent session, opens each with the owner's key,
// and refuses anything not newer than the last accepted sequence number (replays and QoS 1 duplicates).
import mqtt from "mqtt";
import { fromHex } from "../modules/bytes.js";
import { openEnvelope } from "../modules/envelope/open-envelope.js";
import { REJECT_REASON_TEXT } from "../modules/envelope/reasons.js";
import type { CryptoPort } from "../modules/ports.js";

export interface ReceivedEvent {
  topic: string;
  seq: number;
  header: Record<string, unknown>;
  /** The snapshot, when the event carries one. */
  jpeg?: Uint8Array;
  sealedBytes: number;
}

export interface OwnerReceiverOptions {
  url: string;
  crypto: CryptoPort;
  ownerSecret: Uint8Array;
  /** Device id -> its public key (hex). */
  devices: Map<string, string>;
  topicRoot: string;
  /** MQTT client id of the persistent session (default owner-receiver). */
  clientId?: string;
  onEvent(event: ReceivedEvent): void;
  /** A message that did not open; `duplicate` is true for a re-delivery of one already accepted. */
  onReject(topic: string, reason: string, duplicate: boolean): void;
}

export async function startOwnerReceiver(o: OwnerReceiverOptions): Promise<{ close(): Promise<void> }> {
  // A persistent session (clean: false): the broker queues events for us while we are away.
  const client = await mqtt.connectAsync(o.url, { clientId: o.clientId ?? "owner-receiver", clean: false, reconnectPeriod: 500 });
  const lastSeq = new Map<string, number>();
  client.on("message", (topic, payload) => {
    const deviceId = topic.split("/")[1];
    const devicePublic = o.devices.get(deviceId);
    if (!devicePublic) return o.onReject(topic, "unknown device", false);
    const r = openEnvelope({
      crypto: o.crypto, recipientPrivateKey: o.ownerSecret, senderPublicKey: fromHex(devicePublic),
      deviceId, topic, lastAcceptedSeq: lastSeq.get(deviceId), bytes: new Uint8Array(payload),
    });
    if (!r.ok) return o.onReject(topic, `${r.reason}: ${REJECT_REASON_TEXT[r.reason]}`, r.reason === "replayed");
    lastSeq.set(deviceId, r.seq);
    o.onEvent({ topic, seq: r.seq, header: r.header as unknown as Record<string, unknown>, jpeg: r.jpeg, sealedBytes: payload.length });
  });
  await client.subscribeAsync(`${o.topicRoot}/+/sealed/event`, { qos: 1 });
  return { close: () => client.endAsync() };
}
