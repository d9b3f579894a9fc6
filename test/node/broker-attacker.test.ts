// SPDX-License-Identifier: MIT
// docs/security.md against a real Mosquitto (TLS, the generated ACL): an attacker with broker access
// (stolen broker credentials: a bridge's, which read every sealed event, and a device's TLS identity,
// which may publish on its event topic) reads only ciphertext, cannot forge a ring and cannot replay one;
// the bridge refuses and logs each. Every captured log is scanned for the test keys. Every wait is bounded.
// The broker makes a certificate's CN its client id, so the stolen device identity is used while the device is off.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import mqtt from "mqtt";
import { loadBridgeConfig } from "../../bridge/bridge-config.js";
import { runBridge } from "../../bridge/cli/bridge-main.js";
import { createSigningKeyFiles, writePrivateKey, writePublicKey } from "../../bridge/key-files.js";
import { addBridge } from "../../bridge/provision/add-bridge.js";
import { addDevice } from "../../bridge/provision/add-device.js";
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

describe("an attacker with broker access, against a real Mosquitto", () => {
  const dir = mkdtempSync(join(tmpdir(), "doorbell-attacker-"));
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
  let deviceSecret: Uint8Array;
  /** A bridge's stolen credentials (a second bridge's): every sealed event, as the broker's operator would see them. */
  let eavesdropper: Watcher;
  const pem = (path: string) => readFileSync(path);
  const tlsAs = (cert: string, key: string) => ({
    ca: [pem(layout.caCert)],
    cert: pem(cert),
    key: pem(key),
    rejectUnauthorized: true,
  });
  const rings = () =>
    ha
      .on(HA_EVENT)
      .map((s) => JSON.parse(s.payload.toString()) as { event_type: string; id: string; seq: number })
      .filter((e) => e.event_type === "ring");

  /** Starts (or restarts, on the same storage) the doorbell, and waits until it is online with an empty outbox. */
  async function bootDevice(): Promise<void> {
    const bundle = loadNodeDeviceBundle(layout.deviceDir("frontdoor"));
    deviceSecret = bundle.deviceKey!;
    host = createNodeHost({
      storageDir: join(dir, "frontdoor-storage"),
      mqtt: bundle.mqtt,
      camera: (clock) => createSyntheticCamera({ clock, framePeriodMs: 100, width: 160, height: 120 }),
      log: { write: (level, tag, message) => void deviceLines.push(`${level} ${tag} ${message}`) },
    });
    // No ring cooldown, so the tests can ring again at once.
    const config = { ...bundle.config, button: { ...(bundle.config.button as object | undefined), cooldownS: 0 } };
    fw = startFirmware(host, { config, firmwareVersion: "1.0.0-test", deviceKey: bundle.deviceKey });
    await until(
      () => host.mqtt.connected && fw.delivery.stats.queued === 0,
      "the doorbell online with an empty outbox",
      30_000,
    );
  }

  /** The device's stolen TLS identity (not its sealing key) publishes `payloads` on its event topic while the device is off. */
  async function forgeAsDevice(payloads: Uint8Array[]): Promise<void> {
    fw.close();
    await until(() => !host.mqtt.connected, "the doorbell offline");
    const bundle = loadNodeDeviceBundle(layout.deviceDir("frontdoor"));
    const forger = await mqtt.connectAsync(url, {
      ...bundle.mqtt.client,
      clientId: "frontdoor-forger",
      reconnectPeriod: 0,
    });
    try {
      for (const p of payloads) await forger.publishAsync(SEALED_EVENT, Buffer.from(p), { qos: 1 });
    } finally {
      await forger.endAsync();
    }
    await bootDevice();
  }

  async function ring(): Promise<{ id: string; sealed: Uint8Array }> {
    const before = rings().length;
    const sealedBefore = eavesdropper.on(SEALED_EVENT).length;
    host.button.set(1, 6);
    await new Promise((r) => setTimeout(r, 150));
    host.button.set(0, 6);
    await new Promise((r) => setTimeout(r, 150)); // the release settles (debounce) before anything presses again
    await until(() => rings().length > before, "the ring at Home Assistant", 30_000).catch((error: Error) => {
      throw new Error(
        `${error.message}\ndevice:\n${deviceLines.slice(-8).join("\n")}\nbridge:\n${bridgeLines.slice(-5).join("\n")}`,
      );
    });
    const id = rings().at(-1)!.id;
    // The first sealed event the eavesdropper saw after the press is the ring (the follow-up snapshot comes a second later).
    await until(() => eavesdropper.on(SEALED_EVENT).length > sealedBefore, "the sealed ring on the wire");
    return { id, sealed: new Uint8Array(eavesdropper.on(SEALED_EVENT)[sealedBefore].payload) };
  }

  before(async () => {
    mkdirSync(home, { mode: 0o700 });
    writePrivateKey(layout.ownerKey, ownerSecret);
    writePublicKey(layout.ownerPublic, crypto.x25519(ownerSecret));
    createSigningKeyFiles(layout.ownerSigningKey, layout.ownerSigningPublic);
    const port = await freePort();
    addDevice({ home, name: "frontdoor", brokerHost: "127.0.0.1", brokerPort: port, crypto });
    addBridge({ home, name: "stolen" }); // before the broker starts: it reads the ACL then
    broker = await startMosquitto({ dir, listenerConf: layout.mosquittoConf, port });
    url = `mqtts://127.0.0.1:${port}`;
    const log = createLogger(
      { write: (level, tag, message) => void bridgeLines.push(`${level} ${tag} ${message}`) },
      "bridge",
    );
    bridge = runBridge(loadBridgeConfig({ argv: ["--home", home, "--broker-url", url], env: {}, cwd: dir }), log);
    ha = await watch(url, ["doorbell/+/event", "doorbell/+/snapshot"], {
      clientId: "ha-stand-in",
      ...tlsAs(layout.homeAssistantCert, layout.homeAssistantKey),
    });
    const stolen = join(layout.bridgesDir, "stolen");
    eavesdropper = await watch(url, ["doorbell/+/sealed/#"], {
      clientId: "eavesdropper",
      ...tlsAs(join(stolen, "bridge.pem"), join(stolen, "bridge.key")),
    });
    await bootDevice();
  });

  after(async () => {
    fw?.close();
    await eavesdropper?.close();
    await ha?.close();
    await bridge?.stop();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("reads only ciphertext: no event id, type, field name or run of the snapshot's JPEG in any sealed message", async () => {
    const { id } = await ring();
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

  test("cannot forge a ring: sealed with another key, or with the device's key id copied in, the bridge refuses and logs it, and Home Assistant sees nothing", async () => {
    const genuine = (await ring()).sealed;
    const before = rings().length;
    const attacker = crypto.randomBytes(32);
    const seq = Date.now() * 1000; // far above anything the device has sent
    const forge = (n: number) =>
      sealEnvelope({
        crypto,
        senderPrivateKey: attacker,
        recipientPublicKey: crypto.x25519(ownerSecret),
        deviceId: "frontdoor",
        topic: SEALED_EVENT,
        seq: seq + n,
        header: { v: 1, type: "ring", id: `f0f0f0f0f0f0f0f${n}`, device: "frontdoor", atMs: Date.now(), seq: seq + n },
      });
    const wrongKey = forge(1);
    const keyIdCopied = forge(2);
    keyIdCopied.set(genuine.subarray(OFFSET.senderKeyId, OFFSET.senderKeyId + 8), OFFSET.senderKeyId);
    const refusedBefore = bridgeLines.filter((l) => l.includes("event refused")).length;
    await forgeAsDevice([wrongKey, keyIdCopied, Buffer.from("ring")]);
    await until(
      () => bridgeLines.filter((l) => l.includes("event refused")).length >= refusedBefore + 3,
      "three refusals in the bridge's log",
    );
    const refusals = bridgeLines
      .filter((l) => l.includes("event refused"))
      .slice(refusedBefore)
      .join("\n");
    assert.match(refusals, /reason=wrong-sender/);
    assert.match(refusals, /reason=auth-failed/);
    assert.match(refusals, /reason=bad-version/); // the plain word "ring"
    // A genuine ring after them: anything the forgeries produced would have reached Home Assistant first.
    const next = await ring();
    assert.deepEqual(
      rings()
        .slice(before)
        .map((e) => e.id),
      [next.id],
      "only the genuine ring",
    );
  });

  test("cannot replay an old event: a recorded ring sent again is refused as replayed, and Home Assistant sees it once", async () => {
    const old = await ring();
    await ring(); // the device moves on
    const before = rings().length;
    await forgeAsDevice([old.sealed]);
    await until(
      () =>
        bridgeLines.some(
          (l) => l.startsWith("warn") && l.includes("replayed event refused") && l.includes("reason=replayed"),
        ),
      "the replay refused by the bridge",
    );
    const next = await ring();
    assert.deepEqual(
      rings()
        .slice(before)
        .map((e) => e.id),
      [next.id],
      "the replayed ring did not reach Home Assistant again",
    );
    assert.equal(rings().filter((e) => e.id === old.id).length, 1);
  });

  test("no key material in any captured log: device, bridge and broker, as hex, base64 or base64url", () => {
    const logs = [...deviceLines, ...bridgeLines, broker.log()].join("\n");
    assert.ok(deviceLines.length > 10 && bridgeLines.length > 10 && broker.log().length > 0, "there were logs to scan");
    const pemBody = (path: string) =>
      Buffer.from(readFileSync(path, "utf8").replace(/-----[^-]+-----|\s/g, ""), "base64");
    const secrets: [string, Uint8Array][] = [
      ["owner key", ownerSecret],
      ["device key", deviceSecret],
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
  });

  test("every private key the provisioning wrote is mode 0600, in directories of mode 0700", () => {
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
    for (const name of [
      "owner.key",
      "ca.key",
      "server.key",
      "bridge.key",
      "client.key",
      "device.key",
      "device-key.der",
    ])
      assert.ok(found.includes(name), `${name} checked`);
  });
});
