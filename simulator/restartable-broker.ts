// SPDX-License-Identifier: MIT
// The simulator's broker as a restartable service: the "restart the broker" fault stops it, waits, and
// starts it again on the same port with the same persistence (like Mosquitto with `persistence true`), so
// persistent sessions and their queued QoS 1 messages survive while every connection is cut.
import { createRequire } from "node:module";
import type { AedesPublishPacket, Client } from "aedes";
import {
  type BrokerCredentials,
  brokerCredentialsPath,
  createBrokerCredentials,
  isLoopbackHost,
} from "./broker-credentials.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "./embedded-broker.js";

export interface BrokerPublish {
  topic: string;
  payload: Uint8Array;
  qos: number;
  retain: boolean;
  /** The publishing client's id; undefined for the broker's own messages (such as a last will). */
  clientId?: string;
}

export interface RestartableBroker {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly up: boolean;
  /** Required of every client when the broker listens beyond loopback; undefined on loopback. */
  readonly credentials?: BrokerCredentials;
  /** Stops the broker (every client is disconnected), waits `downMs`, and starts it again. */
  restart(downMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface RestartableBrokerOptions {
  port: number;
  host: string;
  fallbackWhenBusy: boolean;
  /** Every PUBLISH the broker routes, except its own $SYS topics. */
  onPublish?(message: BrokerPublish): void;
  onState?(up: boolean): void;
  /**
   * Where credentials are written when they are required (`brokerCredentialsPath`): beyond loopback, or
   * with `requireCredentials`.
   */
  dataDir: string;
  /** Requires credentials even on loopback; default: only when `host` is not a loopback address. */
  requireCredentials?: boolean;
}

export async function startRestartableBroker(options: RestartableBrokerOptions): Promise<RestartableBroker> {
  const require = createRequire(import.meta.url);
  const memory = require("aedes-persistence") as () => unknown;
  const persistence = memory();
  let current: EmbeddedBroker | undefined;
  let closed = false;
  const credentials =
    (options.requireCredentials ?? !isLoopbackHost(options.host))
      ? createBrokerCredentials(brokerCredentialsPath(options.dataDir))
      : undefined;

  const start = async (port: number, fallbackWhenBusy: boolean) => {
    const b = await startEmbeddedBroker({ port, host: options.host, fallbackWhenBusy, persistence, credentials });
    b.broker.on("publish", (packet: AedesPublishPacket, client: Client | null) => {
      if (packet.topic.startsWith("$SYS/")) return;
      const payload =
        typeof packet.payload === "string" ? new TextEncoder().encode(packet.payload) : new Uint8Array(packet.payload);
      options.onPublish?.({
        topic: packet.topic,
        payload,
        qos: packet.qos,
        retain: packet.retain,
        clientId: client?.id,
      });
    });
    return b;
  };

  current = await start(options.port, options.fallbackWhenBusy);
  const port = current.port;
  return {
    host: options.host,
    port,
    credentials,
    url: `mqtt://${options.host === "0.0.0.0" || options.host === "::" ? "127.0.0.1" : options.host}:${port}`,
    get up() {
      return current !== undefined;
    },
    async restart(downMs = 1000) {
      const b = current;
      if (!b || closed) return;
      current = undefined;
      options.onState?.(false);
      await b.close();
      await new Promise((r) => setTimeout(r, downMs));
      if (closed) return;
      current = await start(port, false);
      options.onState?.(true);
    },
    async close() {
      closed = true;
      const b = current;
      current = undefined;
      await b?.close();
    },
  };
}
