// SPDX-License-Identifier: MIT
// The send queue of one MQTT session: writes PUBLISH and SUBSCRIBE packets in order, never more than
// the socket says it can take, splitting a large payload into fragments (a snapshot is tens of KB,
// a TLS write at most a few KB). Moddable's client throws "overflow" on a write that does not fit.
import type { QoS } from "../../modules/ports.js";
import type { RawClient } from "./mqtt-client.js";

export interface QueuedPublish {
  kind: "publish";
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  /** Packet id (QoS 1), or 0. */
  id: number;
  /** Runs once the last byte is handed to the socket. */
  onWritten(): void;
  /** Runs instead when the session ends before the last byte was written. */
  onDropped(error: string): void;
}

export interface QueuedSubscribe {
  kind: "subscribe";
  topic: string;
  qos: QoS;
  id: number;
}

export type Queued = QueuedPublish | QueuedSubscribe;

/** Bytes of an MQTT Remaining Length field for `length` (MQTT 3.1.1 §2.2.3). */
function remainingLengthBytes(length: number): number {
  return length < 128 ? 1 : length < 16384 ? 2 : length < 2097152 ? 3 : 4;
}

function utf8Length(text: string): number {
  return ArrayBuffer.fromString(text).byteLength;
}

/** PUBLISH fixed header + topic + packet id (MQTT 3.1.1 §3.3), without the payload. */
export function publishHeaderBytes(topicBytes: number, qos: QoS, payloadBytes: number): number {
  const variable = 2 + topicBytes + (qos ? 2 : 0);
  return 1 + remainingLengthBytes(variable + payloadBytes) + variable;
}

/** A whole SUBSCRIBE packet with one topic (MQTT 3.1.1 §3.8). */
export function subscribeBytes(topicBytes: number): number {
  const remaining = 2 + 2 + topicBytes + 1;
  return 1 + remainingLengthBytes(remaining) + remaining;
}

export interface Outbound {
  push(item: Queued): void;
  /** The socket can take `count` more bytes. Throws what the client throws; the session is then dead. */
  writable(count: number): void;
  /** Empties the queue and returns what was in it. */
  drain(): Queued[];
}

/** Creates the queue for `client`. Nothing is written until the first `writable()`. */
export function createOutbound(client: RawClient): Outbound {
  const queue: Queued[] = [];
  let budget = 0;
  let started = false; // queue[0] is a PUBLISH whose first fragment is out
  let sent = 0; // payload bytes of queue[0] already written
  let pumping = false;

  const pumpOnce = (): boolean => {
    const item = queue[0];
    if (item.kind === "subscribe") {
      if (subscribeBytes(utf8Length(item.topic)) > budget) return false;
      budget = client.subscribe(item.topic, item.qos, item.id);
      if (queue[0] !== item) return false; // the session ended inside the write
      queue.shift();
      return true;
    }
    const total = item.payload.length;
    if (!started) {
      const header = publishHeaderBytes(utf8Length(item.topic), item.qos, total);
      if (header + (total > 0 ? 1 : 0) > budget) return false; // room for the header and one byte
      const n = Math.min(total, budget - header);
      budget = client.startPublish(item.payload.slice(0, n), {
        topic: item.topic,
        QoS: item.qos,
        retain: item.retain,
        duplicate: item.dup,
        id: item.id,
        byteLength: total,
      });
      started = true;
      sent = n;
    } else {
      const n = Math.min(total - sent, budget);
      budget = client.continuePublish(item.payload.slice(sent, sent + n));
      sent += n;
    }
    if (queue[0] !== item) return false; // the session ended inside the write
    if (sent === total) {
      queue.shift();
      started = false;
      sent = 0;
      item.onWritten();
    }
    return true;
  };

  const pump = () => {
    if (pumping) return; // re-entered from onWritten: the running loop picks the new item up
    pumping = true;
    try {
      while (queue.length && budget > 0 && pumpOnce());
    } finally {
      pumping = false;
    }
  };

  return {
    push(item) {
      queue.push(item);
      pump();
    },
    writable(count) {
      budget = count;
      pump();
    },
    drain() {
      const left = queue.splice(0, queue.length);
      started = false;
      sent = 0;
      budget = 0;
      return left;
    },
  };
}
