// SPDX-License-Identifier: MIT
// Delivery confirmations against Debian's Mosquitto (TLS, the generated ACL; docs/delivery.md): a doorbell with
// outbox.confirm keeps each event until the bridge confirms it. An attacker with the bridge's stolen certificate (but
// not the owner's key) takes over the bridge's client id, so the broker hands it the bridge's session and the events
// queued there, which it acknowledges and drops; it also publishes forged confirmations for them. The device refuses
// each forgery, sends the events again when no genuine confirmation comes, and Home Assistant gets every ring once, in
// order. Every wait is bounded.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import mqtt, { type MqttClient } from "mqtt";
import { loadBridgeConfig } from "../../bridge/bridge-config.js";
import { runBridge } from "../../bridge/cli/bridge-main.js";
import { addDevice } from "../../bridge/provision/add-device.js";
import { homeLayout } from "../../bridge/provision/home-layout.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { loadNodeDeviceBundle } from "../../hosts/node/device-bundle.js";
import { createNodeHost, type NodeHost } from "../../hosts/node/host.js";
import { createSyntheticCamera } from "../../hosts/node/synthetic-camera.js";
import { encodeConfirmations } from "../../modules/envelope/confirmation.js";
import { startFirmware, type Firmware } from "../../modules/firmware.js";
import { createLogger } from "../../modules/logger.js";
import { freePort, type Mosquitto, startMosquitto } from "../support/mosquitto.js";
import { until, type Watcher, watch } from "../support/mqtt-watch.js";
import { createOwnerHome } from "../support/owner-home.js";

const crypto = createNodeCrypto();
const SEALED_EVENT = "doorbell/frontdoor/sealed/event";
const ACK = "doorbell/frontdoor/sealed/ack";
const HA_EVENT = "doorbell/frontdoor/event";
const RINGS = 4;
const TAKEOVER_TRIES = 6;

const dir = mkdtempSync(join(tmpdir(), "doorbell-confirm-broker-"));
const home = join(dir, "home");
const layout = homeLayout(home);
const ownerSecret = crypto.randomBytes(32);
const bridgeLines: string[] = [];
const deviceLines: string[] = [];
let broker: Mosquitto;
let url: string;
let bridge: { stop(): Promise<void> };
let ha: Watcher;
let host: NodeHost;
let fw: Firmware;

const tlsAs = (cert: string, key: string) => ({
  ca: [readFileSync(layout.caCert)],
  cert: readFileSync(cert),
  key: readFileSync(key),
  rejectUnauthorized: true,
});
const rings = () =>
  ha
    .on(HA_EVENT)
    .map((s) => JSON.parse(s.payload.toString()) as { event_type: string; id: string; seq: number })
    .filter((e) => e.event_type === "ring");

before(async () => {
  createOwnerHome(home, crypto, ownerSecret);
  const port = await freePort();
  addDevice({ home, name: "frontdoor", brokerHost: "127.0.0.1", brokerPort: port, crypto });
  broker = await startMosquitto({ dir, listenerConf: layout.mosquittoConf, port });
  url = `mqtts://127.0.0.1:${port}`;
  const log = createLogger(
    { write: (level, tag, message) => void bridgeLines.push(`${level} ${tag} ${message}`) },
    "bridge",
  );
  bridge = runBridge(loadBridgeConfig({ argv: ["--home", home, "--broker-url", url], env: {}, cwd: dir }), log);
  ha = await watch(url, ["doorbell/+/event"], {
    clientId: "ha-stand-in",
    ...tlsAs(layout.homeAssistantCert, layout.homeAssistantKey),
  });
  const bundle = loadNodeDeviceBundle(layout.deviceDir("frontdoor"));
  host = createNodeHost({
    storageDir: join(dir, "frontdoor-storage"),
    mqtt: bundle.mqtt,
    camera: (clock) => createSyntheticCamera({ clock, framePeriodMs: 100, width: 160, height: 120 }),
    log: { write: (level, tag, message) => void deviceLines.push(`${level} ${tag} ${message}`) },
  });
  const config = {
    ...bundle.config,
    button: { ...(bundle.config.button as object | undefined), cooldownS: 0 },
    outbox: { ...(bundle.config.outbox as object | undefined), confirm: true, confirmTimeoutS: 2 },
  };
  fw = startFirmware(host, { config, firmwareVersion: "1.0.0-test", deviceKey: bundle.deviceKey });
  await until(() => host.mqtt.connected && fw.delivery.stats.confirmed >= 1, "the status event confirmed", 30_000);
});

after(async () => {
  fw?.close();
  await ha?.close();
  await bridge?.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function press(): Promise<void> {
  host.button.set(1, 6);
  await new Promise((r) => setTimeout(r, 150));
  host.button.set(0, 6);
  await new Promise((r) => setTimeout(r, 150));
}

/**
 * With the bridge's certificate, takes over its client id (and so its persistent session), presses the button, and
 * answers every sealed event it gets with a forged confirmation for its (clear) sequence number. Returns how many
 * sealed events it took from the bridge's session before the bridge took its session back.
 */
async function takeOverAndRing(): Promise<number> {
  const thief: MqttClient = await mqtt.connectAsync(url, {
    ...tlsAs(layout.bridgeCert, layout.bridgeKey),
    clientId: "doorbell-bridge",
    clean: false,
    reconnectPeriod: 0,
  });
  let taken = 0;
  thief.on("message", (topic, payload) => {
    if (topic !== SEALED_EVENT) return;
    taken++;
    const seq = Number(payload.readBigUInt64BE(5)); // the clear seq (docs/protocol.md)
    const forged = encodeConfirmations([{ seq, mac: crypto.randomBytes(16) }]);
    if (thief.connected) thief.publish(ACK, Buffer.from(forged), { qos: 1 });
  });
  try {
    await press();
    await until(() => taken > 0 || !thief.connected, "the thief takes an event or loses the session", 10_000);
    await new Promise((r) => setTimeout(r, 300)); // its forged confirmation goes out
  } finally {
    await thief.endAsync(true).catch(() => {});
  }
  return taken;
}

describe("delivery confirmations through Mosquitto: a stolen session and forged confirmations lose nothing", () => {
  test("the bridge confirms through the generated ACL: the connect-time status event left the outbox", () => {
    assert.equal(fw.delivery.stats.queued, 0);
    assert.ok(fw.delivery.stats.confirmed >= 1);
  });

  test("events taken by a client holding the bridge's client id go again; each ring reaches HA once, in order", async () => {
    const before = rings().length;
    let taken = 0;
    let presses = 0;
    for (let i = 0; i < TAKEOVER_TRIES && (taken === 0 || presses < RINGS); i++) {
      taken += await takeOverAndRing();
      presses++;
    }
    assert.ok(taken > 0, `the thief took events from the bridge's session in ${presses} takeovers`);
    await until(() => rings().length >= before + presses, "every ring at Home Assistant", 60_000).catch(
      (error: Error) => {
        throw new Error(
          `${error.message}\ndevice:\n${deviceLines.slice(-10).join("\n")}\nbridge:\n${bridgeLines.slice(-6).join("\n")}`,
        );
      },
    );
    await until(() => fw.delivery.stats.queued === 0, "the outbox empty: everything confirmed", 60_000);
    await new Promise((r) => setTimeout(r, 500));
    const got = rings().slice(before);
    assert.equal(got.length, presses, "each ring once");
    assert.equal(new Set(got.map((r) => r.id)).size, presses, "no ring twice");
    const seqs = got.map((r) => r.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
      "in order",
    );
    const refused = deviceLines.filter((l) => l.includes("confirmation refused") && l.includes("reason=bad-mac"));
    assert.ok(refused.length > 0, "the forged confirmations were refused, with their reason");
    assert.ok(fw.delivery.stats.retransmits > 0, "the taken events were sent again");
  });
});
