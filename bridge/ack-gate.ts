// SPDX-License-Identifier: MIT
// Holds the bridge's PUBACKs to the broker until the events they acknowledge are durable (group commit in
// event-receiver.ts). MQTT.js acknowledges a QoS 1 message [MQTT-4.3.2] as soon as its handler returns, and
// its only hook that defers that (`customHandleAcks`) also stops it reading the next packet, which would allow
// one event per commit. So the gate wraps the client's packet sender: a PUBACK for a held packet id waits,
// MQTT.js reads on, and PUBACKs leave in the order of the PUBLISHes they answer [MQTT-4.6.0-2].
// It relies on MqttClient's `_sendPacket(packet, cb)` (MQTT.js 5); test/node/bridge-commit.test.ts fails without it.
import type { MqttClient } from "mqtt";

export interface AckGate {
  /** The PUBACK for QoS 1 packet `messageId`, received now, waits until `release`. */
  hold(messageId: number): void;
  /** Sends the held PUBACKs of `messageIds` (and any queued behind them), in order: only once they are durable. */
  release(messageIds: readonly number[]): void;
  /** PUBACKs waiting. */
  readonly waiting: number;
}

interface Packet {
  cmd: string;
  messageId?: number;
}
type SendPacket = (packet: Packet, cb?: (error?: Error) => void, ...rest: unknown[]) => void;

/** Installs the gate on `client`. A connection that drops while PUBACKs wait loses them: the broker sends again. */
export function createAckGate(client: MqttClient): AckGate {
  const c = client as unknown as { _sendPacket: SendPacket; stream: unknown };
  if (typeof c._sendPacket !== "function")
    throw new Error("ack gate: this MQTT.js has no _sendPacket (MQTT.js 5 needed)");
  const send = c._sendPacket.bind(client);
  /** Packet ids held, with how many times: after a reconnect the broker may use an id again before its release. */
  const held = new Map<number, number>();
  let queue: { packet: Packet; stream: unknown }[] = [];

  c._sendPacket = (packet, cb, ...rest) => {
    if (packet.cmd !== "puback" || (!queue.length && !held.get(packet.messageId!))) return send(packet, cb, ...rest);
    queue.push({ packet, stream: c.stream });
    cb?.(); // MQTT.js reads the next packet after this; only the PUBACK itself waits
  };

  return {
    hold: (messageId) => void held.set(messageId, (held.get(messageId) ?? 0) + 1),
    release(messageIds) {
      for (const id of messageIds) {
        const n = held.get(id) ?? 0;
        if (n > 1) held.set(id, n - 1);
        else held.delete(id);
      }
      let ready = 0;
      while (ready < queue.length && !held.get(queue[ready].packet.messageId!)) ready++;
      if (!ready) return;
      const out = queue.slice(0, ready);
      queue = queue.slice(ready);
      // A PUBACK made on a connection since closed would answer another message of the same id on the next.
      for (const { packet, stream } of out) if (stream === c.stream) send(packet);
    },
    get waiting() {
      return queue.length;
    },
  };
}
