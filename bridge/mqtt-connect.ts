// SPDX-License-Identifier: MIT
// The bridge's MQTT.js client over a socket watched by the packet-size guard. The bridge speaks MQTT 3.1.1
// (the simulator's embedded broker has no MQTT 5), where there is no Maximum Packet Size to announce, and
// MQTT.js would buffer a whole 100 MB PUBLISH before handing it over; here the connection is closed on its header.
// Nagle's algorithm is off (TCP_NODELAY): each QoS 2 step and each confirmation leaves without waiting for the
// broker's ACK; what the bridge writes in one turn of the event loop leaves together, in one send (docs/scaling.md).
import { connect as netConnect, isIP, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { MqttClient, type IClientOptions } from "mqtt";
import { createPacketSizeGuard, type GuardResult } from "./packet-size-guard.js";

export interface BoundedMqttOptions {
  /** `mqtts://host:port` (default port 8883) or `mqtt://host:port` (1883). */
  url: string;
  /** TLS material (PEM) for mqtts. */
  tls?: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer };
  /** MQTT.js options: client id, session, timers, protocol version. */
  mqtt: IClientOptions;
  /** Largest packet accepted from the broker, header included. */
  maxPacketBytes: number;
  /** Called once per refused packet, before the connection is closed; MQTT.js then reconnects. */
  onRefused(result: Extract<GuardResult, { ok: false }>): void;
}

/** Connects like `mqtt.connect(url, options)`, and refuses packets over `maxPacketBytes` at the stream layer. */
export function connectBoundedMqtt(o: BoundedMqttOptions): MqttClient {
  const url = new URL(o.url);
  const secure = url.protocol === "mqtts:";
  if (!secure && url.protocol !== "mqtt:")
    throw new Error(
      `broker.url: ${JSON.stringify(o.url)} is not accepted; expected mqtts://host:port or mqtt://host:port`,
    );
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || (secure ? 8883 : 1883));
  const build = (): Socket => {
    const socket = secure
      ? tlsConnect({ host, port, ...o.tls, servername: isIP(host) ? undefined : host, rejectUnauthorized: true })
      : netConnect({ host, port });
    // Small packets that answer the broker (PUBREL, PUBACK, confirmations) must not wait for the previous write's ACK.
    socket.setNoDelay(true);
    coalesceWrites(socket);
    const guard = createPacketSizeGuard(o.maxPacketBytes);
    socket.prependListener("data", (chunk: Buffer) => {
      const r = guard.push(chunk);
      if (r.ok || socket.destroyed) return;
      o.onRefused(r);
      socket.destroy(
        new Error(`MQTT packet of ${r.packetBytes} bytes refused (${r.reason}); limit ${o.maxPacketBytes}`),
      );
    });
    return socket;
  };
  return new MqttClient(build, { ...o.mqtt, host, port, protocol: secure ? "mqtts" : "mqtt" });
}

/**
 * Holds what is written to `socket` from its first write in a turn of the event loop until that turn's check phase
 * (setImmediate), then sends it all with one system call, in order. MQTT.js corks only until the next tick, so with
 * TCP_NODELAY each PUBACK, publish, PUBREL and confirmation was a send and a loopback segment of its own (3.5 per
 * event in the bridge bench).
 */
export function coalesceWrites(socket: Pick<Socket, "write" | "cork" | "uncork">): void {
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  const write = socket.write;
  socket.write = function (this: unknown, ...args: unknown[]) {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(uncork);
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof socket.write;
}
