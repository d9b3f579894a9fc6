// SPDX-License-Identifier: MIT
// Broker restarts: during a stream of 1,000 rings from one doorbell (the firmware on the Node host, over
// mutual TLS), Debian's Mosquitto is stopped and started again 10 times. The bridge accepts all 1,000
// exactly once, in the device's order, and Home Assistant's side receives every one in that order. The
// last leg (bridge to Home Assistant) is MQTT QoS 1: a PUBLISH in flight at a restart is delivered again
// with DUP set [MQTT-4.3.2], and the test counts those copies (see docs/scaling.md on QoS 2 for that leg).
// Every wait is bounded; nothing is timed.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readFileSync } from "node:fs";
import { loadBridgeConfig } from "../../bridge/bridge-config.js";
import { runBridge } from "../../bridge/cli/bridge-main.js";
import { writePrivateKey, writePublicKey } from "../../bridge/key-files.js";
import { addDevice } from "../../bridge/provision/add-device.js";
import { homeLayout } from "../../bridge/provision/home-layout.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { loadNodeDeviceBundle } from "../../hosts/node/device-bundle.js";
import { createNodeHost, type NodeHost } from "../../hosts/node/host.js";
import { startFirmware, type Firmware } from "../../modules/firmware.js";
import { createLogger } from "../../modules/logger.js";
import { freePort, startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { until, watch, type Watcher } from "../support/mqtt-watch.js";

const crypto = createNodeCrypto();
const EVENTS = 1000;
const RESTARTS = 10;
const PRESS_EVERY_MS = 12;
const HA_EVENT = "doorbell/frontdoor/event";

describe("broker restarts during a stream of events", () => {
  const dir = mkdtempSync(join(tmpdir(), "doorbell-restarts-"));
  const home = join(dir, "home");
  const layout = homeLayout(home);
  const ownerSecret = crypto.randomBytes(32);
  const bridgeProblems: string[] = [];
  let bridgeOpened = 0;
  const bridgeRings: string[] = [];
  const ringIds: string[] = [];
  let broker: Mosquitto;
  let bridge: { stop(): Promise<void> };
  let ha: Watcher;
  let host: NodeHost;
  let fw: Firmware;
  const pem = (path: string) => readFileSync(path);

  before(async () => {
    mkdirSync(home, { mode: 0o700 });
    writePrivateKey(layout.ownerKey, ownerSecret);
    writePublicKey(layout.ownerPublic, crypto.x25519(ownerSecret));
    const port = await freePort();
    addDevice({ home, name: "frontdoor", brokerHost: "127.0.0.1", brokerPort: port, crypto });
    broker = await startMosquitto({ dir, listenerConf: layout.mosquittoConf, port });
    const url = `mqtts://127.0.0.1:${port}`;
    const log = createLogger({ write: (level, tag, message) => void (level === "error" ? bridgeProblems.push(`${tag} ${message}`) : message.startsWith("event device") ? (bridgeOpened++, /type=ring id=([0-9a-f]{16})/.exec(message) && bridgeRings.push(message.match(/id=([0-9a-f]{16})/)![1])) : 0) }, "bridge");
    bridge = runBridge(loadBridgeConfig({ argv: ["--home", home, "--broker-url", url], env: {}, cwd: dir }), log);
    // Home Assistant keeps a persistent session (clean: false), as its MQTT integration does.
    ha = await watch(url, [HA_EVENT], {
      clientId: "ha-stand-in", clean: false, ca: [pem(layout.caCert)], cert: pem(layout.homeAssistantCert), key: pem(layout.homeAssistantKey),
    });
    const bundle = loadNodeDeviceBundle(layout.deviceDir("frontdoor"));
    host = createNodeHost({
      storageDir: join(dir, "frontdoor-storage"),
      mqtt: bundle.mqtt,
      log: { write: (_level, tag, message) => void (tag === "ring" && message.startsWith("ring id=") ? ringIds.push(message.slice(8, 24)) : 0) },
    });
    // No cooldown, frames not awaited long (there is no camera), and room in the outbox for a stream that
    // keeps coming while the broker is down.
    const config = { ...bundle.config, button: { cooldownS: 0 }, camera: { framePeriodMs: 20, followUpMs: 0 }, outbox: { maxEvents: 1024 } };
    fw = startFirmware(host, { config, firmwareVersion: "1.0.0-test", deviceKey: bundle.deviceKey });
    await until(() => host.mqtt.connected && fw.delivery.stats.queued === 0, "the doorbell online with an empty outbox", 30_000);
  });

  after(async () => {
    fw?.close();
    await ha?.close();
    await bridge?.stop();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test(`${EVENTS.toLocaleString("en")} rings with ${RESTARTS} broker restarts among them: the bridge accepts each exactly once, in order, and Home Assistant receives every one in order`, async () => {
    let redelivered = 0;
    ha.client.on("message", (topic, _payload, packet) => void (topic === HA_EVENT && packet.dup ? redelivered++ : 0));
    let restarts = 0;
    let restarting: Promise<void> | undefined;
    for (let i = 0; i < EVENTS; i++) {
      fw.ring.press(host.clock.monotonicMs());
      // A restart every 100 rings, while the stream goes on: rings pile up in the outbox meanwhile.
      if (i % (EVENTS / RESTARTS) === EVENTS / RESTARTS / 2) {
        await restarting;
        restarting = broker.stop().then(() => broker.start()).then(() => void restarts++);
      }
      await new Promise((r) => setTimeout(r, PRESS_EVERY_MS));
    }
    await restarting;
    assert.equal(restarts, RESTARTS);
    await until(() => ringIds.length === EVENTS, "every press to make its ring", 30_000);
    const received = () => ha.on(HA_EVENT).map((s) => JSON.parse(s.payload.toString()) as { event_type: string; id: string; seq: number });
    await until(() => new Set(received().map((e) => e.id)).size >= EVENTS, `all ${EVENTS} rings at Home Assistant`, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}: ${new Set(received().map((e) => e.id)).size} arrived; device published ${fw.delivery.stats.published}, queued ${fw.delivery.stats.queued}; bridge opened ${bridgeOpened}\n${broker.log().split("\n").slice(-25).join("\n")}`);
    });
    // A marker behind them in the outbox: any late copy of a ring would reach Home Assistant before it.
    fw.ring.longPress(host.clock.monotonicMs(), 2500);
    await until(() => received().some((e) => e.event_type === "long_press"), "the marker", 60_000);
    assert.deepEqual(bridgeRings, ringIds, "the bridge accepted every ring the device made, exactly once, in the order it made them");
    const rings = received().filter((e) => e.event_type === "ring");
    const firsts = rings.filter((e, i) => rings.findIndex((f) => f.id === e.id) === i);
    assert.deepEqual(firsts.map((e) => e.id), ringIds, "Home Assistant got every ring, in the order the device made them");
    assert.ok(rings.length - firsts.length <= redelivered, `the only extra copies (${rings.length - firsts.length}) are the broker's DUP redeliveries after a restart (${redelivered}) [MQTT-4.3.2]`);
    const seqs = firsts.map((e) => e.seq);
    assert.ok(seqs.every((s, i) => i === 0 || s > seqs[i - 1]), "sequence numbers strictly increase");
    assert.ok(fw.delivery.stats.retransmits > 0 || fw.delivery.stats.published >= EVENTS, "the outbox did its work");
    assert.equal(fw.delivery.stats.dropped, 0);
    assert.deepEqual(bridgeProblems, []);
  });
});
