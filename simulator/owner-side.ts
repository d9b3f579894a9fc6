// SPDX-License-Identifier: MIT
// The owner's side of the simulation: the real bridge (bridge/bridge.ts), as `doorbell-bridge` runs it, on its
// own persistent MQTT session. It opens the device's sealed events, dedupes them, and publishes Home
// Assistant discovery and states on the broker; the page and the scenarios see each event it accepts.
import mqtt from "mqtt";
import { startBridge } from "../bridge/bridge.js";
import { nextCommandSeq } from "../bridge/command-sender.js";
import { createDeviceStateStore } from "../bridge/device-state.js";
import { createOwnerVideo, type OwnerVideo } from "../bridge/video/owner-video.js";
import { toHex } from "../modules/bytes.js";
import { sealCommand } from "../modules/commands.js";
import { createLogger } from "../modules/logger.js";
import { join } from "node:path";
import { deviceTopics } from "../modules/topics.js";
import type { CryptoPort, LogPort } from "../modules/ports.js";
import type { Command, LiveViewRequest } from "../modules/commands.js";
import type { FrameSink } from "../bridge/video/opened-frame.js";
import type { BrokerCredentials } from "./broker-credentials.js";
import { startUpdateServer, statusFirmware, type UpdateServer } from "../bridge/update/update-server.js";

/** How long Home Assistant's Start live view button keeps the live view on, as doorbell-bridge's default. */
const LIVE_BUTTON_S = 60;

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
  /** Where the bridge's authenticated video frames and stream summaries go. */
  frameSink?: FrameSink;
  /** Each update progress message of the device (bridge/update/update-server.ts). */
  onUpdateProgress?(progress: Record<string, unknown>): void;
}

export interface OwnerSide {
  /** What is running, for the page. */
  readonly name: string;
  /**
   * Seals and signs a `set-config` command, as `doorbell command set-config` does, and publishes it to the device
   * (QoS 1); the device validates it whole, persists it and restarts on it. Resolves once the broker has it.
   */
  sendConfig(config: Record<string, unknown>): Promise<void>;
  /** Seals and signs a `live-view` command, as `doorbell command live-view` does, and publishes it (QoS 1). */
  sendLiveView(live: LiveViewRequest): Promise<void>;
  /**
   * The owner's video as doorbell-bridge runs it: the live view (MJPEG) and the clips, served by the page under
   * /owner/ (simulator/web-server.ts). Its `sink` takes the frames the stream opener authenticates.
   */
  readonly video: OwnerVideo;
  /** The bridge's update server, on the owner's updates folder (`<dataDir>/updates`, docs/ota.md). */
  readonly updates: UpdateServer;
  readonly updatesDir: string;
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
  const updatesDir = join(o.dataDir, "updates");
  const updates = startUpdateServer({
    client,
    devices: [{ id: o.deviceId, topicRoot: o.topicRoot }],
    dir: updatesDir,
    log: createLogger(o.log, "update"),
    scanMs: 0,
    onProgress: (_id, p) => o.onUpdateProgress?.(p),
  });
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
    // Both the page's owner video and the simulator's journal see every authenticated frame; `video` is made
    // after the bridge, hence the closures.
    frameSink: {
      frame: (f) => {
        video.sink.frame(f);
        o.frameSink?.frame(f);
      },
      streamEnded: (s) => {
        video.sink.streamEnded(s);
        o.frameSink?.streamEnded(s);
      },
    },
    onLiveButton: (deviceId) => video.demand.hold(deviceId, LIVE_BUTTON_S),
    onEvent: (device, header, jpeg, sealedBytes) => {
      const fw = statusFirmware(header);
      if (fw) updates.statusSeen(device, fw);
      o.onEvent({
        id: String(header.id),
        type: String(header.type),
        seq: Number(header.seq),
        header,
        jpeg,
        sealedBytes,
      });
    },
  });
  /** Seals, signs and publishes one command with `body` (QoS 1), numbered in the bridge's state. */
  const send = async (cmd: Command["cmd"], body: Record<string, unknown>) => {
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
      command: { v: 1, cmd, id: toHex(o.crypto.randomBytes(8)), atMs: now, ...body } as Command,
    });
    await client.publishAsync(topic, Buffer.from(sealed), { qos: 1, retain: false });
  };
  const video = createOwnerVideo({
    deviceIds: [o.deviceId],
    sendLiveView: (deviceId, live) => bridge.sendCommand(deviceId, { cmd: "live-view", live }),
    clips: { dir: join(o.dataDir, "clips"), keepDays: 7, maxMB: 500 },
    log: createLogger(o.log, "video"),
  });
  return {
    name: "doorbell-bridge",
    video,
    updates,
    updatesDir,
    sendConfig: (config) => send("set-config", { config }),
    sendLiveView: (live) => send("live-view", { live }),
    async close() {
      updates.close();
      bridge.close();
      await video.close();
      state.close(); // the journal folded into the device files
      await client.endAsync();
    },
  };
}
