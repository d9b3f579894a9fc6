// SPDX-License-Identifier: MIT
// `doorbell-bridge`: runs the owner's receiver against the broker until SIGINT or SIGTERM.
// Settings: docs/home-assistant.md, or `doorbell-bridge --help`.
import { createLogger, type Logger } from "../../modules/logger.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { consoleLog } from "../../hosts/node/host.js";
import type { MqttClient } from "mqtt";
import { type Bridge, startBridge } from "../bridge.js";
import { startUpdateServer, statusFirmware } from "../update/update-server.js";
import {
  BRIDGE_SETTINGS,
  BridgeConfigError,
  CONFIG_ENV,
  envName,
  flagName,
  loadBridgeConfig,
  readSettingFile,
  type BridgeConfig,
} from "../bridge-config.js";
import { createDeviceStateStore } from "../device-state.js";
import { type BridgeDevice, loadDevices } from "../devices.js";
import { createCommandSigner, readPrivateKey, readSigningPrivateKey, signingKeyBeside } from "../key-files.js";
import { connectBoundedMqtt } from "../mqtt-connect.js";
import { MAX_PACKET_BYTES } from "../provision/broker-limits.js";
import { pictureLinkBase, pictureLinkHost } from "../ha-pictures.js";
import { createSnapshotStore, type SnapshotStore } from "../snapshot-store.js";
import { createCameraFeed } from "../video/camera-feed.js";
import { createOwnerVideo, type OwnerVideo } from "../video/owner-video.js";
import { startVideoServer, type VideoServer } from "../video/video-server.js";
import { videoAccess } from "../video/video-settings.js";
import { haTopics } from "../ha-topics.js";

function usage(): string {
  const rows = Object.entries(BRIDGE_SETTINGS).map(
    ([name, spec]) =>
      `  ${flagName(name).padEnd(22)} ${envName(name).padEnd(30)} ${String(spec.default).padEnd(24)} ${spec.doc}`,
  );
  return [
    "usage: doorbell-bridge [--config <file.yaml|json>] [--<setting> <value>]...",
    "  Opens the doorbells' sealed events and serves them to Home Assistant over MQTT (docs/home-assistant.md).",
    `  Settings come from the config file (--config or ${CONFIG_ENV}; nested keys, e.g. snapshots: {keepDays: 7}),`,
    "  then environment variables, then flags, each overriding the one before. Paths default under --home.",
    `  ${"flag".padEnd(22)} ${"environment".padEnd(30)} ${"default".padEnd(24)} meaning`,
    ...rows,
  ].join("\n");
}

/** Runs `read`, prefixing any error with the setting that named the file. */
function naming<T>(setting: keyof typeof BRIDGE_SETTINGS, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new BridgeConfigError(
      `bridge setting ${setting} (${flagName(setting)}, ${envName(setting)}): ${(error as Error).message}`,
    );
  }
}

/** The owner's video (bridge/video/owner-video.ts) for the bridge's devices, and its HTTP(S) server. */
function serveVideo(
  config: BridgeConfig,
  access: ReturnType<typeof videoAccess>,
  devices: BridgeDevice[],
  client: MqttClient,
  bridge: Pick<Bridge, "sendCommand">,
  snapshots: SnapshotStore,
  log: Logger,
): { video: OwnerVideo; serving: Promise<VideoServer | undefined> } {
  const cameraTopic = new Map(devices.map((d) => [d.id, haTopics(d.topicRoot, d.id).live]));
  const video = createOwnerVideo({
    deviceIds: devices.map((d) => d.id),
    sendLiveView: (deviceId, live) => bridge.sendCommand(deviceId, { cmd: "live-view", live }),
    liveSeconds: config.video.liveSeconds,
    clips: { dir: config.clips.dir, keepDays: config.clips.keepDays, maxMB: config.clips.maxMB },
    // Live stills cross the broker in the clear: only when the owner opted in (ha.liveStillsOverMqtt).
    onLiveFrame: config.ha.liveStillsOverMqtt
      ? createCameraFeed({
          publish: (deviceId, jpeg) => {
            const topic = cameraTopic.get(deviceId);
            if (topic) client.publish(topic, Buffer.from(jpeg), { qos: 0, retain: false });
          },
        })
      : undefined,
    authorize: access.authorize,
    // Home Assistant's links to the snapshots (ha.pictures = url); 404 in mqtt mode, where no link is published.
    pictures: config.ha.pictures === "url" ? snapshots : undefined,
    log,
  });
  const serving = startVideoServer({
    host: config.video.host,
    port: config.video.port,
    tls: access.tls,
    handler: video.handler,
    log,
  }).catch((error: Error) => {
    log.error("live view and clips not served; set video.port or video.host", { reason: error.message });
    return undefined;
  });
  return { video, serving };
}

/** How pictures reach Home Assistant (ha.pictures): links to this bridge's picture route, or bytes on the broker. */
function pictureLinks(config: BridgeConfig, tls: boolean, log: Logger) {
  const linkHost = pictureLinkHost(config.video.host, config.ha.pictureHost);
  if (config.ha.pictures === "url" && linkHost.guessed)
    log.warn(
      `picture links name ${linkHost.host}, which Home Assistant reaches only on this machine: video.host ` +
        `${config.video.host} is every address; set ha.pictureHost to the name Home Assistant reaches the bridge by`,
    );
  const pictureBase = pictureLinkBase({ host: linkHost.host, port: config.video.port, tls });
  return { mode: config.ha.pictures, linkFor: (token: string) => `${pictureBase}${token}.jpg` };
}

/** Connects and starts the bridge; resolves to a stop function. Exported for tests. */
export function runBridge(config: BridgeConfig, log: Logger): { video: OwnerVideo; stop(): Promise<void> } {
  const crypto = createNodeCrypto();
  const ownerSecret = naming("ownerKey", () => readPrivateKey(config.ownerKey));
  const signing = naming("ownerKey", () => readSigningPrivateKey(signingKeyBeside(config.ownerKey)));
  const devices = naming("devicesDir", () => loadDevices(config.devicesDir));
  const access = videoAccess(config.video);
  if (!devices.length)
    throw new BridgeConfigError(
      `bridge setting devicesDir: no device bundles in ${config.devicesDir}; run doorbell device add`,
    );
  const tls = config.broker.url.startsWith("mqtts:")
    ? {
        ca: readSettingFile("broker.ca", config.broker.ca),
        cert: readSettingFile("broker.cert", config.broker.cert),
        key: readSettingFile("broker.key", config.broker.key),
      }
    : {};
  const mqttLog = log.child("mqtt");
  // Over MQTT 3.1.1 there is no Maximum Packet Size to announce: a larger packet closes the connection on its header.
  const client = connectBoundedMqtt({
    url: config.broker.url,
    tls,
    mqtt: {
      clientId: config.broker.clientId,
      clean: false,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      protocolVersion: 4,
    },
    maxPacketBytes: MAX_PACKET_BYTES,
    onRefused: (r) =>
      mqttLog.error("packet from the broker refused; reconnecting", {
        bytes: r.packetBytes,
        reason: r.reason,
        limit: MAX_PACKET_BYTES,
      }),
  });
  client.on("error", (error) => mqttLog.warn("broker connection problem", { reason: error.message }));
  client.on("offline", () => mqttLog.warn("broker unreachable; retrying", { url: config.broker.url }));
  const snapshots = createSnapshotStore({
    dir: config.snapshots.dir,
    keepDays: config.snapshots.keepDays,
    maxMB: config.snapshots.maxMB,
    log: log.child("snaps"),
  });
  const state = createDeviceStateStore(config.stateDir);
  const updates = startUpdateServer({
    client,
    devices: devices.map((d) => ({ id: d.id, topicRoot: d.topicRoot })),
    dir: config.updatesDir,
    log: log.child("update"),
  });
  const bridge = startBridge({
    client,
    crypto,
    ownerSecret,
    signCommand: createCommandSigner(signing),
    devices,
    log: log.child("bridge"),
    state,
    snapshots,
    discoveryPrefix: config.discovery.prefix,
    motionOffDelayS: config.motion.offDelayS,
    pictures: pictureLinks(config, Boolean(access.tls), log),
    liveStills: config.ha.liveStillsOverMqtt,
    shareGroup: config.broker.shareGroup || undefined,
    onLiveButton: (deviceId) => video.demand.hold(deviceId, config.video.buttonSeconds),
    // Authenticated frames from the stream opener go to the live view and the clip store (`video` comes after).
    frameSink: { frame: (f) => video.sink.frame(f), streamEnded: (s) => video.sink.streamEnded(s) },
    // The version each doorbell runs, for the `update` entity (bridge/update/update-server.ts).
    onEvent: (id, header) => {
      const fw = statusFirmware(header);
      if (fw) updates.statusSeen(id, fw);
    },
  });
  const { video, serving } = serveVideo(config, access, devices, client, bridge, snapshots, log.child("video"));
  log.info("starting", { broker: config.broker.url, devices: devices.length });
  return {
    video,
    async stop() {
      bridge.close();
      updates.close();
      state.close(); // the journal folded into the device files
      snapshots.close();
      await (await serving)?.close();
      await video.close();
      await client.endAsync();
    },
  };
}

/** The command: parses the settings, runs until a signal. */
export function main(): void {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) return void console.log(usage());
  const log = createLogger(consoleLog(), "main");
  let running: { stop(): Promise<void> };
  try {
    running = runBridge(loadBridgeConfig({ argv, env: process.env, cwd: process.cwd() }), log);
  } catch (error) {
    console.error(`doorbell-bridge: ${(error as Error).message}`);
    process.exitCode = error instanceof BridgeConfigError ? 2 : 1;
    return;
  }
  const stop = () => {
    log.info("stopping");
    running.stop().finally(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
