// SPDX-License-Identifier: MIT
// The owner's side of the simulation: the real bridge (bridge/bridge.ts), as `doorbell-bridge` runs it, on its
// own persistent MQTT session. It opens the device's sealed events, dedupes them, and publishes Home
// Assistant discovery and states on the broker; the page and the scenarios see each event it accepts.
import mqtt from "mqtt";
import { startBridge } from "../bridge/bridge.js";
import { nextCommandSeq } from "../bridge/command-sender.js";
import { createDeviceStateStore } from "../bridge/device-state.js";
import { toHex } from "../modules/bytes.js";
import { sealCommand } from "../modules/commands.js";
import { createLogger } from "../modules/logger.js";
import { deviceTopics } from "../modules/topics.js";
import type { CryptoPort, LogPort } from "../modules/ports.js";
import type { BrokerCredentials } from "./broker-credentials.js";

/** The bridge's MQTT client id. */
export const BRIDGE_CLIENT_ID = "doorbell-bridge";

/** One event as the owner's bridge opened and accepted it. */
export interface OwnerEvent {
  id: string;
  type: string;
  seq: number;
  /** The opened header (id, type, seq, device, atMs, frameAgeMs, of, reason, box, stats...). */
  header: Record<string, unknown>;
  jpeg?: Uint8Array;
  /** Size of the ciphertext the broker carried. */
  sealedBytes: number;
}

export interface OwnerSideOptions {
  url: string;
  /** The broker's user name and password, when it requires them (beyond loopback). */
  credentials?: BrokerCredentials;
  crypto: CryptoPort;
  ownerSecret: Uint8Array;
  /** Signs commands with the owner's P-256 key (simulator/sim-keys.ts). */
  signCommand(message: Uint8Array): Uint8Array;
  deviceId: string;
  deviceName: string;
  devicePublic: Uint8Array;
  topicRoot: string;
  /** The bridge's state (last accepted sequence numbers, recent ids), kept across restarts of the simulation. */
  dataDir: string;
  /** The bridge's log lines. */
  log: LogPort;
  onEvent(event: OwnerEvent): void;
}

export interface OwnerSide {
  /** What is running, for the page. */
  readonly name: string;
  /**
   * Seals and signs a `set-config` command, as `doorbell command set-config` does, and publishes it to the device
   * (QoS 1); the device validates it whole, persists it and restarts on it. Resolves once the broker has it.
   */
  sendConfig(config: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function startOwnerSide(o: OwnerSideOptions): Promise<OwnerSide> {
  // A persistent session (clean: false), as doorbell-bridge uses: the broker queues events while it is away.
  const client = await mqtt.connectAsync(o.url, {
    ...o.credentials,
    clientId: BRIDGE_CLIENT_ID,
    clean: false,
    reconnectPeriod: 500,
    protocolVersion: 4,
  });
  const state = createDeviceStateStore(o.dataDir);
  const bridge = startBridge({
    client,
    crypto: o.crypto,
    ownerSecret: o.ownerSecret,
    signCommand: o.signCommand,
    devices: [
      { id: o.deviceId, name: o.deviceName, topicRoot: o.topicRoot, statusIntervalS: 300, publicKey: o.devicePublic },
    ],
    state,
    log: createLogger(o.log, "bridge"),
    discoveryPrefix: "homeassistant",
    motionOffDelayS: 30,
    onEvent: (_device, header, jpeg, sealedBytes) =>
      o.onEvent({
        id: String(header.id),
        type: String(header.type),
        seq: Number(header.seq),
        header,
        jpeg,
        sealedBytes,
      }),
  });
  return {
    name: "doorbell-bridge",
    async sendConfig(config) {
      const topic = deviceTopics(o.topicRoot, o.deviceId).command;
      const now = Date.now();
      const sealed = sealCommand({
        crypto: o.crypto,
        ownerSecret: o.ownerSecret,
        sign: o.signCommand,
        devicePublicKey: o.devicePublic,
        deviceId: o.deviceId,
        topic,
        seq: nextCommandSeq(state, o.deviceId, now),
        command: { v: 1, cmd: "set-config", id: toHex(o.crypto.randomBytes(8)), atMs: now, config },
      });
      await client.publishAsync(topic, Buffer.from(sealed), { qos: 1, retain: false });
    },
    async close() {
      bridge.close();
      state.close(); // the journal folded into the device files
      await client.endAsync();
    },
  };
}
