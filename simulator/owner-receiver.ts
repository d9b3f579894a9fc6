// SPDX-License-Identifier: MIT
// The owner's side in the console run: subscribes to the device's sealed events, opens each with the
// owner's key (refusing replays) and prints what arrived. The full bridge to Home Assistant is bridge/.
import mqtt from "mqtt";
import { fromHex } from "../modules/bytes.js";
import { openEnvelope } from "../modules/envelope/open-envelope.js";
import { REJECT_REASON_TEXT } from "../modules/envelope/reasons.js";
import type { CryptoPort } from "../modules/ports.js";

export interface ReceivedEvent {
  topic: string;
  header: Record<string, unknown>;
  jpegBytes: number;
  sealedBytes: number;
}

export interface ConsoleReceiverOptions {
  url: string;
  crypto: CryptoPort;
  ownerSecret: Uint8Array;
  /** Device id -> its public key (hex). */
  devices: Map<string, string>;
  topicRoot: string;
  onEvent(event: ReceivedEvent): void;
  onReject(topic: string, reason: string): void;
}

export async function startConsoleReceiver(o: ConsoleReceiverOptions): Promise<{ close(): Promise<void> }> {
  const client = await mqtt.connectAsync(o.url, { clientId: `owner-console-${process.pid}`, reconnectPeriod: 1000 });
  const lastSeq = new Map<string, number>();
  await client.subscribeAsync(`${o.topicRoot}/+/sealed/event`, { qos: 1 });
  client.on("message", (topic, payload) => {
    const deviceId = topic.split("/")[1];
    const devicePublic = o.devices.get(deviceId);
    if (!devicePublic) return o.onReject(topic, "unknown device");
    const r = openEnvelope({
      crypto: o.crypto, recipientPrivateKey: o.ownerSecret, senderPublicKey: fromHex(devicePublic),
      deviceId, topic, lastAcceptedSeq: lastSeq.get(deviceId), bytes: new Uint8Array(payload),
    });
    if (!r.ok) return o.onReject(topic, `${r.reason}: ${REJECT_REASON_TEXT[r.reason]}`);
    lastSeq.set(deviceId, r.seq);
    o.onEvent({ topic, header: r.header, jpegBytes: r.jpeg?.length ?? 0, sealedBytes: payload.length });
  });
  return { close: () => client.endAsync() };
}
