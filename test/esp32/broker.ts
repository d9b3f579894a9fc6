// SPDX-License-Identifier: MIT
// The broker side of the MQTT client fake for the ESP32 host tests: parses what the TLS socket sent and
// answers it (CONNACK, PUBACK), one step of the loop at a time.
import { advance } from "../xs/moddable-fakes/event-loop.js";
import { currentClient } from "../xs/moddable-fakes/mqtt-client.js";
import { drainNetwork, tlsPlaintext } from "../xs/moddable-fakes/sockets.js";

export interface SentPacket {
  type: number;
  flags: number;
  body: Uint8Array;
}

/** Whole MQTT packets (MQTT 3.1.1 §2.2) in what the broker received; a torn one throws. */
export function sentPackets(): SentPacket[] {
  const bytes = tlsPlaintext();
  const packets: SentPacket[] = [];
  let at = 0;
  while (at < bytes.length) {
    const first = bytes[at++];
    let length = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      length += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) break;
    }
    if (at + length > bytes.length) throw new Error(`packet type ${first >> 4} is torn: ${length} bytes announced`);
    packets.push({ type: first >> 4, flags: first & 15, body: bytes.slice(at, at + length) });
    at += length;
  }
  return packets;
}

/** Every PUBLISH the broker received: [topic, QoS, packet id]. */
export function sentPublishes(): [string, number, number][] {
  return sentPackets()
    .filter((p) => p.type === 3)
    .map((p) => {
      const topicLength = (p.body[0] << 8) | p.body[1];
      const qos = (p.flags >> 1) & 3;
      const id = qos ? (p.body[2 + topicLength] << 8) | p.body[3 + topicLength] : 0;
      return [new TextDecoder().decode(p.body.subarray(2, 2 + topicLength)), qos, id];
    });
}

/** A broker that accepts every CONNECT and acknowledges every QoS 1 PUBLISH once. */
export function createAutoBroker() {
  const acked = new Set<number>();
  let connacked: unknown;
  return {
    /** Frees the socket, answers what arrived, then lets the loop run `ms`. */
    step(ms: number): void {
      drainNetwork();
      const client = currentClient();
      if (client && client.state === "login" && connacked !== client) {
        connacked = client;
        acked.clear();
        client.receiveControl({ operation: 2, returnCode: 0 });
      }
      for (const [, qos, id] of sentPublishes()) {
        if (!qos || acked.has(id)) continue;
        acked.add(id);
        client?.receiveControl({ operation: 4, id });
      }
      advance(ms);
    },
  };
}
