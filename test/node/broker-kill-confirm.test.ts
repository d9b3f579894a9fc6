// SPDX-License-Identifier: MIT
// Delivery confirmations through a crashing broker (issue 17): during a stream of 1,000 rings from one doorbell (the
// firmware on the Node host, `outbox.confirm` on, over mutual TLS), Debian's Mosquitto, with the generated listener,
// ACL and the persistence docs/scaling.md asks for, is SIGKILLed 10 times and started again on the same port. The
// device keeps each ring until the bridge confirms it, so what a kill loses after its PUBACK is sent again; Home
// Assistant's stand-in (a plain MQTT client with a persistent QoS 2 session) gets every ring exactly once, in the
// order the device made them. Every wait is bounded.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
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
const RINGS = 1000;
const KILLS = 10;
const HA_EVENT = "doorbell/frontdoor/event";

const dir = mkdtempSync(join(tmpdir(), "doorbell-kill-confirm-"));
const home = join(dir, "home");
const layout = homeLayout(home);
const bridgeLines: string[] = [];
const bridgeProblems: string[] = [];
const deviceLines: string[] = [];
/** Ring ids in the order the device made them. */
const ringIds: string[] = [];
let broker: Mosquitto;
let bridge: { stop(): Promise<void> };
let ha: Watcher;
let host: NodeHost;
let fw: Firmware;
let redelivered = 0;

const keep = (lines: string[], line: string) => {
  lines.push(line);
  if (lines.length > 400) lines.splice(0, 200);
};

before(async () => {
  createOwnerHome(home, crypto);
  const port = await freePort();
  addDevice({ home, name: "frontdoor", brokerHost: "127.0.0.1", brokerPort: port, crypto });
  // The persistence the generated listener config asks for (bridge/provision/mosquitto-config.ts).
  broker = await startMosquitto({ dir, listenerConf: layout.mosquittoConf, port, saveOnEveryChange: true });
  const url = `mqtts://127.0.0.1:${port}`;
  const log = createLogger(
    {
      write: (level, tag, message) => {
        keep(bridgeLines, `${level} ${tag} ${message}`);
        if (level === "error") bridgeProblems.push(`${tag} ${message}`);
      },
    },
    "bridge",
  );
  bridge = runBridge(loadBridgeConfig({ argv: ["--home", home, "--broker-url", url], env: {}, cwd: dir }), log);
  const pem = (path: string) => readFileSync(path);
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
  ha.client.on("message", (topic, _payload, packet) => void (topic === HA_EVENT && packet.dup ? redelivered++ : 0));
  const bundle = loadNodeDeviceBundle(layout.deviceDir("frontdoor"));
  host = createNodeHost({
    storageDir: join(dir, "frontdoor-storage"),
    mqtt: bundle.mqtt,
    log: {
      write: (level, tag, message) => {
        keep(deviceLines, `${level} ${tag} ${message}`);
        if (tag === "ring" && message.startsWith("ring id=")) ringIds.push(message.slice(8, 24));
      },
    },
  });
  // No cooldown, frames not awaited long (there is no camera), room in the outbox for the rings that pile up while
  // the broker is down, and confirmations on with the shortest wait the schema allows.
  const config = {
    ...bundle.config,
    button: { cooldownS: 0 },
    camera: { framePeriodMs: 20, followUpMs: 0 },
    outbox: { maxEvents: 1024, confirm: true, confirmTimeoutS: 2 },
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

/** The ring events Home Assistant's stand-in received, in order. */
const ringsAtHa = () => ringIdsSeen(ha, HA_EVENT);

/** Where things stood, for a failure message. */
const where = () => {
  const { queued, published, confirmed, retransmits } = fw.delivery.stats;
  return (
    `${ringIds.length} rings made, ${ringsAtHa().length} at Home Assistant; device queued ${queued}, ` +
    `published ${published}, confirmed ${confirmed}, retransmits ${retransmits}\n` +
    `device:\n${deviceLines.slice(-12).join("\n")}\nbridge:\n${bridgeLines.slice(-12).join("\n")}\n` +
    `broker:\n${broker.log().split("\n").slice(-12).join("\n")}`
  );
};

/**
 * Presses RINGS times; after each tenth of them (offset by half a tenth) it waits until some of them have reached
 * Home Assistant, so that each kill falls while rings are on their way, then SIGKILLs the broker and starts it again
 * while the presses go on. Returns how many kills completed.
 */
async function ringThroughKills(): Promise<number> {
  const every = RINGS / KILLS;
  let kills = 0;
  for (let i = 0; i < RINGS; i++) {
    fw.ring.press(host.clock.monotonicMs());
    if (i % every === every / 2) {
      // Some traffic through this broker first: the rings made before this one, minus a few still on their way.
      const target = i - every / 4;
      await until(
        () => ringsAtHa().length >= target,
        `ring ${target} at Home Assistant before kill ${kills + 1}`,
        60_000,
      );
      await broker.kill();
      await broker.start();
      kills++;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  return kills;
}

const TITLE =
  `${RINGS.toLocaleString("en")} rings, ${KILLS} broker kills among them: ` +
  "Home Assistant gets every ring exactly once, in order";

describe("delivery confirmations through a broker SIGKILLed during a stream of rings", () => {
  test(TITLE, async (t) => {
    assert.equal(await ringThroughKills(), KILLS);
    await until(() => ringIds.length === RINGS, "every press to make its ring", 30_000);
    await until(
      () => new Set(ringsAtHa()).size >= RINGS && fw.delivery.stats.queued === 0,
      "every ring at Home Assistant and the outbox empty",
      120_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${where()}`);
    });
    // Anything still on its way (a copy the broker might send again) has had the time to come.
    await new Promise((r) => setTimeout(r, 1000));
    const rings = ringsAtHa();
    const { retransmits, confirmed, refusedConfirmations } = fw.delivery.stats;
    t.diagnostic(
      `${rings.length} ring states at Home Assistant for ${RINGS} rings; ${retransmits} retransmits by the device, ` +
        `${confirmed} confirmations, ${refusedConfirmations} refused; ${redelivered} DUP redeliveries to Home Assistant`,
    );
    assert.deepEqual(rings, ringIds, "Home Assistant got every ring exactly once, in the order the device made them");
    assert.equal(fw.delivery.stats.dropped, 0);
    assert.ok(retransmits > 0, "the kills made the device send unconfirmed rings again");
    assert.deepEqual(bridgeProblems, []);
  });
});
