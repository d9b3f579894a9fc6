// SPDX-License-Identifier: MIT
// Publishes the bridge's Home Assistant messages in order with a bounded number unacknowledged. Needed for
// QoS 2: Mosquitto 2.0 admits at most `max_inflight_messages` (default 20) incoming QoS 2 messages awaiting
// PUBREL per client; past that, an MQTT 3.1.1 client gets a plain PUBREC and the message is discarded.
import type { MqttClient } from "mqtt";
import type { Logger } from "../modules/logger.js";
import type { HaPublish } from "./ha-states.js";

/** Half of Mosquitto's default `max_inflight_messages` (20), its receive maximum per client. */
export const HA_MAX_IN_FLIGHT = 10;

export interface HaPublisherOptions {
  client: MqttClient;
  log: Logger;
  /** Publishes sent and not yet acknowledged (PUBACK, or PUBCOMP for QoS 2), at most; default `HA_MAX_IN_FLIGHT`. */
  maxInFlight?: number;
}

export interface HaPublisher {
  /**
   * Queues `p`; it is sent once fewer than `maxInFlight` are unacknowledged, after everything queued before it.
   * `onDone` runs when the broker has acknowledged it (PUBACK, or PUBCOMP for QoS 2), or with the error.
   */
  publish(p: HaPublish, onDone?: (error?: Error) => void): void;
  /** Queued and not yet sent. */
  readonly queued: number;
  readonly inFlight: number;
}

export function createHaPublisher(o: HaPublisherOptions): HaPublisher {
  const maxInFlight = o.maxInFlight ?? HA_MAX_IN_FLIGHT;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1)
    throw new RangeError(`maxInFlight: ${maxInFlight} is not accepted; use an integer of 1 or more`);
  // A queue with a head index: Array.shift copies the array, which a backlog of thousands makes quadratic.
  let waiting: { p: HaPublish; onDone?: (error?: Error) => void }[] = [];
  let head = 0;
  let inFlight = 0;

  function drain(): void {
    while (inFlight < maxInFlight && head < waiting.length) {
      const { p, onDone } = waiting[head++];
      if (head === waiting.length || head >= 1024) (waiting = waiting.slice(head)), (head = 0);
      inFlight++;
      // MQTT.js keeps an unacknowledged QoS 1/2 publish in its outgoing store across reconnects and calls
      // back on PUBACK/PUBCOMP; it calls back with an error only when the client is ended.
      o.client.publish(
        p.topic,
        typeof p.payload === "string" ? p.payload : Buffer.from(p.payload),
        { qos: p.qos, retain: p.retain },
        (error) => {
          inFlight--;
          if (error) o.log.warn("state not published", { topic: p.topic, reason: error.message });
          onDone?.(error ?? undefined);
          drain();
        },
      );
    }
  }

  return {
    publish(p, onDone) {
      waiting.push({ p, onDone });
      drain();
    },
    get queued() {
      return waiting.length - head;
    },
    get inFlight() {
      return inFlight;
    },
  };
}
