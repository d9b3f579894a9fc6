// SPDX-License-Identifier: MIT
// One owner's bridge process for the load bench (forked, IPC): the real bridge (bridge/bridge.ts) with
// its durable per-device state, over MQTT.js. With `shareGroup` (the bridge's `broker.shareGroup`
// setting) it subscribes through `$share/<group>/...`, so several bridge processes split the events.
import { createPrivateKey } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromHex } from "../../modules/bytes.js";
import { createLogger } from "../../modules/logger.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { startBridge } from "../../bridge/bridge.js";
import { createDeviceStateStore } from "../../bridge/device-state.js";
import { createSnapshotStore } from "../../bridge/snapshot-store.js";
import { createCommandSigner, generateSigningKey } from "../../bridge/key-files.js";
import { connectBoundedMqtt } from "../../bridge/mqtt-connect.js";
import { MAX_PACKET_BYTES } from "../../bridge/provision/broker-limits.js";

export interface BridgeWorkerConfig {
  url: string;
  name: string;
  ownerSecretHex: string;
  /** Device id -> public key hex. */
  devices: Record<string, string>;
  topicRoot: string;
  /** The `$share` group, or undefined for plain subscriptions. */
  shareGroup?: string;
  /**
   * End-to-end delivery confirmation (docs/delivery.md): the bridge confirms each event to its device once it
   * is durable and published to Home Assistant (BridgeOptions.confirmDelivery). Off: it confirms nothing.
   */
  confirm: boolean;
  /** The owner's command-signing key (PKCS#8 PEM) the doorbells trust, for the bridge's `sync` question; default a fresh one. */
  signingKeyPem?: string;
}

export interface BridgeWorkerStats {
  name: string;
  opened: number;
  duplicates: number;
  /** Size of the largest envelope opened. */
  envelopeBytes: number;
  refused: Record<string, number>;
  /** CPU time (user + system) the process used from ready to stop, ms. */
  cpuMs: number;
}

async function run(config: BridgeWorkerConfig): Promise<void> {
  const crypto = createNodeCrypto();
  let problems = 0;
  const log = createLogger({ write: (level) => void (level === "error" ? problems++ : 0) }, "bridge");
  // The bridge's own connection (bridge/cli/bridge-main.ts): the packet-size guard, TCP_NODELAY, MQTT 3.1.1.
  const client = connectBoundedMqtt({
    url: config.url,
    mqtt: { clientId: `bench-${config.name}`, clean: true, reconnectPeriod: 0, protocolVersion: 4 },
    maxPacketBytes: MAX_PACKET_BYTES,
    onRefused: () => void problems++,
  });
  await new Promise<void>((resolve, reject) => {
    client.once("connect", () => resolve());
    client.once("error", reject);
  });
  let envelopeBytes = 0;
  const stateDir = mkdtempSync(join(tmpdir(), `doorbell-${config.name}-`));
  const bridge = startBridge({
    client,
    shareGroup: config.shareGroup,
    crypto,
    ownerSecret: fromHex(config.ownerSecretHex),
    // With confirmations the bridge asks each doorbell its delivery floor once (a signed `sync` command).
    signCommand: createCommandSigner(
      config.signingKeyPem ? createPrivateKey({ key: config.signingKeyPem, format: "pem" }) : generateSigningKey(),
    ),
    log,
    devices: Object.entries(config.devices).map(([id, hex]) => ({
      id,
      name: id,
      topicRoot: config.topicRoot,
      statusIntervalS: 0,
      publicKey: fromHex(hex),
    })),
    state: createDeviceStateStore(join(stateDir, "state")),
    // As doorbell-bridge runs by default: each opened picture kept on disk, and a link to it (ha.pictures: url)
    // published, retained, before the ring (bridge/cli/bridge-main.ts).
    snapshots: createSnapshotStore({ dir: join(stateDir, "snapshots"), keepDays: 30, maxMB: 1000, log }),
    pictures: { mode: "url", linkFor: (token) => `http://127.0.0.1:8081/pictures/${token}.jpg` },
    discoveryPrefix: "homeassistant",
    motionOffDelayS: 30,
    onEvent: (_id, _header, _jpeg, sealedBytes) => void (envelopeBytes = Math.max(envelopeBytes, sealedBytes)),
    openThreads: Number(process.env.BENCH_OPEN_THREADS ?? 0),
    confirmDelivery: config.confirm,
  });
  await new Promise((r) => setTimeout(r, 200)); // the subscriptions (made in the connect handler) are granted
  const cpuAtReady = process.cpuUsage();
  process.send!({ ready: true });
  process.on("message", (message: { stop?: boolean }) => {
    if (!message.stop) return;
    const s = bridge.stats;
    const stats: BridgeWorkerStats = {
      name: config.name,
      opened: s.opened,
      duplicates: s.duplicates,
      envelopeBytes,
      refused: { ...s.refused, ...(problems ? { errors: problems } : {}) },
      cpuMs: cpuMsSince(cpuAtReady),
    };
    bridge.close();
    rmSync(stateDir, { recursive: true, force: true });
    process.send!({ stats }, () => void client.endAsync().then(() => process.exit(0)));
  });
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return Math.round((used.user + used.system) / 1000);
}

process.once(
  "message",
  (config: BridgeWorkerConfig) =>
    void run(config).catch((error) => {
      process.stderr.write(`bench bridge ${config.name}: ${(error as Error).message}\n`);
      process.exit(1);
    }),
);
