// SPDX-License-Identifier: MIT
// The MQTT port on Node over MQTT.js. Like Moddable's ECMA-419 client it neither retries nor reconnects
// by itself: a dropped session fails every unacknowledged publish, and the firmware decides what to resend.
// As ports.ts requires, onAck never runs inside publish() or close(): those failures go out on setImmediate.
// Nagle's algorithm is off once connected (TCP_NODELAY), so small packets leave at once.
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { MqttPort } from "../../modules/ports.js";

export interface NodeMqttOptions {
  /** e.g. mqtt://127.0.0.1:1883 or mqtts://broker:8883 */
  url: string;
  /**
   * TLS material and other MQTT.js options (ca, cert, key, rejectUnauthorized...). `connect()` sets clientId,
   * keepalive, clean, reconnectPeriod (0: no reconnect), connectTimeout and will itself, over any given here.
   */
  client?: Partial<IClientOptions>;
}

export function createNodeMqtt(options: NodeMqttOptions): MqttPort {
  let client: MqttClient | undefined;
  let connected = false;
  /** Unacknowledged publishes; `claim` hands out the onAck once, to whichever outcome comes first. */
  let pending = new Set<{ claim(): (error?: string) => void }>();

  function failPending(reason: string) {
    const failed = pending;
    pending = new Set();
    for (const entry of failed) entry.claim()(reason);
  }
  /** Fails what is unacknowledged on a later turn (from inside a port call), whatever MQTT.js reports meanwhile. */
  function failPendingLater(reason: string) {
    const claimed = [...pending].map((entry) => entry.claim());
    pending = new Set();
    if (claimed.length) setImmediate(() => claimed.forEach((ack) => ack(reason)));
  }

  return {
    connect(o) {
      const previous = client;
      client = undefined; // its close event must not reach the new session's callbacks
      connected = false;
      failPendingLater("superseded by a new connect");
      previous?.end(true);
      const c = mqtt.connect(options.url, {
        ...options.client,
        clientId: o.clientId,
        keepalive: o.keepAliveS,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: 10_000,
        will: { topic: o.will.topic, payload: Buffer.from(o.will.payload), qos: o.will.qos, retain: o.will.retain },
      });
      client = c;
      let open = false;
      c.on("connect", () => {
        // TCP_NODELAY: with outbox.confirm the next event waits for the bridge's confirmation, and its PUBLISH must not
        // wait behind Nagle for the ACK of the PUBACK just sent (the load bench's doorbells stalled ~90 ms per event).
        (c.stream as unknown as { setNoDelay?(noDelay: boolean): void }).setNoDelay?.(true);
        if (client !== c) return;
        open = connected = true;
        o.onConnect();
      });
      c.on("message", (topic, payload) => {
        if (client === c) o.onMessage(topic, new Uint8Array(payload));
      });
      const down = (reason: string) => {
        if (client !== c) return;
        const wasOpen = open;
        open = connected = false;
        failPending(reason);
        client = undefined;
        c.end(true);
        o.onDisconnect(wasOpen ? reason : `connect failed: ${reason}`);
      };
      c.on("error", (error) => down(error.message));
      c.on("close", () => down("connection closed"));
    },
    publish(topic, payload, po, onAck) {
      const c = client;
      if (!c || !connected) {
        if (onAck) setImmediate(() => onAck("not connected"));
        return;
      }
      let done = false;
      const entry = {
        claim() {
          if (done) return () => {};
          done = true;
          pending.delete(entry);
          return (error?: string) => onAck?.(error);
        },
      };
      pending.add(entry);
      c.publish(topic, Buffer.from(payload), { qos: po.qos, retain: po.retain, dup: po.dup }, (error) =>
        entry.claim()(error?.message),
      );
    },
    subscribe(topic, qos) {
      client?.subscribe(topic, { qos });
    },
    get connected() {
      return connected;
    },
    close() {
      const c = client;
      client = undefined;
      connected = false;
      failPendingLater("closed");
      c?.end(true);
    },
  };
}
