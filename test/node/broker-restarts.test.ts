// SPDX-License-Identifier: MIT
// Broker restarts: during a stream of 1,000 rings from one doorbell (the firmware on the Node host, over
// mutual TLS), Debian's Mosquitto is restarted 10 times, with the last leg (bridge to Home Assistant) at
// QoS 2 [MQTT-4.3.3] and Home Assistant's stand-in subscribed at QoS 2 with a persistent session. Stopped
// (SIGTERM, the broker saves): all 1,000 arrive exactly once, in order. Killed (SIGKILL) with the database
// saved after every change: in order, but a kill loses what the broker acknowledged and had not yet saved,
// and repeats (with DUP) what it had delivered since its last save: Mosquitto acknowledges before it saves
// (docs/scaling.md). Every wait is bounded.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { loadBridgeConfig } from "../../bridge/bridge-config.js";
import { runBridge } from "../../bridge/cli/bridge-main.js";
import { HA_MAX_IN_FLIGHT } from "../../bridge/ha-publisher.js";
import { addDevice } from "../../bridge/provision/add-device.js";
import { createOwnerHome } from "../support/owner-home.js";
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
type How = "stop" | "kill";

const TITLES: Record<How, string> = {
  stop:
    `${EVENTS.toLocaleString("en")} rings with ${RESTARTS} broker restarts among them: ` +
    "Home Assistant receives every one exactly once, in order [MQTT-4.3.3]",
  kill:
    `${EVENTS.toLocaleString("en")} rings with ${RESTARTS} broker kills among them: ` +
    "Home Assistant receives them in order; a kill loses only what the broker acknowledged and had not saved, " +
    "and repeats only with DUP what it had not saved as delivered",
};

/** What the bridge's and the device's logs reported, counted as they run. */
interface Seen {
  bridgeProblems: string[];
  /** Events the bridge opened, of any type. */
  bridgeOpened: number;
  /** Ring ids the bridge opened, in its order. */
  bridgeRings: string[];
  /** Ring ids the device made, in its order. */
  ringIds: string[];
  /** Rings the broker acknowledged to the device (PUBACK). */
  ringsAcknowledged: number;
}

/** The broker, the bridge, Home Assistant's stand-in and one doorbell, over mutual TLS in one home. */
interface Rig {
  broker: Mosquitto;
  bridge: { stop(): Promise<void> };
  ha: Watcher;
  host: NodeHost;
  fw: Firmware;
}

/** The bridge's logger: errors are problems; "event device=… type=ring id=…" lines are the rings it opened. */
function bridgeLogger(seen: Seen) {
  const write = (level: string, tag: string, message: string) => {
    if (level === "error") seen.bridgeProblems.push(`${tag} ${message}`);
    else if (message.startsWith("event device")) {
      seen.bridgeOpened++;
      const ring = /type=ring id=([0-9a-f]{16})/.exec(message);
      if (ring) seen.bridgeRings.push(ring[1]);
    }
  };
  return createLogger({ write }, "bridge");
}

/** The owner's home with one device, the broker (saving on every change for `kill`), and the bridge; each piece
 * goes into `into` as it starts, so that `after` stops whatever did. */
async function startHome(how: How, dir: string, seen: Seen, into: Partial<Rig>) {
  const home = join(dir, "home");
  const layout = homeLayout(home);
  createOwnerHome(home, crypto);
  const port = await freePort();
  addDevice({ home, name: "frontdoor", brokerHost: "127.0.0.1", brokerPort: port, crypto });
  into.broker = await startMosquitto({
    dir,
    listenerConf: layout.mosquittoConf,
    port,
    saveOnEveryChange: how === "kill",
  });
  const url = `mqtts://127.0.0.1:${port}`;
  into.bridge = runBridge(
    loadBridgeConfig({ argv: ["--home", home, "--broker-url", url], env: {}, cwd: dir }),
    bridgeLogger(seen),
  );
  return { layout, url };
}

/** Home Assistant's stand-in: a persistent session (clean: false) and a QoS 2 subscription, the `qos` that
 * discovery gives the ring entity: the broker queues the states for it across restarts and sends each once
 * [MQTT-4.3.3]. */
function watchAsHomeAssistant(url: string, layout: ReturnType<typeof homeLayout>) {
  const pem = (path: string) => readFileSync(path);
  const tls = { ca: [pem(layout.caCert)], cert: pem(layout.homeAssistantCert), key: pem(layout.homeAssistantKey) };
  return watch(url, [HA_EVENT], { clientId: "ha-stand-in", clean: false, ...tls }, 2);
}

/** The doorbell's firmware on the Node host, logging its rings and their PUBACKs into `seen`. */
function startDoorbell(dir: string, layout: ReturnType<typeof homeLayout>, seen: Seen) {
  const bundle = loadNodeDeviceBundle(layout.deviceDir("frontdoor"));
  const host = createNodeHost({
    storageDir: join(dir, "frontdoor-storage"),
    mqtt: bundle.mqtt,
    log: {
      write: (_level, tag, message) => {
        if (tag === "ring" && message.startsWith("ring id=")) seen.ringIds.push(message.slice(8, 24));
        if (tag === "outbox" && message.startsWith("event delivered type=ring ")) seen.ringsAcknowledged++;
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
  const fw = startFirmware(host, { config, firmwareVersion: "1.0.0-test", deviceKey: bundle.deviceKey });
  return { host, fw };
}

/** Presses EVENTS times, PRESS_EVERY_MS apart, restarting the broker every EVENTS / RESTARTS presses while the
 * stream goes on (rings pile up in the outbox meanwhile). Returns how many restarts completed. */
async function ringThroughRestarts(how: How, rig: Rig): Promise<number> {
  let restarts = 0;
  let restarting: Promise<void> | undefined;
  for (let i = 0; i < EVENTS; i++) {
    rig.fw.ring.press(rig.host.clock.monotonicMs());
    if (i % (EVENTS / RESTARTS) === EVENTS / RESTARTS / 2) {
      await restarting;
      restarting = (how === "stop" ? rig.broker.stop() : rig.broker.kill())
        .then(() => rig.broker.start())
        .then(() => void restarts++);
    }
    await new Promise((r) => setTimeout(r, PRESS_EVERY_MS));
  }
  await restarting;
  return restarts;
}

/** The events Home Assistant's stand-in has received, in order. */
const receivedBy = (ha: Watcher) =>
  ha.on(HA_EVENT).map((s) => JSON.parse(s.payload.toString()) as { event_type: string; id: string; seq: number });

/** Sends a long press behind every ring and waits for it at Home Assistant; on a timeout, says where things were. */
async function awaitMarker(rig: Rig, seen: Seen) {
  // A ring waits for a camera frame before it is sealed; a long press does not. So the marker goes once the
  // broker has acknowledged every ring: behind them all, it reaches Home Assistant after any ring still on its way.
  await until(() => seen.ringsAcknowledged >= EVENTS, "the broker to acknowledge every ring", 60_000);
  rig.fw.ring.longPress(rig.host.clock.monotonicMs(), 2500);
  await until(
    () => receivedBy(rig.ha).some((e) => e.event_type === "long_press"),
    "the marker behind the rings",
    60_000,
  ).catch((error: Error) => {
    const { published, queued } = rig.fw.delivery.stats;
    const arrived = new Set(receivedBy(rig.ha).map((e) => e.id)).size;
    const brokerLog = rig.broker.log().split("\n").slice(-25).join("\n");
    throw new Error(
      `${error.message}: ${arrived} arrived; device published ${published}, queued ${queued}; ` +
        `bridge opened ${seen.bridgeOpened}\n${brokerLog}`,
    );
  });
}

/** Stopped: every ring exactly once, in the device's order, at the bridge and at Home Assistant. */
function assertAllOnceInOrder(seen: Seen, rings: string[]) {
  assert.deepEqual(
    seen.bridgeRings,
    seen.ringIds,
    "the bridge accepted every ring the device made, exactly once, in the order it made them",
  );
  assert.deepEqual(
    rings,
    seen.ringIds,
    "Home Assistant got every ring exactly once, in the order the device made them [MQTT-4.3.3]",
  );
}

/** Killed: in order; extra copies only as DUP redeliveries; losses bounded by what a kill can lose. */
function assertInOrderWithBoundedLoss(seen: Seen, rings: string[], lost: string[], redelivered: number) {
  const bridgeSet = new Set(seen.bridgeRings);
  assert.deepEqual(
    seen.bridgeRings,
    seen.ringIds.filter((id) => bridgeSet.has(id)),
    "the bridge accepted rings once each, in the device's order",
  );
  const firsts = rings.filter((id, i) => rings.indexOf(id) === i);
  assert.deepEqual(
    firsts,
    seen.ringIds.filter((id) => !lost.includes(id)),
    "the rings that arrived came in the device's order",
  );
  // A killed broker restarts from its last save: a state Home Assistant completed since is sent again, with DUP.
  const extra = rings.length - firsts.length;
  assert.ok(
    extra <= redelivered,
    `the only extra copies (${extra}) are the broker's DUP redeliveries after a kill (${redelivered}) [MQTT-4.3.3]`,
  );
  // Per kill: the device's one event in flight (the outbox sends one at a time) and the bridge's unacknowledged
  // states (ha-publisher.ts), if the broker had acknowledged them and not yet saved.
  assert.ok(lost.length <= RESTARTS * (1 + HA_MAX_IN_FLIGHT), `${lost.length} rings lost in ${RESTARTS} kills`);
}

for (const how of ["stop", "kill"] as const)
  describe(`broker ${how === "stop" ? "stopped" : "killed"} and restarted during a stream of events`, () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-restarts-"));
    const seen: Seen = { bridgeProblems: [], bridgeOpened: 0, bridgeRings: [], ringIds: [], ringsAcknowledged: 0 };
    const started: Partial<Rig> = {};
    let rig: Rig;

    before(async () => {
      const { layout, url } = await startHome(how, dir, seen, started);
      started.ha = await watchAsHomeAssistant(url, layout);
      Object.assign(started, startDoorbell(dir, layout, seen));
      rig = started as Rig;
      await until(
        () => rig.host.mqtt.connected && rig.fw.delivery.stats.queued === 0,
        "the doorbell online with an empty outbox",
        30_000,
      );
    });

    after(async () => {
      started.fw?.close();
      await started.ha?.close();
      await started.bridge?.stop();
      await started.broker?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test(TITLES[how], async (t) => {
      let redelivered = 0;
      rig.ha.client.on(
        "message",
        (topic, _payload, packet) => void (topic === HA_EVENT && packet.dup ? redelivered++ : 0),
      );
      assert.equal(await ringThroughRestarts(how, rig), RESTARTS);
      await until(() => seen.ringIds.length === EVENTS, "every press to make its ring", 30_000);
      await awaitMarker(rig, seen);
      const rings = receivedBy(rig.ha)
        .filter((e) => e.event_type === "ring")
        .map((e) => e.id);
      const lost = seen.ringIds.filter((id) => !rings.includes(id));
      t.diagnostic(
        `${how}: ${rings.length} ring states at Home Assistant, ${lost.length} lost, ${redelivered} DUP redeliveries`,
      );
      if (how === "stop") assertAllOnceInOrder(seen, rings);
      else assertInOrderWithBoundedLoss(seen, rings, lost, redelivered);
      const stats = rig.fw.delivery.stats;
      assert.ok(stats.retransmits > 0 || stats.published >= EVENTS, "the outbox did its work");
      assert.equal(stats.dropped, 0);
      assert.deepEqual(seen.bridgeProblems, []);
    });
  });
