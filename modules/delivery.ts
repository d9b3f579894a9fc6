// SPDX-License-Identifier: MIT
// Publishes sealed events in order with QoS 1, one in flight at a time; an event leaves the queue only
// on PUBACK and is re-sent with DUP after a reconnect. The queue is in RAM and bounded here.
import type { Logger } from "./logger.js";
import type { MqttPort } from "./ports.js";

export interface DeliveryOptions {
  mqtt: MqttPort;
  topic: string;
  log: Logger;
  /** Most sealed events held while the broker is unreachable; the oldest is dropped beyond it. */
  maxQueued: number;
}

export interface Delivery {
  /** Queues one sealed event (ciphertext only) and publishes it when connected. */
  send(sealed: Uint8Array, meta: { id: string; seq: number; type: string }): void;
  /** Call on every (re)connect. */
  resume(): void;
  readonly stats: { published: number; dropped: number; queued: number };
}

interface Pending {
  sealed: Uint8Array;
  id: string;
  seq: number;
  type: string;
  attempts: number;
}

export function createDelivery(options: DeliveryOptions): Delivery {
  const { mqtt, topic, log, maxQueued } = options;
  const queue: Pending[] = [];
  let inFlight = false;
  let generation = 0; // a reconnect abandons the acknowledgement of whatever was in flight
  let published = 0;
  let dropped = 0;

  function pump(): void {
    if (inFlight || !mqtt.connected || queue.length === 0) return;
    const head = queue[0];
    inFlight = true;
    head.attempts++;
    const mine = generation;
    mqtt.publish(topic, head.sealed, { qos: 1, retain: false, dup: head.attempts > 1 }, (error) => {
      if (mine !== generation) return;
      inFlight = false;
      if (error) {
        log.warn("publish not acknowledged; kept for retry", { id: head.id, seq: head.seq, reason: error });
        return;
      }
      queue.shift();
      published++;
      log.info("event delivered", { type: head.type, id: head.id, seq: head.seq, size: head.sealed.length });
      pump();
    });
  }

  return {
    send(sealed, meta) {
      if (queue.length >= maxQueued) {
        const victim = queue.splice(inFlight ? 1 : 0, 1)[0];
        if (victim) {
          dropped++;
          log.warn("queue full; dropped oldest event", { type: victim.type, id: victim.id, seq: victim.seq, dropped });
        }
      }
      queue.push({ sealed, ...meta, attempts: 0 });
      pump();
    },
    resume() {
      generation++;
      inFlight = false;
      pump();
    },
    get stats() {
      return { published, dropped, queued: queue.length };
    },
  };
}
