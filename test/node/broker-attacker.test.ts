// SPDX-License-Identifier: MIT
// docs/security.md against a real Mosquitto (TLS, the generated ACL): an attacker with broker access
// (stolen broker credentials: a bridge's, which read every sealed event, and a device's TLS identity,
// which may publish on its event topic) reads only ciphertext, cannot forge a ring and cannot replay one;
// the bridge refuses and logs each. Every captured log is scanned for the test keys. Every wait is bounded.
// The broker makes a certificate's CN its client id, so the stolen device identity is used while the device is off.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import mqtt from "mqtt";
import { loadBridgeConfig } from "../../bridge/bridge-config.js";
import { runBridge } from "../../bridge/cli/bridge-main.js";
import { addBridge } from "../../bridge/provision/add-bridge.js";
import { addDevice } from "../../bridge/provision/add-device.js";
import { createOwnerHome } from "../support/owner-home.js";
import { homeLayout } from "../../bridge/provision/home-layout.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { loadNodeDeviceBundle } from "../../hosts/node/device-bundle.js";
import { createNodeHost, type NodeHost } from "../../hosts/node/host.js";
import { createSyntheticCamera } from "../../hosts/node/synthetic-camera.js";
import { utf8 } from "../../modules/bytes.js";
import { OFFSET } from "../../modules/envelope/layout.js";
import { sealEnvelope } from "../../modules/envelope/seal-envelope.js";
import { startFirmware, type Firmware } from "../../modules/firmware.js";
import { createLogger } from "../../modules/logger.js";
import { freePort, startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { until, watch, type Watcher } from "../support/mqtt-watch.js";

const crypto = createNodeCrypto();
const SEALED_EVENT = "doorbell/frontdoor/sealed/event";
const HA_EVENT = "doorbell/frontdoor/event";
const HA_SNAPSHOT = "doorbell/frontdoor/snapshot";

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).includes(Buffer.from(needle));
}

type Ring = { event_type: string; id: string; seq: number };

/** The owner's home, the broker, the bridge, Home Assistant's stand-in, the eavesdropper and one doorbell, shared by
 * every test below: `start` in `before`, `close` in `after` (it stops whatever started, and removes the directory). */
class Scene {
  readonly dir = mkdtempSync(join(tmpdir(), "doorbell-attacker-"));
  readonly home = join(this.dir, "home");
  readonly layout = homeLayout(this.home);
  readonly ownerSecret = crypto.randomBytes(32);
  readonly bridgeLines: string[] = [];
  readonly deviceLines: string[] = [];
  broker!: Mosquitto;
  url!: string;
  bridge!: { stop(): Promise<void> };
  ha!: Watcher;
  host!: NodeHost;
  fw!: Firmware;
  deviceSecret!: Uint8Array;
  /** A bridge's stolen credentials (a second bridge's): every sealed event, as the broker's operator would see them. */
  eavesdropper!: Watcher;

  tlsAs(cert: string, key: string) {
    const pem = (path: string) => readFileSync(path);
    return { ca: [pem(this.layout.caCert)], cert: pem(cert), key: pem(key), rejectUnauthorized: true };
  }

  /** The rings Home Assistant's stand-in has received, in order. */
  rings(): Ring[] {
    return this.ha
      .on(HA_EVENT)
      .map((s) => JSON.parse(s.payload.toString()) as Ring)
      .filter((e) => e.event_type === "ring");
  }

  /** Lines of the bridge's log that say it refused an event. */
  refusals(): string[] {
    return this.bridgeLines.filter((l) => l.includes("event refused"));
  }

  async start(): Promise<void> {
    const { dir, home, layout, ownerSecret } = this;
    createOwnerHome(home, crypto, ownerSecret);
    const port = await freePort();
    addDevice({ home, name: "frontdoor", brokerHost: "127.0.0.1", brokerPort: port, crypto });
    addBridge({ home, name: "stolen" }); // before the broker starts: it reads the ACL then
    this.broker = await startMosquitto({ dir, listenerConf: layout.mosquittoConf, port });
    const url = `mqtts://127.0.0.1:${port}`;
    this.url = url;
    const log = createLogger(
      { write: (level, tag, message) => void this.bridgeLines.push(`${level} ${tag} ${message}`) },
      "bridge",
    );
    // ha.pictures = mqtt: the snapshot's bytes reach the Home Assistant stand-in, to look for in the sealed traffic.
    const argv = ["--home", home, "--broker-url", url, "--ha-pictures", "mqtt"];
    this.bridge = runBridge(loadBridgeConfig({ argv, env: {}, cwd: dir }), log);
    this.ha = await watch(url, ["doorbell/+/event", "doorbell/+/snapshot"], {
      clientId: "ha-stand-in",
      ...this.tlsAs(layout.homeAssistantCert, layout.homeAssistantKey),
    });
    const stolen = join(layout.bridgesDir, "stolen");
    this.eavesdropper = await watch(url, ["doorbell/+/sealed/#"], {
      clientId: "eavesdropper",
      ...this.tlsAs(join(stolen, "bridge.pem"), join(stolen, "bridge.key")),
    });
    await this.bootDevice();
  }

  async close(): Promise<void> {
    this.fw?.close();
    await this.eavesdropper?.close();
    await this.ha?.close();
    await this.bridge?.stop();
    await this.broker?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Starts (or restarts, on the same storage) the doorbell, and waits until it is online with an empty outbox. */
  async bootDevice(): Promise<void> {
    const bundle = loadNodeDeviceBundle(this.layout.deviceDir("frontdoor"));
    this.deviceSecret = bundle.deviceKey!;
    const host = createNodeHost({
      storageDir: join(this.dir, "frontdoor-storage"),
      mqtt: bundle.mqtt,
      camera: (clock) => createSyntheticCamera({ clock, framePeriodMs: 100, width: 160, height: 120 }),
      log: { write: (level, tag, message) => void this.deviceLines.push(`${level} ${tag} ${message}`) },
    });
    this.host = host;
    // No ring cooldown, so the tests can ring again at once.
    const config = { ...bundle.config, button: { ...(bundle.config.button as object | undefined), cooldownS: 0 } };
    const fw = startFirmware(host, { config, firmwareVersion: "1.0.0-test", deviceKey: bundle.deviceKey });
    this.fw = fw;
    await until(
      () => host.mqtt.connected && fw.delivery.stats.queued === 0,
      "the doorbell online with an empty outbox",
      30_000,
    );
  }

  /** The device's stolen TLS identity (not its sealing key) publishes `payloads` on its event topic while the device
   * is off. */
  async forgeAsDevice(payloads: Uint8Array[]): Promise<void> {
    this.fw.close();
    await until(() => !this.host.mqtt.connected, "the doorbell offline");
    const bundle = loadNodeDeviceBundle(this.layout.deviceDir("frontdoor"));
    const forger = await mqtt.connectAsync(this.url, {
      ...bundle.mqtt.client,
      clientId: "frontdoor-forger",
      reconnectPeriod: 0,
    });
    try {
      for (const p of payloads) await forger.publishAsync(SEALED_EVENT, Buffer.from(p), { qos: 1 });
    } finally {
      await forger.endAsync();
    }
    await this.bootDevice();
  }

  /** Presses the button; returns the ring's id at Home Assistant and the sealed ring the eavesdropper saw. */
  async ring(): Promise<{ id: string; sealed: Uint8Array }> {
    const before = this.rings().length;
    const sealedBefore = this.eavesdropper.on(SEALED_EVENT).length;
    this.host.button.set(1, 6);
    await new Promise((r) => setTimeout(r, 150));
    this.host.button.set(0, 6);
    await new Promise((r) => setTimeout(r, 150)); // the release settles (debounce) before anything presses again
    await until(() => this.rings().length > before, "the ring at Home Assistant", 30_000).catch((error: Error) => {
      const device = this.deviceLines.slice(-8).join("\n");
      const bridge = this.bridgeLines.slice(-5).join("\n");
      throw new Error(`${error.message}\ndevice:\n${device}\nbridge:\n${bridge}`);
    });
    const id = this.rings().at(-1)!.id;
    // The first sealed event the eavesdropper saw after the press is the ring (the follow-up snapshot comes a second
    // later).
    await until(() => this.eavesdropper.on(SEALED_EVENT).length > sealedBefore, "the sealed ring on the wire");
    return { id, sealed: new Uint8Array(this.eavesdropper.on(SEALED_EVENT)[sealedBefore].payload) };
  }
}

/** Two forgeries and a plain word on the device's event topic: each refused by the bridge for its reason, none at
 * Home Assistant. */
async function assertForgeriesRefused(scene: Scene): Promise<void> {
  const genuine = (await scene.ring()).sealed;
  const before = scene.rings().length;
  const attacker = crypto.randomBytes(32);
  const seq = Date.now() * 1000; // far above anything the device has sent
  const forge = (n: number) =>
    sealEnvelope({
      crypto,
      senderPrivateKey: attacker,
      recipientPublicKey: crypto.x25519(scene.ownerSecret),
      deviceId: "frontdoor",
      topic: SEALED_EVENT,
      seq: seq + n,
      header: { v: 1, type: "ring", id: `f0f0f0f0f0f0f0f${n}`, device: "frontdoor", atMs: Date.now(), seq: seq + n },
    });
  const wrongKey = forge(1);
  const keyIdCopied = forge(2);
  keyIdCopied.set(genuine.subarray(OFFSET.senderKeyId, OFFSET.senderKeyId + 8), OFFSET.senderKeyId);
  const refusedBefore = scene.refusals().length;
  await scene.forgeAsDevice([wrongKey, keyIdCopied, Buffer.from("ring")]);
  await until(() => scene.refusals().length >= refusedBefore + 3, "three refusals in the bridge's log");
  const refusals = scene.refusals().slice(refusedBefore).join("\n");
  assert.match(refusals, /reason=wrong-sender/);
  assert.match(refusals, /reason=auth-failed/);
  assert.match(refusals, /reason=bad-version/); // the plain word "ring"
  // A genuine ring after them: anything the forgeries produced would have reached Home Assistant first.
  const next = await scene.ring();
  assert.deepEqual(
    scene
      .rings()
      .slice(before)
      .map((e) => e.id),
    [next.id],
    "only the genuine ring",
  );
}

/** Scans the device's, the bridge's and the broker's logs for every key, as hex, base64 and base64url. */
function assertNoKeyInLogs(scene: Scene): void {
  const { deviceLines, bridgeLines, broker, layout } = scene;
  const logs = [...deviceLines, ...bridgeLines, broker.log()].join("\n");
  assert.ok(deviceLines.length > 10 && bridgeLines.length > 10 && broker.log().length > 0, "there were logs to scan");
  const pemBody = (path: string) =>
    Buffer.from(readFileSync(path, "utf8").replace(/-----[^-]+-----|\s/g, ""), "base64");
  const secrets: [string, Uint8Array][] = [
    ["owner key", scene.ownerSecret],
    ["device key", scene.deviceSecret],
    ["device TLS key", readFileSync(join(layout.deviceDir("frontdoor"), "device-key.der"))],
    ["bridge TLS key", pemBody(layout.bridgeKey)],
    ["CA key", pemBody(layout.caKey)],
    ["broker TLS key", pemBody(layout.serverKey)],
  ];
  for (const [name, secret] of secrets) {
    const b = Buffer.from(secret);
    // Whole 32-byte keys, and for the longer DER keys a 32-byte run from their middle (the private part).
    const run = b.length > 64 ? b.subarray(b.length >> 1, (b.length >> 1) + 32) : b;
    for (const form of [
      run.toString("hex"),
      run.toString("base64").slice(4, 40),
      run.toString("base64url").slice(4, 40),
    ]) {
      assert.ok(!logs.toLowerCase().includes(form.toLowerCase()), `${name} in a log (${form.slice(0, 8)}...)`);
    }
  }
}

/** Walks `home`: every directory mode 0700, every private key mode 0600, and each expected key among them. */
function assertKeyModes(home: string): void {
  const found: string[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) {
        assert.equal(statSync(full).mode & 0o777, 0o700, `${full} is a directory others can list`);
        walk(full);
      } else if (/\.key$|key\.der$/.test(entry.name)) {
        found.push(entry.name);
        assert.equal(statSync(full).mode & 0o777, 0o600, `${full} must be mode 0600`);
      }
    }
  };
  walk(home);
  for (const name of ["owner.key", "ca.key", "server.key", "bridge.key", "client.key", "device.key", "device-key.der"])
    assert.ok(found.includes(name), `${name} checked`);
}

describe("an attacker with broker access, against a real Mosquitto", () => {
  const scene = new Scene();
  before(() => scene.start());
  after(() => scene.close());

  test("reads only ciphertext: no event id, type, field name or run of the snapshot's JPEG in any sealed message", async () => {
    const { id } = await scene.ring();
    const { ha, eavesdropper } = scene;
    await until(() => ha.on(HA_SNAPSHOT).length > 0, "the snapshot at Home Assistant");
    const jpeg = new Uint8Array(ha.on(HA_SNAPSHOT).at(-1)!.payload);
    const wire = eavesdropper.seen.map((s) => new Uint8Array(s.payload));
    assert.ok(wire.length >= 2, "the eavesdropper saw the ring and its snapshot");
    for (const bytes of wire) {
      for (const clear of [id, "ring", "snapshot", '"type"', '"atMs"', "frontdoor"])
        assert.ok(!contains(bytes, utf8(clear)), `${clear} in the clear`);
      for (let at = 0; at + 16 <= jpeg.length; at += 512)
        assert.ok(!contains(bytes, jpeg.subarray(at, at + 16)), `JPEG bytes at ${at} in the clear`);
    }
  });

  test(
    "cannot forge a ring: sealed with another key, or with the device's key id copied in, " +
      "the bridge refuses and logs it, and Home Assistant sees nothing",
    () => assertForgeriesRefused(scene),
  );

  test("cannot replay an old event: a recorded ring sent again is refused as replayed, and Home Assistant sees it once", async () => {
    const old = await scene.ring();
    await scene.ring(); // the device moves on
    const before = scene.rings().length;
    await scene.forgeAsDevice([old.sealed]);
    await until(
      () =>
        scene.bridgeLines.some(
          (l) => l.startsWith("warn") && l.includes("replayed event refused") && l.includes("reason=replayed"),
        ),
      "the replay refused by the bridge",
    );
    const next = await scene.ring();
    assert.deepEqual(
      scene
        .rings()
        .slice(before)
        .map((e) => e.id),
      [next.id],
      "the replayed ring did not reach Home Assistant again",
    );
    assert.equal(scene.rings().filter((e) => e.id === old.id).length, 1);
  });

  test("no key material in any captured log: device, bridge and broker, as hex, base64 or base64url", () =>
    assertNoKeyInLogs(scene));

  test("every private key the provisioning wrote is mode 0600, in directories of mode 0700", () =>
    assertKeyModes(scene.home));
});
