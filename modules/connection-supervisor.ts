// SPDX-License-Identifier: MIT
// Keeps the device's MQTT session up: connects with the retained `offline` will, announces `online`,
// subscribes to the command topic, and reconnects with jittered exponential backoff after every drop.
import { createBackoff, randomUnit } from "./backoff.js";
import { utf8 } from "./bytes.js";
import type { Logger } from "./logger.js";
import type { CryptoPort, MqttPort, TimerHandle, TimerPort } from "./ports.js";
import type { DeviceTopics } from "./topics.js";

export interface ConnectionSupervisorOptions {
  mqtt: MqttPort;
  timers: TimerPort;
  crypto: CryptoPort;
  log: Logger;
  clientId: string;
  topics: DeviceTopics;
  keepAliveS: number;
  /** Backoff bounds in ms (defaults 1 s and 60 s). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Runs after each CONNACK, once `online` is published and the command topic subscribed. */
  onConnected(): void;
  /** A message on the command topic. */
  onCommand(payload: Uint8Array): void;
  /** More topics to subscribe to (QoS 1) on every connect, their messages going to `onOther`. */
  otherTopics?: readonly string[];
  onOther?(topic: string, payload: Uint8Array): void;
  /** When given, the confirmation topic is subscribed too (before `onConnected`), and its messages go here. */
  onConfirmations?(payload: Uint8Array): void;
}

/** Starts connecting at once. `close()` stops reconnecting; the caller closes the MQTT port. */
export function createConnectionSupervisor(o: ConnectionSupervisorOptions): { close(): void } {
  const { mqtt, topics, log } = o;
  const backoff = createBackoff({
    baseMs: o.backoffBaseMs ?? 1000,
    maxMs: o.backoffMaxMs ?? 60_000,
    random01: () => randomUnit(o.crypto.randomBytes),
  });
  let reconnectTimer: TimerHandle | undefined;
  let closed = false;
  const connect = () => {
    reconnectTimer = undefined;
    mqtt.connect({
      clientId: o.clientId,
      will: { topic: topics.status, payload: utf8("offline"), qos: 1, retain: true },
      keepAliveS: o.keepAliveS,
      onConnect: () => {
        log.info("connected", { attempts: backoff.attempts });
        backoff.reset();
        mqtt.publish(topics.status, utf8("online"), { qos: 1, retain: true });
        mqtt.subscribe(topics.command, 1);
        for (const topic of o.otherTopics ?? []) mqtt.subscribe(topic, 1);
        if (o.onConfirmations) mqtt.subscribe(topics.ack, 1);
        o.onConnected();
      },
      onDisconnect: (reason) => {
        if (closed || reconnectTimer) return;
        const delayMs = backoff.next();
        log.warn("disconnected; reconnecting", { reason, delayMs });
        reconnectTimer = o.timers.set(connect, delayMs);
      },
      onMessage: (topic, payload) => {
        if (topic === topics.command) o.onCommand(payload);
        else if (o.onOther && o.otherTopics?.includes(topic)) o.onOther(topic, payload);
        else if (topic === topics.ack && o.onConfirmations) o.onConfirmations(payload);
        else log.debug("message on an unexpected topic", { topic, size: payload.length });
      },
    });
  };
  connect();
  return {
    close() {
      closed = true;
      if (reconnectTimer) o.timers.clear(reconnectTimer);
    },
  };
}
