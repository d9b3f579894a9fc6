// SPDX-License-Identifier: MIT
// End to end against a real Mosquitto (Debian's), started here on a free loopback port with the TLS
// listener and ACL that `doorbell device add` generated: a doorbell on the Node host over mutual TLS,
// the bridge, and an MQTT client standing in for Home Assistant. Every wait is bounded; nothing is timed.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import mqtt from "mqtt";
import { loadBridgeConfig } from "../../bridge/bridge-config.js";
import { runBridge } from "../../bridge/cli/bridge-main.js";
import { createCommandSigner, generateSigningKey } from "../../bridge/key-files.js";
import { addBridge } from "../../bridge/provision/add-bridge.js";
import { addDevice } from "../../bridge/provision/add-device.js";
import { createOwnerHome } from "../support/owner-home.js";
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
import { highwayJpegs, openedFrame } from "../support/opened-frames.js";
import { until, watch, type Watcher } from "../support/mqtt-watch.js";

const crypto = createNodeCrypto();
const T = {
  status: "doorbell/frontdoor/status",
  event: "doorbell/frontdoor/event",
  snapshot: "doorbell/frontdoor/snapshot",
  info: "doorbell/frontdoor/info",
  button: "doorbell/frontdoor/cmd/snapshot",
  liveButton: "doorbell/frontdoor/cmd/live",
  live: "doorbell/frontdoor/live",
  sealedCmd: "doorbell/frontdoor/sealed/cmd",
  discovery: "homeassistant/device/esp32db_frontdoor/config",
};

interface Device {
  host: NodeHost;
  fw: Firmware;
  lines: { level: LogLevel; tag: string; message: string }[];
}

async function press(d: Device) {
  d.host.button.set(1, 6);
  await new Promise((r) => setTimeout(r, 150));
  d.host.button.set(0, 6);
}

/** The owner's home with two devices and a spare bridge certificate, the broker, the bridge and Home Assistant's
 * stand-in, shared by every test below: `start` in `before`, `close` in `after` (it stops whatever started). The
 * tests boot and reboot the frontdoor doorbell into `device`. */
class Scene {
  readonly dir = mkdtempSync(join(tmpdir(), "doorbell-mosquitto-"));
  readonly home = join(this.dir, "home");
  readonly layout = homeLayout(this.home);
  readonly ownerSecret = crypto.randomBytes(32);
  readonly bridgeLines: string[] = [];
  sign!: (message: Uint8Array) => Uint8Array;
  broker!: Mosquitto;
  url!: string;
  bridge!: ReturnType<typeof runBridge>;
  ha!: Watcher;
  device: Device | undefined;

  tlsAs(cert: string, key: string) {
    const pem = (path: string) => readFileSync(path);
    return { ca: [pem(this.layout.caCert)], cert: pem(cert), key: pem(key), rejectUnauthorized: true };
  }

  /** TLS options with the spare bridge's certificate. */
  spareBridgeTls() {
    const spare = join(this.layout.bridgesDir, "spare");
    return this.tlsAs(join(spare, "bridge.pem"), join(spare, "bridge.key"));
  }

  /** The events Home Assistant's stand-in has received, in order. */
  events() {
    return this.ha
      .on(T.event)
      .map((s) => JSON.parse(s.payload.toString()) as { event_type: string; id: string; seq: number });
  }

  async start(): Promise<void> {
    const { dir, home, layout, ownerSecret } = this;
    // What doorbell keys init writes.
    this.sign = createCommandSigner(createOwnerHome(home, crypto, ownerSecret).signingKey);
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
    this.broker = await startMosquitto({ dir, listenerConf: layout.mosquittoConf, port });
    const url = `mqtts://127.0.0.1:${port}`;
    this.url = url;
    const log = createLogger(
      { write: (level, tag, message) => void this.bridgeLines.push(`${level} ${tag} ${message}`) },
      "bridge",
    );
    // The pictures over the broker (ha.pictures = mqtt, live stills opted in): what those owners' ACL must carry.
    const argv = ["--home", home, "--broker-url", url, "--ha-pictures", "mqtt", "--ha-live-stills-over-mqtt", "true"];
    this.bridge = runBridge(loadBridgeConfig({ argv, env: {}, cwd: dir }), log);
    this.ha = await watch(
      url,
      [
        "homeassistant/#",
        "doorbell/+/status",
        "doorbell/+/event",
        "doorbell/+/snapshot",
        "doorbell/+/info",
        "doorbell/+/motion",
        "doorbell/+/live",
      ],
      { clientId: "ha-stand-in", clean: false, ...this.tlsAs(layout.homeAssistantCert, layout.homeAssistantKey) },
    );
  }

  async close(): Promise<void> {
    this.device?.fw.close();
    await this.ha?.close();
    await this.bridge?.stop();
    await this.broker?.stop();
  }

  bootDevice(): Device {
    const bundle = loadNodeDeviceBundle(this.layout.deviceDir("frontdoor"));
    const lines: Device["lines"] = [];
    const host = createNodeHost({
      storageDir: join(this.dir, "frontdoor-storage"),
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
}

async function assertRingReachesHomeAssistant({ ha, device, bridgeLines }: Scene): Promise<void> {
  await press(device!);
  const ring = await ha.nth(T.event, 1);
  const attributes = JSON.parse(ring.payload.toString());
  assert.equal(attributes.event_type, "ring");
  assert.match(attributes.id, /^[0-9a-f]{16}$/);
  assert.equal(attributes.has_snapshot, true);
  assert.ok(
    Number.isInteger(attributes.seq) && typeof attributes.at === "string" && Number.isInteger(attributes.frame_age_ms),
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
  // Its sealed clip passes the ACL (the doorbell writes its own video topic, the bridge reads it) and opens.
  const clip = (l: string) => l.includes("video stream opened") && l.includes("kind=clip trigger=ring");
  await until(() => bridgeLines.some(clip), "the ring's clip opened at the bridge", 30_000);
  assert.deepEqual(
    bridgeLines.filter((l) => l.includes("video refused")),
    [],
  );
}

async function assertRingSurvivesBrokerDown(scene: Scene): Promise<void> {
  const { broker } = scene;
  const d = scene.device!; // rebooted by the test before: no ring cooldown pending
  await until(() => d.fw.delivery.stats.queued === 0, "an empty outbox");
  const ringsBefore = scene.events().filter((e) => e.event_type === "ring").length;
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
  await until(() => scene.events().some((e) => e.id === ringId), "the queued ring at Home Assistant", 60_000);
  // A marker queued behind it in the device's outbox: whatever copy of the ring could still come would
  // reach Home Assistant before the marker does (one in flight, in order, at every hop).
  d.fw.ring.longPress(d.host.clock.monotonicMs(), 2000);
  await until(() => scene.events().some((e) => e.event_type === "long_press"), "the marker", 30_000);
  const rings = scene.events().filter((e) => e.event_type === "ring");
  assert.equal(rings.length, ringsBefore + 1, "delivered once");
  assert.equal(rings.filter((e) => e.id === ringId).length, 1, "exactly once to Home Assistant");
  await until(() => d.host.storage.log.records().length === 0, "the outbox emptied by PUBACKs");
}

/** backdoor's certificate tries frontdoor's topics; frontdoor still gets its own command meanwhile. */
async function assertDeviceConfinedByAcl({ layout, url, ha, device }: Scene): Promise<void> {
  const bundle = loadNodeDeviceBundle(layout.deviceDir("backdoor"));
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
    await assert.rejects(
      intruder.publishAsync("doorbell/frontdoor/sealed/video", Buffer.alloc(100), { qos: 1 }),
      /Not authorized|135/i,
      "another doorbell's video topic",
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
}

/** A stolen bridge identity publishes a command sealed with another key, then replays a genuine one. */
async function assertOnlyOwnerCommands(scene: Scene): Promise<void> {
  const d = scene.device!;
  const devicePublic = d.fw.devicePublicKey;
  // A bridge's broker credentials, stolen: the ACL lets it publish commands, but only the owner's key seals them.
  const thief = await mqtt.connectAsync(scene.url, {
    ...scene.spareBridgeTls(),
    clientId: "thief",
    reconnectPeriod: 0,
  });
  const atMs = Date.now();
  const sealed = (ownerSecret: Uint8Array, sign: (m: Uint8Array) => Uint8Array, seq: number, id: string) =>
    Buffer.from(
      sealCommand({
        crypto,
        ownerSecret,
        sign,
        devicePublicKey: devicePublic,
        deviceId: "frontdoor",
        topic: T.sealedCmd,
        seq,
        command: { v: 1, cmd: "snapshot", id, atMs },
      }),
    );
  const said = (start: string, detail = "") =>
    d.lines.some((l) => l.message.startsWith(start) && l.message.includes(detail));
  try {
    const forged = sealed(
      crypto.randomBytes(32),
      createCommandSigner(generateSigningKey()),
      Date.now() + 10_000,
      "00000000000000aa",
    );
    await thief.publishAsync(T.sealedCmd, forged, { qos: 1 });
    await until(() => said("command refused: bad-signature"), "the forged command refused");
    // A genuine command recorded on the broker and sent again later.
    const genuine = sealed(scene.ownerSecret, scene.sign, Date.now() + 20_000, "00000000000000ab");
    await thief.publishAsync(T.sealedCmd, genuine, { qos: 1 });
    await until(() => said("command accepted", "00000000000000ab"), "the owner's command");
    const accepted = d.lines.filter((l) => l.message.startsWith("command accepted")).length;
    await thief.publishAsync(T.sealedCmd, genuine, { qos: 1 });
    await until(() => said("command refused: replayed"), "the replay refused");
    assert.equal(
      d.lines.filter((l) => l.message.startsWith("command accepted")).length,
      accepted,
      "the device acted once",
    );
  } finally {
    await thief.endAsync(true);
  }
}

describe("delivery through a real Mosquitto with TLS and ACLs", () => {
  const scene = new Scene();
  before(() => scene.start());
  after(() => scene.close());

  test("Home Assistant sees retained discovery for each doorbell from the bridge", async () => {
    const discovery = JSON.parse((await scene.ha.nth(T.discovery, 1)).payload.toString());
    assert.equal(discovery.avty_t, T.status);
    assert.ok(discovery.cmps.ring.evt_typ.includes("ring"));
    await scene.ha.nth("homeassistant/device/esp32db_backdoor/config", 1);
  });

  test("the doorbell connects over mutual TLS; availability goes online, and its status feeds the diagnostics", async () => {
    const { ha } = scene;
    scene.device = scene.bootDevice();
    await until(() => ha.on(T.status).some((s) => s.payload.toString() === "online"), "the device's online flag");
    const info = JSON.parse((await ha.nth(T.info, 1)).payload.toString());
    assert.equal(info.fw, "1.0.0-test");
    assert.equal(info.rssi, -58);
    assert.match(info.boot, /^\d{4}-\d\d-\d\dT/);
  });

  test("a ring reaches Home Assistant: the snapshot's JPEG bytes on the image topic, then the ring event with its attributes", () =>
    assertRingReachesHomeAssistant(scene));

  test("the live view through the ACL: Start live view reaches the device as a sealed command, a frame reaches HA", async () => {
    const { ha, device, bridge } = scene;
    await ha.client.publishAsync(T.liveButton, "start", { qos: 1 });
    const accepted = () =>
      device!.lines.some((l) => l.message.startsWith("command accepted") && l.message.includes("live-view"));
    await until(accepted, "the device to accept the sealed live-view command");
    // The stream opener's side (merged separately) hands authenticated frames to this sink; one frame is enough here.
    const jpeg = highwayJpegs()[0];
    bridge!.video.sink.frame(openedFrame({ i: 0, jpeg }, { captureMs: Date.now(), openedAtMs: Date.now() }));
    const frame = await ha.nth(T.live, 1);
    assert.deepEqual(new Uint8Array(frame.payload), jpeg, "the bridge may write doorbell/+/live, HA may read it");
    assert.equal(frame.retain, false);
  });

  test("availability follows the device: its will says offline when it drops, online when it is back", async () => {
    const { ha } = scene;
    const onlines = ha.on(T.status).filter((s) => s.payload.toString() === "online").length;
    scene.device!.fw.close(); // the session ends without DISCONNECT, as at a power cut
    scene.device = undefined;
    await until(() => ha.on(T.status).at(-1)?.payload.toString() === "offline", "the will: offline");
    scene.device = scene.bootDevice();
    await until(
      () => ha.on(T.status).filter((s) => s.payload.toString() === "online").length === onlines + 1,
      "online again",
    );
  });

  test("a ring pressed while the broker is down is delivered once it is back, exactly once to Home Assistant", () =>
    assertRingSurvivesBrokerDown(scene));

  test("the broker refuses a client without a certificate", async () => {
    const { url, layout } = scene;
    await assert.rejects(
      mqtt.connectAsync(url, {
        ca: [readFileSync(layout.caCert)],
        reconnectPeriod: 0,
        connectTimeout: 5000,
        clientId: "no-cert",
      }),
      /alert certificate required/, // TLS 1.3 alert 116 (RFC 8446 §6.2): require_certificate true
    );
    // The same client with a certificate from the CA gets in: it was the missing certificate. (Not Home
    // Assistant's: the broker makes a certificate's CN its client id, so that would take over ha-stand-in.)
    const withCert = await mqtt.connectAsync(url, {
      ...scene.spareBridgeTls(),
      reconnectPeriod: 0,
      clientId: "with-cert",
    });
    await withCert.endAsync();
  });

  test("a device certificate cannot publish or subscribe to another device's topics", () =>
    assertDeviceConfinedByAcl(scene));

  test("a client that is not the owner cannot make the device act: its command, or a replayed one, is refused on the device", () =>
    assertOnlyOwnerCommands(scene));
});
