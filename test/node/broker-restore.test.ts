// SPDX-License-Identifier: MIT
// A bridge restored from an old backup (issue 17, docs/delivery.md "A bridge that lost its state"), against Debian's
// Mosquitto with the generated TLS listener and ACL: the bridge's state directory is backed up, more rings are
// delivered (their sealed envelopes recorded as someone on the broker could), the bridge stops, its state is restored
// from the backup, and it starts again. The doorbell (firmware on the Node host, `outbox.confirm` on) rings while the
// bridge is away, and the recorded envelopes are replayed on the broker, before the restart (queued in the bridge's
// session) and after it. The bridge asks the device for its delivery floor with a sealed `sync` command, and no old
// ring reaches Home Assistant again, while the new ones do, once each, in order. Every wait is bounded.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import mqtt from "mqtt";
import { loadBridgeConfig } from "../../bridge/bridge-config.js";
import { runBridge } from "../../bridge/cli/bridge-main.js";
import { addDevice } from "../../bridge/provision/add-device.js";
import { homeLayout } from "../../bridge/provision/home-layout.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { loadNodeDeviceBundle } from "../../hosts/node/device-bundle.js";
import { createNodeHost, type NodeHost } from "../../hosts/node/host.js";
import { startFirmware, type Firmware } from "../../modules/firmware.js";
import { createLogger } from "../../modules/logger.js";
import { freePort, type Mosquitto, startMosquitto } from "../support/mosquitto.js";
import { ringIdsSeen, until, type Watcher, watch } from "../support/mqtt-watch.js";
import { createOwnerHome } from "../support/owner-home.js";

const crypto = createNodeCrypto();
const SEALED_EVENT = "doorbell/frontdoor/sealed/event";
const HA_EVENT = "doorbell/frontdoor/event";

const dir = mkdtempSync(join(tmpdir(), "doorbell-restore-"));
const home = join(dir, "home");
const layout = homeLayout(home);
const backup = join(dir, "state-backup");
const bridgeLines: string[] = [];
const deviceLines: string[] = [];
/** Ring ids in the order the device made them. */
const ringIds: string[] = [];
/** Every sealed event envelope the device published while `recording`, once each, in order. */
const recorded: Buffer[] = [];
let recording = false;
let broker: Mosquitto;
let url: string;
let bridge: { stop(): Promise<void> } | undefined;
let ha: Watcher;
let host: NodeHost;
let fw: Firmware;

const pem = (path: string) => readFileSync(path);
const tlsAs = (cert: string, key: string) => ({
  ca: [pem(layout.caCert)],
  cert: pem(cert),
  key: pem(key),
  rejectUnauthorized: true,
});

function startTheBridge(): void {
  const log = createLogger(
    { write: (level, tag, message) => void bridgeLines.push(`${level} ${tag} ${message}`) },
    "bridge",
  );
  bridge = runBridge(loadBridgeConfig({ argv: ["--home", home, "--broker-url", url], env: {}, cwd: dir }), log);
}

before(async () => {
  createOwnerHome(home, crypto);
  const port = await freePort();
  addDevice({ home, name: "frontdoor", brokerHost: "127.0.0.1", brokerPort: port, crypto });
  broker = await startMosquitto({ dir, listenerConf: layout.mosquittoConf, port, saveOnEveryChange: true });
  url = `mqtts://127.0.0.1:${port}`;
  startTheBridge();
  ha = await watch(
    url,
    [HA_EVENT],
    { clientId: "ha-stand-in", clean: false, ...tlsAs(layout.homeAssistantCert, layout.homeAssistantKey) },
    2,
  );
  const bundle = loadNodeDeviceBundle(layout.deviceDir("frontdoor"));
  host = createNodeHost({
    storageDir: join(dir, "frontdoor-storage"),
    mqtt: bundle.mqtt,
    log: {
      write: (level, tag, message) => {
        deviceLines.push(`${level} ${tag} ${message}`);
        if (tag === "ring" && message.startsWith("ring id=")) ringIds.push(message.slice(8, 24));
      },
    },
  });
  // What someone on the broker sees of the device's events: the sealed bytes, recorded on their way out.
  const port0 = host.mqtt;
  const publish = port0.publish.bind(port0);
  port0.publish = (topic, payload, options, onAck) => {
    if (recording && topic === SEALED_EVENT && !recorded.some((r) => r.equals(payload)))
      recorded.push(Buffer.from(payload));
    publish(topic, payload, options, onAck);
  };
  const config = {
    ...bundle.config,
    button: { cooldownS: 0 },
    camera: { framePeriodMs: 20, followUpMs: 0 },
    outbox: { confirm: true, confirmTimeoutS: 2 },
  };
  fw = startFirmware(host, { config, firmwareVersion: "1.0.0-test", deviceKey: bundle.deviceKey });
  await until(
    () => host.mqtt.connected && fw.delivery.stats.confirmed >= 1 && fw.delivery.stats.queued === 0,
    "the doorbell online, its status event confirmed",
    30_000,
  );
});

after(async () => {
  fw?.close();
  await ha?.close();
  await bridge?.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const ringsAtHa = () => ringIdsSeen(ha, HA_EVENT);

const where = () =>
  `${ringIds.length} rings made, ${ringsAtHa().length} at Home Assistant, outbox ${JSON.stringify(fw.delivery.stats)}\n` +
  `device:\n${deviceLines.slice(-15).join("\n")}\nbridge:\n${bridgeLines.slice(-15).join("\n")}`;

/** Rings `n` times and waits until the broker has them all (PUBACK). */
async function ring(n: number): Promise<void> {
  const made = ringIds.length;
  for (let i = 0; i < n; i++) {
    fw.ring.press(host.clock.monotonicMs());
    await new Promise((r) => setTimeout(r, 50));
  }
  await until(() => ringIds.length === made + n, `${n} rings made`, 15_000);
}

async function delivered(rings: number, what: string): Promise<void> {
  await until(() => ringsAtHa().length >= rings && fw.delivery.stats.queued === 0, what, 60_000).catch(
    (error: Error) => {
      throw new Error(`${error.message}: ${where()}`);
    },
  );
}

/**
 * Replays `envelopes` on the device's event topic with the device's own certificate (the broker's ACL lets only the
 * device write there; the broker operator or a thief of that certificate can): the broker hands them to the bridge.
 * Taking the device's client id disconnects the doorbell for a moment; it reconnects by itself.
 */
async function replay(envelopes: Buffer[]): Promise<void> {
  const { mqtt: credentials } = loadNodeDeviceBundle(layout.deviceDir("frontdoor"));
  const thief = await mqtt.connectAsync(url, {
    ...credentials.client,
    clientId: "frontdoor",
    clean: true,
    reconnectPeriod: 0,
  });
  try {
    for (const e of envelopes) await thief.publishAsync(SEALED_EVENT, e, { qos: 1 });
  } finally {
    await thief.endAsync(true).catch(() => {});
  }
}

const TITLE =
  "old envelopes replayed on the broker, and the device's own resends: " +
  "no old ring reaches Home Assistant again; new rings do, once each, in order";

describe("a bridge restored from an old backup delivers no old event again", () => {
  test(TITLE, async () => {
    await ring(3);
    await delivered(3, "the first 3 rings at Home Assistant");
    cpSync(layout.bridgeState, backup, { recursive: true }); // the backup

    recording = true;
    await ring(4);
    await delivered(7, "4 more rings at Home Assistant");
    recording = false;
    const old = ringIds.slice(0, 7);
    assert.ok(recorded.length >= 4, `the 4 rings' envelopes were recorded (${recorded.length} envelopes)`);

    // The bridge goes down and comes back with its state from the backup: 4 rings older than what it knows.
    await bridge?.stop();
    bridge = undefined;
    rmSync(layout.bridgeState, { recursive: true, force: true });
    cpSync(backup, layout.bridgeState, { recursive: true });
    // Queued in the bridge's session, oldest first: the recorded envelopes, then a ring made while the bridge is away
    // (the device keeps it until it is confirmed, and sends it again meanwhile).
    await replay(recorded);
    await until(() => host.mqtt.connected, "the doorbell back online", 15_000);
    const published = fw.delivery.stats.published;
    await ring(2);
    await until(
      () => fw.delivery.stats.published > published,
      "the broker to take a ring while the bridge is away",
      15_000,
    );
    startTheBridge();
    await delivered(9, "the 2 rings made while the bridge was away at Home Assistant");

    await until(() => host.mqtt.connected, "the doorbell back online", 15_000);
    await replay(recorded); // and again, now that the bridge is in sync
    await until(() => host.mqtt.connected, "the doorbell back online", 15_000);
    await ring(1); // behind the replays in the bridge's session: when it is at Home Assistant, they were handled
    await delivered(10, "the last ring at Home Assistant");

    const rings = ringsAtHa();
    assert.deepEqual(rings, ringIds, "every ring exactly once, in order: no old ring again, every new one");
    assert.equal(new Set(rings.slice(7)).size, 3);
    assert.ok(!rings.slice(7).some((id) => old.includes(id)), "no old ring after the restore");
    const synced = bridgeLines.filter((l) => l.includes("device in sync device=frontdoor"));
    assert.ok(synced.length >= 2, `the bridge asked the device at each start:\n${synced.join("\n")}`);
    const refused = bridgeLines.filter((l) => l.includes("replayed event refused"));
    assert.ok(refused.length > 0, "the replayed envelopes were refused as replays");
  });
});
