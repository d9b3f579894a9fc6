// SPDX-License-Identifier: MIT
// Publishes the bridge's Home Assistant messages in order with a bounded number unacknowledged. Needed for
// QoS 2: Mosquitto 2.0 admits at most `max_inflight_messages` (default 20) incoming QoS 2 messages awaiting
// PUBREL per client; past that, an MQTT 3.1.1 client gets a plain PUBREC and the message is discarded. QoS 0
// and 1 publishes (the picture, retained states) take no part in that quota: they have a bound of their own,
// so that a picture does not hold one of the few QoS 2 places for its round trip (issue 17: that window, not
// the CPU, set the bridge's pace in the bench).
import type { MqttClient } from "mqtt";
import type { Logger } from "../modules/logger.js";
import type { HaPublish } from "./ha-states.js";

/** QoS 2 publishes unacknowledged: half of Mosquitto's default `max_inflight_messages` (20), its receive maximum per client. */
export const HA_MAX_IN_FLIGHT = 10;
/** QoS 0 and 1 publishes unacknowledged (MQTT.js keeps each in its outgoing store until its PUBACK). */
export const HA_MAX_IN_FLIGHT_QOS1 = 100;

export interface HaPublisherOptions {
  client: MqttClient;
  log: Logger;
  /** QoS 2 publishes sent and not yet acknowledged (PUBCOMP), at most; default `HA_MAX_IN_FLIGHT`. */
  maxInFlight?: number;
  /** QoS 0 and 1 publishes sent and not yet acknowledged (PUBACK), at most; default `HA_MAX_IN_FLIGHT_QOS1`. */
  maxInFlightQos1?: number;
}

export interface HaPublisher {
  /**
   * Queues `p`; it is sent after everything queued before it, once fewer than its QoS's bound are unacknowledged.
   * `onDone` runs when the broker has acknowledged it (PUBACK, or PUBCOMP for QoS 2), or with the error.
   */
  publish(p: HaPublish, onDone?: (error?: Error) => void): void;
  /** Queued and not yet sent. */
  readonly queued: number;
  /** Sent and not yet acknowledged, of any QoS. */
  readonly inFlight: number;
}

export function createHaPublisher(o: HaPublisherOptions): HaPublisher {
  const maxInFlight = o.maxInFlight ?? HA_MAX_IN_FLIGHT;
  const maxInFlightQos1 = o.maxInFlightQos1 ?? HA_MAX_IN_FLIGHT_QOS1;
  for (const [name, value] of [
    ["maxInFlight", maxInFlight],
    ["maxInFlightQos1", maxInFlightQos1],
  ] as const)
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`${name}: ${value} is not accepted; use an integer of 1 or more`);
  // A queue with a head index: Array.shift copies the array, which a backlog of thousands makes quadratic.
  let waiting: { p: HaPublish; onDone?: (error?: Error) => void }[] = [];
  let head = 0;
  /** Unacknowledged, by QoS: [QoS 0 and 1, QoS 2]. */
  const inFlight = [0, 0];
  const room = (qos: number) => (qos === 2 ? inFlight[1] < maxInFlight : inFlight[0] < maxInFlightQos1);

  function drain(): void {
    // The head waits for room of its own QoS, and everything behind it waits too: the order is kept.
    while (head < waiting.length && room(waiting[head].p.qos)) {
      const { p, onDone } = waiting[head++];
      if (head === waiting.length || head >= 1024) (waiting = waiting.slice(head)), (head = 0);
      const bound = p.qos === 2 ? 1 : 0;
      inFlight[bound]++;
      // MQTT.js keeps an unacknowledged QoS 1/2 publish in its outgoing store across reconnects and calls
      // back on PUBACK/PUBCOMP; it calls back with an error only when the client is ended.
      o.client.publish(
        p.topic,
        typeof p.payload === "string" ? p.payload : Buffer.from(p.payload),
        { qos: p.qos, retain: p.retain },
        (error) => {
          inFlight[bound]--;
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
      return inFlight[0] + inFlight[1];
    },
  };
}
