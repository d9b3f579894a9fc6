// SPDX-License-Identifier: MIT
// Node-only test helpers: an MQTT client that records what it receives, and bounded waits. Every wait is
// bounded in time and fails with what it waited for; nothing asserts how long anything took.
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";

export interface Seen {
  topic: string;
  payload: Buffer;
  retain: boolean;
}

/** Resolves when `predicate` holds, polling every 10 ms; rejects after `limitMs` naming `what`. */
export async function until(predicate: () => boolean, what: string, limitMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > limitMs) throw new Error(`gave up after ${limitMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface Watcher {
  client: MqttClient;
  seen: Seen[];
  /** Messages on `topic`, in arrival order. */
  on(topic: string): Seen[];
  /** Waits for the `n`th message (1-based) on `topic` and returns it. */
  nth(topic: string, n: number, limitMs?: number): Promise<Seen>;
  close(): Promise<void>;
}

/** Connects, subscribes to `topics` at `qos` (1 unless given) and records every message. */
export async function watch(
  url: string,
  topics: string[],
  options: Partial<IClientOptions> = {},
  qos: 0 | 1 | 2 = 1,
): Promise<Watcher> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 500, connectTimeout: 5000, ...options });
  const seen: Seen[] = [];
  client.on("message", (topic, payload, packet) => seen.push({ topic, payload, retain: packet.retain }));
  await client.subscribeAsync(topics, { qos }); // MQTT.js subscribes again after a reconnect (resubscribe)
  const on = (topic: string) => seen.filter((s) => s.topic === topic);
  return {
    client,
    seen,
    on,
    async nth(topic, n, limitMs) {
      await until(() => on(topic).length >= n, `message ${n} on ${topic}`, limitMs);
      return on(topic)[n - 1];
    },
    close: () => client.endAsync(true),
  };
}

/** The ids of the `ring` events that Home Assistant's event entity (state topic `eventTopic`) received, in order. */
export function ringIdsSeen(w: Watcher, eventTopic: string): string[] {
  return w
    .on(eventTopic)
    .map((s) => JSON.parse(s.payload.toString()) as { event_type: string; id: string })
    .filter((e) => e.event_type === "ring")
    .map((e) => e.id);
}
