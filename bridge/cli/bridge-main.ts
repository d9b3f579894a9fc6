// SPDX-License-Identifier: MIT
// `doorbell-bridge`: runs the owner's receiver against the broker until SIGINT or SIGTERM.
// Settings: docs/home-assistant.md, or `doorbell-bridge --help`.
import { createLogger, type Logger } from "../../modules/logger.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { consoleLog } from "../../hosts/node/host.js";
import { startBridge } from "../bridge.js";
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
import { loadDevices } from "../devices.js";
import { createCommandSigner, readPrivateKey, readSigningPrivateKey, signingKeyBeside } from "../key-files.js";
import { connectBoundedMqtt } from "../mqtt-connect.js";
import { MAX_PACKET_BYTES } from "../provision/broker-limits.js";
import { createSnapshotStore } from "../snapshot-store.js";

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

/** Connects and starts the bridge; resolves to a stop function. Exported for tests. */
export function runBridge(config: BridgeConfig, log: Logger): { stop(): Promise<void> } {
  const crypto = createNodeCrypto();
  const ownerSecret = naming("ownerKey", () => readPrivateKey(config.ownerKey));
  const signing = naming("ownerKey", () => readSigningPrivateKey(signingKeyBeside(config.ownerKey)));
  const devices = naming("devicesDir", () => loadDevices(config.devicesDir));
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
    shareGroup: config.broker.shareGroup || undefined,
  });
  log.info("starting", { broker: config.broker.url, devices: devices.length });
  return {
    async stop() {
      bridge.close();
      state.close(); // the journal folded into the device files
      snapshots.close();
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
