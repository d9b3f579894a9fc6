// SPDX-License-Identifier: MIT
// End to end against a real Mosquitto (Debian's), started here on a free loopback port with the TLS
// listener and ACL that `doorbell device add` generated: a doorbell on the Node host over mutual TLS,
// the bridge, and an MQTT client standing in for Home Assistant. Every wait is bounded; nothing is timed.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import mqtt from "mqtt";
import { loadBridgeConfig } from "../../bridge/bridge-config.js";
import { runBridge } from "../../bridge/cli/bridge-main.js";
import {
  createCommandSigner,
  createSigningKeyFiles,
  generateSigningKey,
  writePrivateKey,
  writePublicKey,
} from "../../bridge/key-files.js";
import { addBridge } from "../../bridge/provision/add-bridge.js";
import { addDevice } from "../../bridge/provision/add-device.js";
import { homeLayout } from "../../bridge/provision/home-layout.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { loadNodeDeviceBundle } from "../../hosts/node/device-bundle.js";
import { createNodeHost, type NodeHost } from "../../hosts/node/host.js";
import { createSyntheticCamera } from "../../hosts/node/synthetic-camera.js";
import { sealCommand } from "../../modules/commands.js";
import { startFirmware, type Firmware } from "../../modules/firmware.js";
import { createLogger } from "../../modules/logger.js";
import type { LogLevel } from "../../modules/ports.js";
import { freePort, startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { until, watch, type Watcher } from "../support/mqtt-watch.js";

const crypto = createNodeCrypto();
const T = {
  status: "doorbell/frontdoor/status",
  event: "doorbell/frontdoor/event",
  snapshot: "doorbell/frontdoor/snapshot",
  info: "doorbell/frontdoor/info",
  button: "doorbell/frontdoor/cmd/snapshot",
  sealedCmd: "doorbell/frontdoor/sealed/cmd",
  discovery: "homeassistant/device/esp32db_frontdoor/config",
};

interface Device {
  host: NodeHost;
  fw: Firmware;
  lines: { level: LogLevel; tag: string; message: string }[];
}

describe("delivery through a real Mosquitto with TLS and ACLs", () => {
  const dir = mkdtempSync(join(tmpdir(), "doorbell-mosquitto-"));
  const home = join(dir, "home");
  const layout = homeLayout(home);
  const ownerSecret = crypto.randomBytes(32);
  let sign: (message: Uint8Array) => Uint8Array;
  const bridgeLines: string[] = [];
  let broker: Mosquitto;
  let url: string;
  let bridge: { stop(): Promise<void> };
  let ha: Watcher;
  let device: Device | undefined;
  const pem = (path: string) => readFileSync(path);
  const tlsAs = (cert: string, key: string) => ({
    ca: [pem(layout.caCert)],
    cert: pem(cert),
    key: pem(key),
    rejectUnauthorized: true,
  });

  function bootDevice(): Device {
    const bundle = loadNodeDeviceBundle(layout.deviceDir("frontdoor"));
    const lines: Device["lines"] = [];
    const host = createNodeHost({
      storageDir: join(dir, "frontdoor-storage"),
      mqtt: bundle.mqtt,
      camera: (clock) => createSyntheticCamera({ clock, framePeriodMs: 100, width: 160, height: 120 }),
      log: { write: (level, tag, message) => void lines.push({ level, tag, message }) },
      rssiDbm: () => -58,
    });
    const fw = startFirmware(host, {
      config: bundle.config,
      firmwareVersion: "1.0.0-test",
      deviceKey: bundle.deviceKey,
    });
    return { host, fw, lines };
  }

  async function press(d: Device) {
    d.host.button.set(1, 6);
    await new Promise((r) => setTimeout(r, 150));
    d.host.button.set(0, 6);
  }

  const events = () =>
    ha.on(T.event).map((s) => JSON.parse(s.payload.toString()) as { event_type: string; id: string; seq: number });

  before(async () => {
    mkdirSync(home, { mode: 0o700 });
    writePrivateKey(layout.ownerKey, ownerSecret); // what doorbell keys init writes
    writePublicKey(layout.ownerPublic, crypto.x25519(ownerSecret));
    sign = createCommandSigner(createSigningKeyFiles(layout.ownerSigningKey, layout.ownerSigningPublic));
    const port = await freePort();
    addDevice({
      home,
      name: "frontdoor",
      displayName: "Front door",
      brokerHost: "127.0.0.1",
      brokerPort: port,
      crypto,
    });
    addDevice({ home, name: "backdoor", brokerHost: "127.0.0.1", brokerPort: port, crypto });
    addBridge({ home, name: "spare" }); // a second bridge's certificate, for the thief below
    broker = await startMosquitto({ dir, listenerConf: layout.mosquittoConf, port });
    url = `mqtts://127.0.0.1:${port}`;
    const log = createLogger(
      { write: (level, tag, message) => void bridgeLines.push(`${level} ${tag} ${message}`) },
      "bridge",
    );
    bridge = runBridge(loadBridgeConfig({ argv: ["--home", home, "--broker-url", url], env: {}, cwd: dir }), log);
    ha = await watch(
      url,
      [
        "homeassistant/#",
        "doorbell/+/status",
        "doorbell/+/event",
        "doorbell/+/snapshot",
        "doorbell/+/info",
        "doorbell/+/motion",
      ],
      {
        clientId: "ha-stand-in",
        clean: false,
        ...tlsAs(layout.homeAssistantCert, layout.homeAssistantKey),
      },
    );
  });

  after(async () => {
    device?.fw.close();
    await ha?.close();
    await bridge?.stop();
    await broker?.stop();
  });

  test("Home Assistant sees retained discovery for each doorbell from the bridge", async () => {
    const discovery = JSON.parse((await ha.nth(T.discovery, 1)).payload.toString());
    assert.equal(discovery.avty_t, T.status);
    assert.ok(discovery.cmps.ring.evt_typ.includes("ring"));
    await ha.nth("homeassistant/device/esp32db_backdoor/config", 1);
  });

  test("the doorbell connects over mutual TLS; availability goes online, and its status feeds the diagnostics", async () => {
    device = bootDevice();
    await until(() => ha.on(T.status).some((s) => s.payload.toString() === "online"), "the device's online flag");
    const info = JSON.parse((await ha.nth(T.info, 1)).payload.toString());
    assert.equal(info.fw, "1.0.0-test");
    assert.equal(info.rssi, -58);
    assert.match(info.boot, /^\d{4}-\d\d-\d\dT/);
  });

  test("a ring reaches Home Assistant: the snapshot's JPEG bytes on the image topic, then the ring event with its attributes", async () => {
    await press(device!);
    const ring = await ha.nth(T.event, 1);
    const attributes = JSON.parse(ring.payload.toString());
    assert.equal(attributes.event_type, "ring");
    assert.match(attributes.id, /^[0-9a-f]{16}$/);
    assert.equal(attributes.has_snapshot, true);
    assert.ok(
      Number.isInteger(attributes.seq) &&
        typeof attributes.at === "string" &&
        Number.isInteger(attributes.frame_age_ms),
    );
    assert.equal(ring.retain, false);
    const picture = ha.on(T.snapshot)[0].payload;
    assert.deepEqual(
      [picture[0], picture[1], picture.at(-2), picture.at(-1)],
      [0xff, 0xd8, 0xff, 0xd9],
      "a whole JPEG, raw bytes",
    );
    assert.ok(
      ha.seen.findIndex((s) => s.topic === T.snapshot) < ha.seen.findIndex((s) => s.topic === T.event),
      "the picture before the event",
    );
  });

  test("availability follows the device: its will says offline when it drops, online when it is back", async () => {
    const onlines = ha.on(T.status).filter((s) => s.payload.toString() === "online").length;
    device!.fw.close(); // the session ends without DISCONNECT, as at a power cut
    device = undefined;
    await until(() => ha.on(T.status).at(-1)?.payload.toString() === "offline", "the will: offline");
    device = bootDevice();
    await until(
      () => ha.on(T.status).filter((s) => s.payload.toString() === "online").length === onlines + 1,
      "online again",
    );
  });

  test("a ring pressed while the broker is down is delivered once it is back, exactly once to Home Assistant", async () => {
    const d = device!; // rebooted by the test before: no ring cooldown pending
    await until(() => d.fw.delivery.stats.queued === 0, "an empty outbox");
    const ringsBefore = events().filter((e) => e.event_type === "ring").length;
    await broker.stop();
    await until(() => !d.host.mqtt.connected, "the device to notice the broker is gone");
    await press(d);
    await until(() => d.fw.ring.stats.rings === 1, "the ring");
    await until(() => d.host.storage.log.records().length >= 1, "the ring stored in the outbox");
    const ringId = /ring id=([0-9a-f]{16})/.exec(
      d.lines
        .filter((l) => l.tag === "ring")
        .map((l) => l.message)
        .join("\n"),
    )?.[1];
    assert.ok(ringId);
    await broker.start();
    await until(() => events().some((e) => e.id === ringId), "the queued ring at Home Assistant", 60_000);
    // A marker queued behind it in the device's outbox: whatever copy of the ring could still come would
    // reach Home Assistant before the marker does (one in flight, in order, at every hop).
    d.fw.ring.longPress(d.host.clock.monotonicMs(), 2000);
    await until(() => events().some((e) => e.event_type === "long_press"), "the marker", 30_000);
    const rings = events().filter((e) => e.event_type === "ring");
    assert.equal(rings.length, ringsBefore + 1, "delivered once");
    assert.equal(rings.filter((e) => e.id === ringId).length, 1, "exactly once to Home Assistant");
    await until(() => d.host.storage.log.records().length === 0, "the outbox emptied by PUBACKs");
  });

  test("the broker refuses a client without a certificate", async () => {
    await assert.rejects(
      mqtt.connectAsync(url, {
        ca: [pem(layout.caCert)],
        reconnectPeriod: 0,
        connectTimeout: 5000,
        clientId: "no-cert",
      }),
      /alert certificate required/, // TLS 1.3 alert 116 (RFC 8446 §6.2): require_certificate true
    );
    // The same client with a certificate from the CA gets in: it was the missing certificate. (Not Home
    // Assistant's: the broker makes a certificate's CN its client id, so that would take over ha-stand-in.)
    const withCert = await mqtt.connectAsync(url, {
      ...tlsAs(join(layout.bridgesDir, "spare", "bridge.pem"), join(layout.bridgesDir, "spare", "bridge.key")),
      reconnectPeriod: 0,
      clientId: "with-cert",
    });
    await withCert.endAsync();
  });

  test("a device certificate cannot publish or subscribe to another device's topics", async () => {
    const backdoor = layout.deviceDir("backdoor");
    const bundle = loadNodeDeviceBundle(backdoor);
    const intruder = await mqtt.connectAsync(url, {
      ...bundle.mqtt.client,
      clientId: "backdoor",
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    const statuses = ha.on(T.status).length;
    try {
      // Mosquitto 2.0 grants the SUBSCRIBE and applies the read ACL to each message: nothing arrives,
      // not even frontdoor's retained availability, which a wildcard subscription would otherwise get at once.
      const received: string[] = [];
      intruder.on("message", (topic) => received.push(topic));
      await intruder.subscribeAsync([T.sealedCmd, "doorbell/frontdoor/#"], { qos: 1 });
      await assert.rejects(
        intruder.publishAsync(T.status, "offline", { qos: 1, retain: true }),
        /Not authorized|135/i,
        "PUBACK reason 0x87",
      );
      await assert.rejects(
        intruder.publishAsync("doorbell/frontdoor/sealed/event", Buffer.alloc(100), { qos: 1 }),
        /Not authorized|135/i,
      );
      // Its own topics work, and arrive after anything it sent before: the forged status never came through.
      await intruder.publishAsync("doorbell/backdoor/status", "online", { qos: 1, retain: true });
      await until(() => ha.on("doorbell/backdoor/status").length > 0, "backdoor's own status");
      assert.equal(ha.on(T.status).length, statuses, "nothing new on frontdoor's availability");
      assert.equal(ha.on(T.status).at(-1)?.payload.toString(), "online", "frontdoor is still online");
      // A genuine command to frontdoor is not delivered to the other device.
      const commands = device!.lines.filter((l) => l.tag === "command").length;
      const pictures = ha.on(T.snapshot).length;
      await ha.client.publishAsync(T.button, "snapshot", { qos: 1 });
      await until(() => device!.lines.filter((l) => l.tag === "command").length > commands, "frontdoor's command");
      await until(() => ha.on(T.snapshot).length > pictures, "the snapshot the button asked for, at Home Assistant");
      assert.deepEqual(received, [], "no message from another device's topics, retained or live");
    } finally {
      await intruder.endAsync(true);
    }
  });

  test("a client that is not the owner cannot make the device act: its command, or a replayed one, is refused on the device", async () => {
    const d = device!;
    const devicePublic = d.fw.devicePublicKey;
    // A bridge's broker credentials, stolen: the ACL lets it publish commands, but only the owner's key seals them.
    const thief = await mqtt.connectAsync(url, {
      ...tlsAs(join(layout.bridgesDir, "spare", "bridge.pem"), join(layout.bridgesDir, "spare", "bridge.key")),
      clientId: "thief",
      reconnectPeriod: 0,
    });
    try {
      const attacker = crypto.randomBytes(32);
      const command = { v: 1 as const, cmd: "snapshot" as const, id: "00000000000000aa", atMs: Date.now() };
      const forged = sealCommand({
        crypto,
        ownerSecret: attacker,
        sign: createCommandSigner(generateSigningKey()),
        devicePublicKey: devicePublic,
        deviceId: "frontdoor",
        topic: T.sealedCmd,
        seq: Date.now() + 10_000,
        command,
      });
      await thief.publishAsync(T.sealedCmd, Buffer.from(forged), { qos: 1 });
      await until(
        () => d.lines.some((l) => l.message.startsWith("command refused: bad-signature")),
        "the forged command refused",
      );
      // A genuine command recorded on the broker and sent again later.
      const genuine = sealCommand({
        crypto,
        ownerSecret,
        sign,
        devicePublicKey: devicePublic,
        deviceId: "frontdoor",
        topic: T.sealedCmd,
        seq: Date.now() + 20_000,
        command: { ...command, id: "00000000000000ab" },
      });
      await thief.publishAsync(T.sealedCmd, Buffer.from(genuine), { qos: 1 });
      await until(
        () => d.lines.some((l) => l.message.startsWith("command accepted") && l.message.includes("00000000000000ab")),
        "the owner's command",
      );
      const accepted = d.lines.filter((l) => l.message.startsWith("command accepted")).length;
      await thief.publishAsync(T.sealedCmd, Buffer.from(genuine), { qos: 1 });
      await until(() => d.lines.some((l) => l.message.startsWith("command refused: replayed")), "the replay refused");
      assert.equal(
        d.lines.filter((l) => l.message.startsWith("command accepted")).length,
        accepted,
        "the device acted once",
      );
    } finally {
      await thief.endAsync(true);
    }
  });
});
