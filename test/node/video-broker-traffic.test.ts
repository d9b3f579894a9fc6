// SPDX-License-Identifier: MIT
// Issue 10's acceptance: "the broker's traffic during a live view and a clip holds no JPEG". A real Mosquitto
// (Debian's) over TLS with the ACL `doorbell device add` generated, plus one test-only identity that may read
// every topic: it records every PUBLISH while the firmware (Node host) streams a live view to the bridge's MJPEG
// endpoint and sends a ring's clip. With the bridge's default settings no payload on any topic, the bridge's Home
// Assistant topics included, holds a piece of any frame; a control proves the same detector flags a frame sent in
// the clear. Home Assistant's path for the ring's picture, a link on the snapshot topic (ha.pictures = url), is
// followed over HTTP to the ring's JPEG.
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { loadBridgeConfig } from "../../bridge/bridge-config.js";
import { runBridge } from "../../bridge/cli/bridge-main.js";
import { caFor, clientCertFor } from "../../bridge/provision/broker-files.js";
import { addDevice } from "../../bridge/provision/add-device.js";
import { homeLayout } from "../../bridge/provision/home-layout.js";
import type { OpenedFrame, StreamSummary } from "../../bridge/video/opened-frame.js";
import { readPack } from "../../bridge/snapshot-pack.js";
import { PACKS_DIR } from "../../bridge/snapshot-store.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { loadNodeDeviceBundle } from "../../hosts/node/device-bundle.js";
import { createNodeHost, type NodeHost } from "../../hosts/node/host.js";
import { createFolderCamera } from "../../hosts/node/folder-camera.js";
import { startFirmware, type Firmware } from "../../modules/firmware.js";
import { createLogger } from "../../modules/logger.js";
import type { CameraPort } from "../../modules/ports.js";
import { createLeakDetector, LEAK_STRIDE_BYTES, LEAK_WINDOW_BYTES, type LeakDetector } from "../support/frame-leak.js";
import { openMjpeg, type MjpegClient } from "../support/mjpeg-client.js";
import { freePort, startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { createOwnerHome } from "../support/owner-home.js";
import { until, watch, type Watcher } from "../support/mqtt-watch.js";

const crypto = createNodeCrypto();
const SPY = "traffic-spy";
const VIDEO_TOPIC = "doorbell/frontdoor/sealed/video";
/** Real camera JPEGs (CDnet highway, 320x240, 50 frames, looped): entropy-coded data that differs frame to frame. */
const FRAMES_DIR = fileURLToPath(new URL("../fixtures/cdnet-highway/input/", import.meta.url));
const SNAPSHOT_TOPIC = "doorbell/frontdoor/snapshot";
const DISCOVERY_TOPIC = "homeassistant/device/esp32db_frontdoor/config";

const dir = mkdtempSync(join(tmpdir(), "doorbell-video-traffic-"));
const home = join(dir, "home");
const layout = homeLayout(home);
const bridgeLines: string[] = [];
/** Every camera frame the device was handed, copied. */
const cameraFrames: Uint8Array[] = [];
/** Every frame the bridge opened, live and clip. */
const opened: OpenedFrame[] = [];
const ended: StreamSummary[] = [];
/** Every payload the device published on its video topic and the broker acknowledged or took. */
const devicePublished: Buffer[] = [];
let broker: Mosquitto;
let bridge: ReturnType<typeof runBridge>;
let spy: Watcher;
let device: { host: NodeHost; fw: Firmware };
let videoPort: number;
let brokerUrl: string;

const tlsAs = (cert: string, key: string) => ({
  ca: [readFileSync(layout.caCert)],
  cert: readFileSync(cert),
  key: readFileSync(key),
  rejectUnauthorized: true,
});

/** A camera that keeps a copy of each frame it hands out. */
function recordingCamera(camera: CameraPort): CameraPort {
  return {
    start: (o) =>
      camera.start({
        onFrame(frame) {
          cameraFrames.push(frame.jpeg.slice());
          o.onFrame(frame);
        },
      }),
    restart: () => camera.restart(),
    stop: () => camera.stop(),
  };
}

function bootDevice(): { host: NodeHost; fw: Firmware } {
  const bundle = loadNodeDeviceBundle(layout.deviceDir("frontdoor"));
  const host = createNodeHost({
    storageDir: join(dir, "frontdoor-storage"),
    mqtt: bundle.mqtt,
    camera: (clock) => recordingCamera(createFolderCamera({ clock, dir: FRAMES_DIR, framePeriodMs: 100 })),
    log: { write: () => undefined },
    rssiDbm: () => -60,
  });
  const publish = host.mqtt.publish.bind(host.mqtt);
  host.mqtt.publish = (topic, payload, po, onAck) =>
    publish(topic, payload, po, (error) => {
      if (!error && topic === VIDEO_TOPIC) devicePublished.push(Buffer.from(payload));
      onAck?.(error);
    });
  const config = {
    ...bundle.config,
    motion: { enabled: false },
    camera: { framePeriodMs: 100 },
    video: { clipPreRollMs: 2000, clipPostMs: 2000, clipFps: 5, liveFps: 10 },
  };
  const fw = startFirmware(host, { config, firmwareVersion: "1.0.0-test", deviceKey: bundle.deviceKey });
  return { host, fw };
}

before(async () => {
  const ownerSecret = crypto.randomBytes(32);
  createOwnerHome(home, crypto, ownerSecret);
  const port = await freePort();
  addDevice({ home, name: "frontdoor", brokerHost: "127.0.0.1", brokerPort: port, crypto });
  // The test's own identity, from the same CA: it may read every topic, and write only its control topic.
  const spyPaths = { cert: join(dir, "spy.pem"), key: join(dir, "spy.key") };
  clientCertFor(caFor(layout, []), SPY, spyPaths, [], "traffic spy");
  appendFileSync(layout.mosquittoAcl, `\n# Test only\nuser ${SPY}\ntopic read #\ntopic write spy/#\n`);
  broker = await startMosquitto({ dir, listenerConf: layout.mosquittoConf, port });
  const url = `mqtts://127.0.0.1:${port}`;
  brokerUrl = url;
  spy = await watch(url, ["#"], { clientId: SPY, ...tlsAs(spyPaths.cert, spyPaths.key) });
  videoPort = await freePort();
  const log = createLogger({ write: (level, tag, message) => void bridgeLines.push(`${level} ${tag} ${message}`) }, "");
  bridge = runBridge(
    loadBridgeConfig({
      argv: ["--home", home, "--broker-url", url, "--video-port", String(videoPort)],
      env: {},
      cwd: dir,
    }),
    log,
  );
  const sink = bridge.video.sink;
  const [frame, streamEnded] = [sink.frame.bind(sink), sink.streamEnded.bind(sink)];
  sink.frame = (f) => (opened.push(f), frame(f));
  sink.streamEnded = (s) => (ended.push(s), streamEnded(s));
  await until(() => bridgeLines.some((l) => l.includes("connected; serving")), "the bridge to connect");
});

after(async () => {
  device?.fw.close();
  device?.host.camera.stop();
  await device?.host.mqtt.close?.();
  await spy?.close();
  await bridge?.stop();
  await broker?.stop();
});

/** Opens the bridge's MJPEG endpoint once it listens. */
async function viewer(): Promise<MjpegClient> {
  for (let i = 0; i < 100; i++) {
    try {
      return await openMjpeg(`http://127.0.0.1:${videoPort}/live/frontdoor.mjpeg`);
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error("the bridge's video endpoint never listened");
}

/** Boots the doorbell, runs a live view through the bridge's MJPEG endpoint and rings during it. */
async function liveViewAndRing(): Promise<void> {
  device = bootDevice();
  await until(() => device.host.mqtt.connected, "the doorbell to connect over TLS");
  await until(() => cameraFrames.length >= 25, "2.5 s of pre-roll in the clip ring", 30_000);
  // The first viewer makes the bridge send the sealed live-view start.
  const live = await viewer();
  assert.equal(live.status, 200);
  await until(() => live.parts.length >= 10, "ten live frames at the viewer", 30_000);
  // A ring during the live view: its event, its snapshot, and its clip with pre-roll.
  device.host.button.set(1, 6);
  await new Promise((r) => setTimeout(r, 150));
  device.host.button.set(0, 6);
  await until(() => ended.some((s) => s.kind === "clip"), "the ring's clip to end at the bridge", 30_000);
  live.close();
  await until(() => !device.fw.video.live.running, "the live view to stop once its viewer left", 30_000);
}

/** The frames were carried, sealed, and opened by the owner; the spy saw every sealed message. Returns the clip's. */
async function assertFramesCarried(): Promise<OpenedFrame[]> {
  const clip = ended.find((s) => s.kind === "clip")!;
  assert.equal(clip.complete, true, "the clip ended with its last frame");
  const clipFrames = opened.filter((f) => f.streamId === clip.streamId);
  assert.ok(clipFrames.length >= 5, `${clipFrames.length} clip frames`);
  assert.ok(
    clipFrames.some((f) => f.captureMs < f.triggerMs!),
    "the clip holds frames from before the press (pre-roll)",
  );
  assert.ok(
    clipFrames.some((f) => f.captureMs >= f.triggerMs!),
    "and frames after it",
  );
  assert.ok(opened.filter((f) => f.kind === "live").length >= 10, "live frames opened by the bridge");
  for (const f of opened)
    assert.ok(
      cameraFrames.some((c) => Buffer.from(c).equals(f.jpeg)),
      "each opened frame is a camera frame (no zones)",
    );
  // Every message the doorbell put on its video topic reached the spy, byte for byte: it saw the whole stream.
  await until(() => spy.on(VIDEO_TOPIC).length >= devicePublished.length, "the spy to get every sealed video message");
  const sealed = new Set(spy.on(VIDEO_TOPIC).map((s) => s.payload.toString("latin1")));
  assert.ok(devicePublished.length > 20, `${devicePublished.length} sealed video messages`);
  for (const p of devicePublished) assert.ok(sealed.has(p.toString("latin1")), "a sealed message the spy missed");
  return clipFrames;
}

/** Positive controls through the same broker and recording: a frame in the clear, and a 100-byte piece of one. */
async function assertControlsCaught(detect: LeakDetector): Promise<void> {
  const control = cameraFrames[cameraFrames.length >> 1];
  const piece = Buffer.concat([crypto.randomBytes(7), control.subarray(1001, 1101), crypto.randomBytes(9)]);
  await spy.client.publishAsync("spy/control/frame", Buffer.from(control), { qos: 1 });
  await spy.client.publishAsync("spy/control/piece", piece, { qos: 1 });
  const frameControl = await spy.nth("spy/control/frame", 1);
  const pieceControl = await spy.nth("spy/control/piece", 1);
  assert.ok(detect.find(frameControl.payload), "the detector flags a frame published in the clear");
  assert.equal(detect.find(pieceControl.payload)?.length, LEAK_WINDOW_BYTES, "and a piece of one at an odd offset");
}

describe("the broker's traffic during a live view and a clip (issue 10 acceptance)", () => {
  test("no message on any topic holds a piece of a frame; a frame in the clear is caught", async (t) => {
    await liveViewAndRing();
    const clipFrames = await assertFramesCarried();

    // The detector: windows of every camera frame; the distinct frames give that many distinct windows.
    const detect = createLeakDetector(cameraFrames);
    const distinct = [...new Map(cameraFrames.map((f) => [Buffer.from(f).toString("latin1"), f])).values()];
    const windows = distinct.reduce((n, f) => n + Math.floor(f.length / LEAK_STRIDE_BYTES), 0);
    assert.ok(distinct.length >= 20, `${distinct.length} distinct frames`);
    assert.ok(detect.patterns > windows / 2, `${detect.patterns} distinct patterns searched of ${windows} windows`);
    await assertControlsCaught(detect);

    const leaks = spy.seen
      .filter((s) => !s.topic.startsWith("spy/control/"))
      .filter((s) => detect.find(s.payload) !== undefined)
      .map((s) => s.topic);
    const byTopic = [...new Set(leaks)].sort();
    // Default settings: no topic at all, sealed or the bridge's Home Assistant ones, carries a piece of a frame.
    assert.deepEqual(byTopic, [], "no frame's bytes in any message");
    assert.equal(
      spy.on("doorbell/frontdoor/live").length,
      0,
      "no live stills over the broker (ha.liveStillsOverMqtt off)",
    );
    const preRoll = clipFrames.filter((f) => f.captureMs < f.triggerMs!).length;
    t.diagnostic(
      `${spy.seen.length} messages scanned (${devicePublished.length} sealed video), ${distinct.length} distinct ` +
        `frames, ${detect.patterns} patterns; clip ${clipFrames.length} frames (${preRoll} pre-roll); no plaintext`,
    );
  });
});

describe("Home Assistant's pictures with the default settings (ha.pictures = url)", () => {
  const name =
    "Home Assistant's path to the ring's picture: url_topic in discovery, the retained link fetches its JPEG";
  test(name, async () => {
    const discovery = JSON.parse((await spy.nth(DISCOVERY_TOPIC, 1)).payload.toString("utf8"));
    const image = discovery.cmps.snapshot;
    assert.deepEqual(
      [image.p, image.url_t, "cont_type" in image, "img_t" in image],
      ["image", SNAPSHOT_TOPIC, false, false],
      "§2.2: url_topic, and no content_type with it",
    );
    assert.deepEqual(discovery.cmps.live, { p: "camera" }, "the MQTT camera removed (§1.3)");

    // On connect, with no picture stored yet, the bridge clears any retained copy (bytes an older bridge or
    // ha.pictures = mqtt left); the ring then brings its link (and the follow-up snapshot its own).
    await until(() => spy.on(SNAPSHOT_TOPIC).length >= 2, "the ring's picture link");
    const [cleared, ...links] = spy.on(SNAPSHOT_TOPIC).map((m) => m.payload.toString("utf8"));
    assert.equal(cleared, "", "the clearing message");
    assert.equal(new Set(links).size, links.length, "a fresh token per picture");
    const link = links[0];
    const prefix = `http://127.0.0.1:${videoPort}/pictures/`;
    assert.ok(
      link.startsWith(prefix) && /^[0-9a-f]{32}\.jpg$/.test(link.slice(prefix.length)),
      `a picture link: ${link}`,
    );
    // A Home Assistant that starts later gets the link from the broker's retained copy.
    const late = await watch(brokerUrl, [SNAPSHOT_TOPIC], {
      clientId: `${SPY}-late`,
      ...tlsAs(join(dir, "spy.pem"), join(dir, "spy.key")),
    });
    try {
      const retained = await late.nth(SNAPSHOT_TOPIC, 1);
      assert.deepEqual(
        [retained.retain, retained.payload.toString("utf8")],
        [true, spy.on(SNAPSHOT_TOPIC).at(-1)!.payload.toString("utf8")],
      );
    } finally {
      await late.close();
    }

    // What Home Assistant's image entity does: GET the link, without credentials.
    const got = await fetch(link);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get("content-type"), "image/jpeg");
    const jpeg = new Uint8Array(await got.arrayBuffer());
    const [stored] = readdirSync(join(home, "snapshots", PACKS_DIR), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith(".pack"))
      .flatMap((e) => {
        const pack = readFileSync(join(e.parentPath, e.name));
        return readPack(pack)
          .filter((p) => p.device === "frontdoor" && p.type === "ring")
          .map((p) => pack.subarray(p.offset, p.offset + p.length));
      });
    assert.ok(stored && Buffer.from(jpeg).equals(stored), "the ring's picture, as the bridge stored it");
    assert.ok(
      createLeakDetector(cameraFrames).find(jpeg),
      "a camera frame: the detector would have caught it on the broker",
    );

    const token = link.slice(prefix.length, -".jpg".length);
    const offByOne = token.slice(0, -1) + (token.endsWith("0") ? "1" : "0");
    for (const path of [
      `/pictures/${"0".repeat(32)}.jpg`,
      `/pictures/${offByOne}.jpg`,
      "/pictures/x.jpg",
      "/pictures/",
    ])
      assert.equal((await fetch(`http://127.0.0.1:${videoPort}${path}`)).status, 404, `${path}: not a picture`);
  });
});
