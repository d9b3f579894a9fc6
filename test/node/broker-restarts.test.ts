// SPDX-License-Identifier: MIT
// Broker restarts: during a stream of 1,000 rings from one doorbell (the firmware on the Node host, over
// mutual TLS), Debian's Mosquitto is restarted 10 times, with the last leg (bridge to Home Assistant) at
// QoS 2 [MQTT-4.3.3] and Home Assistant's stand-in subscribed at QoS 2 with a persistent session. Stopped
// (SIGTERM, the broker saves): all 1,000 arrive exactly once, in order. Killed (SIGKILL) with the database
// saved after every change: in order, but a kill loses what the broker acknowledged and had not yet saved,
// and repeats (with DUP) what it had delivered since its last save: Mosquitto acknowledges before it saves
// (docs/scaling.md). Every wait is bounded.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { loadBridgeConfig } from "../../bridge/bridge-config.js";
import { runBridge } from "../../bridge/cli/bridge-main.js";
import { HA_MAX_IN_FLIGHT } from "../../bridge/ha-publisher.js";
import { createSigningKeyFiles, writePrivateKey, writePublicKey } from "../../bridge/key-files.js";
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

/** `stop`: SIGTERM, Mosquitto saves its database and exits. `kill`: SIGKILL, as a crash or power loss. */
for (const how of ["stop", "kill"] as const)
  describe(`broker ${how === "stop" ? "stopped" : "killed"} and restarted during a stream of events`, () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-restarts-"));
    const home = join(dir, "home");
    const layout = homeLayout(home);
    const ownerSecret = crypto.randomBytes(32);
    const bridgeProblems: string[] = [];
    let bridgeOpened = 0;
    const bridgeRings: string[] = [];
    const ringIds: string[] = [];
    /** Rings the broker acknowledged to the device (PUBACK). */
    let ringsAcknowledged = 0;
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
      createSigningKeyFiles(layout.ownerSigningKey, layout.ownerSigningPublic);
      const port = await freePort();
      addDevice({ home, name: "frontdoor", brokerHost: "127.0.0.1", brokerPort: port, crypto });
      broker = await startMosquitto({
        dir,
        listenerConf: layout.mosquittoConf,
        port,
        saveOnEveryChange: how === "kill",
      });
      const url = `mqtts://127.0.0.1:${port}`;
      const log = createLogger(
        {
          write: (level, tag, message) =>
            void (level === "error"
              ? bridgeProblems.push(`${tag} ${message}`)
              : message.startsWith("event device")
                ? (bridgeOpened++,
                  /type=ring id=([0-9a-f]{16})/.exec(message) &&
                    bridgeRings.push(message.match(/id=([0-9a-f]{16})/)![1]))
                : 0),
        },
        "bridge",
      );
      bridge = runBridge(loadBridgeConfig({ argv: ["--home", home, "--broker-url", url], env: {}, cwd: dir }), log);
      // A persistent session (clean: false) and a QoS 2 subscription, the `qos` that discovery gives the ring
      // entity: the broker queues the states for it across restarts and sends each once [MQTT-4.3.3].
      ha = await watch(
        url,
        [HA_EVENT],
        {
          clientId: "ha-stand-in",
          clean: false,
          ca: [pem(layout.caCert)],
          cert: pem(layout.homeAssistantCert),
          key: pem(layout.homeAssistantKey),
        },
        2,
      );
      const bundle = loadNodeDeviceBundle(layout.deviceDir("frontdoor"));
      host = createNodeHost({
        storageDir: join(dir, "frontdoor-storage"),
        mqtt: bundle.mqtt,
        log: {
          write: (_level, tag, message) => {
            if (tag === "ring" && message.startsWith("ring id=")) ringIds.push(message.slice(8, 24));
            if (tag === "outbox" && message.startsWith("event delivered type=ring ")) ringsAcknowledged++;
          },
        },
      });
      // No cooldown, frames not awaited long (there is no camera), and room in the outbox for a stream that
      // keeps coming while the broker is down.
      const config = {
        ...bundle.config,
        button: { cooldownS: 0 },
        camera: { framePeriodMs: 20, followUpMs: 0 },
        outbox: { maxEvents: 1024 },
      };
      fw = startFirmware(host, { config, firmwareVersion: "1.0.0-test", deviceKey: bundle.deviceKey });
      await until(
        () => host.mqtt.connected && fw.delivery.stats.queued === 0,
        "the doorbell online with an empty outbox",
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

    const title =
      how === "stop"
        ? `${EVENTS.toLocaleString("en")} rings with ${RESTARTS} broker restarts among them: Home Assistant receives every one exactly once, in order [MQTT-4.3.3]`
        : `${EVENTS.toLocaleString("en")} rings with ${RESTARTS} broker kills among them: Home Assistant receives them in order; a kill loses only what the broker acknowledged and had not saved, and repeats only with DUP what it had not saved as delivered`;
    test(title, async (t) => {
      let redelivered = 0;
      ha.client.on("message", (topic, _payload, packet) => void (topic === HA_EVENT && packet.dup ? redelivered++ : 0));
      let restarts = 0;
      let restarting: Promise<void> | undefined;
      for (let i = 0; i < EVENTS; i++) {
        fw.ring.press(host.clock.monotonicMs());
        // A restart every 100 rings, while the stream goes on: rings pile up in the outbox meanwhile.
        if (i % (EVENTS / RESTARTS) === EVENTS / RESTARTS / 2) {
          await restarting;
          restarting = (how === "stop" ? broker.stop() : broker.kill())
            .then(() => broker.start())
            .then(() => void restarts++);
        }
        await new Promise((r) => setTimeout(r, PRESS_EVERY_MS));
      }
      await restarting;
      assert.equal(restarts, RESTARTS);
      await until(() => ringIds.length === EVENTS, "every press to make its ring", 30_000);
      const received = () =>
        ha.on(HA_EVENT).map((s) => JSON.parse(s.payload.toString()) as { event_type: string; id: string; seq: number });
      // A ring waits for a camera frame before it is sealed; a long press does not. So the marker goes once the
      // broker has acknowledged every ring: behind them all, it reaches Home Assistant after any ring still on its way.
      await until(() => ringsAcknowledged >= EVENTS, "the broker to acknowledge every ring", 60_000);
      fw.ring.longPress(host.clock.monotonicMs(), 2500);
      await until(
        () => received().some((e) => e.event_type === "long_press"),
        "the marker behind the rings",
        60_000,
      ).catch((error: Error) => {
        throw new Error(
          `${error.message}: ${new Set(received().map((e) => e.id)).size} arrived; device published ${fw.delivery.stats.published}, queued ${fw.delivery.stats.queued}; bridge opened ${bridgeOpened}\n${broker.log().split("\n").slice(-25).join("\n")}`,
        );
      });
      const rings = received()
        .filter((e) => e.event_type === "ring")
        .map((e) => e.id);
      const lost = ringIds.filter((id) => !rings.includes(id));
      t.diagnostic(
        `${how}: ${rings.length} ring states at Home Assistant, ${lost.length} lost, ${redelivered} DUP redeliveries`,
      );
      if (how === "stop") {
        assert.deepEqual(
          bridgeRings,
          ringIds,
          "the bridge accepted every ring the device made, exactly once, in the order it made them",
        );
        assert.deepEqual(
          rings,
          ringIds,
          "Home Assistant got every ring exactly once, in the order the device made them [MQTT-4.3.3]",
        );
      } else {
        const bridgeSet = new Set(bridgeRings);
        assert.deepEqual(
          bridgeRings,
          ringIds.filter((id) => bridgeSet.has(id)),
          "the bridge accepted rings once each, in the device's order",
        );
        const firsts = rings.filter((id, i) => rings.indexOf(id) === i);
        assert.deepEqual(
          firsts,
          ringIds.filter((id) => !lost.includes(id)),
          "the rings that arrived came in the device's order",
        );
        // A killed broker restarts from its last save: a state Home Assistant completed since is sent again, with DUP.
        assert.ok(
          rings.length - firsts.length <= redelivered,
          `the only extra copies (${rings.length - firsts.length}) are the broker's DUP redeliveries after a kill (${redelivered}) [MQTT-4.3.3]`,
        );
        // Per kill: the device's one event in flight (the outbox sends one at a time) and the bridge's unacknowledged
        // states (ha-publisher.ts), if the broker had acknowledged them and not yet saved.
        assert.ok(lost.length <= RESTARTS * (1 + HA_MAX_IN_FLIGHT), `${lost.length} rings lost in ${RESTARTS} kills`);
      }
      assert.ok(fw.delivery.stats.retransmits > 0 || fw.delivery.stats.published >= EVENTS, "the outbox did its work");
      assert.equal(fw.delivery.stats.dropped, 0);
      assert.deepEqual(bridgeProblems, []);
    });
  });
