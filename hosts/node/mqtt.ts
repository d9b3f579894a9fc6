// SPDX-License-Identifier: MIT
// The MQTT port on Node over MQTT.js. Like Moddable's ECMA-419 client it neither retries nor reconnects
// by itself: a dropped session fails every unacknowledged publish, and the firmware decides what to resend.
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
  let pending = new Set<(error?: string) => void>();

  function failPending(reason: string) {
    const failed = pending;
    pending = new Set();
    for (const ack of failed) ack(reason);
  }

  return {
    connect(o) {
      client?.end(true);
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
        onAck?.("not connected");
        return;
      }
      let done = false;
      const ack = (error?: string) => {
        if (done) return;
        done = true;
        pending.delete(ack);
        onAck?.(error);
      };
      pending.add(ack);
      c.publish(topic, Buffer.from(payload), { qos: po.qos, retain: po.retain, dup: po.dup }, (error) =>
        ack(error?.message),
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
      failPending("closed");
      c?.end(true);
    },
  };
}
