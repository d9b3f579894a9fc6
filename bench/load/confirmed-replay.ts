// SPDX-License-Identifier: MIT
// The light publisher's replay with delivery confirmations (raw-publisher.ts publishConfirmed), as devices with
// `outbox.confirm` send (modules/outbox.ts): each device's events in order, the next one only while fewer than
// CONFIRM_WINDOW of them wait for the bridge's confirmation, which must carry a valid MAC (envelope/confirmation.ts).
import { confirmationMac, decodeConfirmations, sameMac } from "../../modules/envelope/confirmation.js";
import { CONFIRM_WINDOW } from "../../modules/outbox.js";
import type { CryptoPort } from "../../modules/ports.js";
import type { MqttFrame } from "./mqtt-frames.js";
import type { RawMessage } from "./raw-publisher.js";

/** A sealed event with what its device keeps to check the bridge's confirmation. */
export interface ConfirmableMessage extends RawMessage {
  device: string;
  seq: number;
  /** The event's confirmation key. Secret (test keys only here). */
  confirmKey: Uint8Array;
}

export interface ConfirmedRun {
  /** Date.now() of the first write. */
  startedAtMs: number;
  /** PUBACKs from the broker. */
  acked: number;
  /** Events confirmed by the bridge with a valid MAC. */
  confirmed: number;
  /** Confirmations that named no waiting event or whose MAC did not check: none in a sound run. */
  refused: number;
  /** Date.now() of the last valid confirmation. */
  lastConfirmedMs: number;
  /** Per event, in `messages` order: ms from its PUBLISH written to its confirmation read. */
  confirmMs: number[];
  /** The most events of one device that ever waited for their confirmation at once. */
  mostWaiting: number;
}

/** Where the packet id sits in a QoS 1 PUBLISH packet (MQTT 3.1.1 §3.3.2): after the fixed header and the topic. */
function packetIdOffset(packet: Uint8Array): number {
  let at = 1;
  while (packet[at] & 0x80) at++;
  at++;
  return at + 2 + ((packet[at] << 8) | packet[at + 1]);
}

interface DeviceQueue {
  /** The device's events, as indices into `messages`, in order. */
  next: number[];
  at: number;
  waiting: number[];
}

/**
 * `fill` writes what may go now; `onFrame` takes each packet from the broker (PUBACKs, confirmations, which it
 * acknowledges with the next write); `done` once every event is acknowledged by the broker and confirmed.
 */
export function createConfirmedReplay(o: {
  messages: ConfirmableMessage[];
  /** `messages` encoded as QoS 1 PUBLISH packets; their packet ids are rewritten as they are sent. */
  packets: Buffer[];
  /** Unacknowledged PUBLISHes at most (broker PUBACKs), over all devices. */
  window: number;
  crypto: Pick<CryptoPort, "hmacSha256">;
  write(bytes: Buffer): void;
}) {
  const { messages, packets } = o;
  const queues = new Map<string, DeviceQueue>();
  messages.forEach((m, i) => {
    const q = queues.get(m.device) ?? { next: [], at: 0, waiting: [] };
    q.next.push(i);
    queues.set(m.device, q);
  });
  const r: ConfirmedRun = {
    startedAtMs: Date.now(),
    acked: 0,
    confirmed: 0,
    refused: 0,
    lastConfirmedMs: 0,
    confirmMs: new Array(messages.length).fill(Number.NaN),
    mostWaiting: 0,
  };
  const sentAt: number[] = new Array(messages.length).fill(0);
  let sent = 0;
  let nextId = 0;
  /** Devices that may send now, in the order they became ready. */
  let ready = [...queues.keys()];
  /** PUBACKs owed to the broker for confirmations received, written with the next batch. */
  let owed: Buffer[] = [];

  const fill = () => {
    const batch = owed;
    owed = [];
    const later: string[] = [];
    let i = 0;
    for (; i < ready.length && sent - r.acked < o.window; i++) {
      const q = queues.get(ready[i]) as DeviceQueue;
      if (q.at >= q.next.length || q.waiting.length >= CONFIRM_WINDOW) continue;
      const index = q.next[q.at++];
      q.waiting.push(index);
      r.mostWaiting = Math.max(r.mostWaiting, q.waiting.length);
      sentAt[index] = performance.now();
      const packet = packets[index];
      nextId = (nextId % 65535) + 1;
      packet.writeUInt16BE(nextId, packetIdOffset(packet));
      batch.push(packet);
      sent++;
      if (q.at < q.next.length && q.waiting.length < CONFIRM_WINDOW) later.push(ready[i]);
    }
    ready = i ? [...later, ...ready.slice(i)] : ready;
    if (batch.length) o.write(Buffer.concat(batch));
  };

  const confirmations = (topic: string, payload: Buffer) => {
    const device = topic.split("/").at(-3) ?? "";
    const q = queues.get(device);
    const decoded = decodeConfirmations(payload);
    if (!q || !decoded.ok) return void r.refused++;
    for (const { seq, mac } of decoded.items) {
      const at = q.waiting.findIndex((index) => messages[index].seq === seq);
      if (at < 0 || !sameMac(confirmationMac(o.crypto, messages[q.waiting[at]].confirmKey, device, seq), mac)) {
        r.refused++;
        continue;
      }
      r.confirmMs[q.waiting[at]] = performance.now() - sentAt[q.waiting[at]];
      q.waiting.splice(at, 1);
      r.confirmed++;
      r.lastConfirmedMs = Date.now();
      if (q.waiting.length === CONFIRM_WINDOW - 1 && q.at < q.next.length) ready.push(device);
    }
  };

  return {
    fill,
    onFrame(f: MqttFrame) {
      if (f.type === 4) r.acked++;
      if (f.type !== 3) return;
      const topicLength = f.body.readUInt16BE(0);
      const topic = f.body.toString("utf8", 2, 2 + topicLength);
      const qos = (f.flags >> 1) & 3;
      const idAt = 2 + topicLength;
      if (qos > 0) owed.push(Buffer.from([0x40, 2, f.body[idAt], f.body[idAt + 1]])); // PUBACK (§3.4)
      confirmations(topic, f.body.subarray(qos > 0 ? idAt + 2 : idAt));
    },
    done: () => r.confirmed >= messages.length && r.acked >= messages.length,
    result: r,
  };
}
