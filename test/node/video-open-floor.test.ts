// SPDX-License-Identifier: MIT
// A replayed stream open after a bridge restart: the bridge keeps each device's last accepted `openSeq` with its
// device state (bridge/device-state.ts), so the open of a stream it already showed is refused as a replay after a
// restart too, and that stream's frames reach no viewer. Over an MQTT broker, with the real bridge wiring.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import mqtt, { type MqttClient } from "mqtt";
import { startBridge } from "../../bridge/bridge.js";
import { createDeviceStateStore } from "../../bridge/device-state.js";
import { NODE_TIMERS } from "../../bridge/ha-sync.js";
import { createCommandSigner, generateSigningKey } from "../../bridge/key-files.js";
import type { OpenedFrame } from "../../bridge/video/opened-frame.js";
import { createStreamOpener } from "../../bridge/video/stream-opener.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { createLogger } from "../../modules/logger.js";
import { createStreamSender } from "../../modules/video/stream-crypto.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../simulator/embedded-broker.js";
import { until, watch, type Watcher } from "../support/mqtt-watch.js";

const crypto = createNodeCrypto();
const VIDEO = "doorbell/frontdoor/sealed/video";
const DISCOVERY = "homeassistant/device/esp32db_frontdoor/config";
const ownerSecret = crypto.randomBytes(32);
const deviceSecret = crypto.randomBytes(32);
const devicePublic = crypto.x25519(deviceSecret);
const device = { id: "frontdoor", publicKey: devicePublic };
const jpeg = (n: number) => Uint8Array.of(0xff, 0xd8, n, 0xff, 0xd9);
let broker: EmbeddedBroker;
let bridgeClient: MqttClient;
let deviceClient: MqttClient;
let ha: Watcher;

before(async () => {
  broker = await startEmbeddedBroker({ port: 0 });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  bridgeClient = await mqtt.connectAsync(url, { clientId: "doorbell-bridge", reconnectPeriod: 0 });
  deviceClient = await mqtt.connectAsync(url, { clientId: "frontdoor", reconnectPeriod: 0 });
  ha = await watch(url, ["homeassistant/#"], { clientId: "homeassistant" });
});
after(async () => {
  await bridgeClient.endAsync(true);
  await deviceClient.endAsync(true);
  await ha.close();
  await broker.close();
});

/** A live stream's open message and two frames, sealed as the doorbell would, open number `openSeq`. */
function liveStream(openSeq: number): Uint8Array[] {
  const sender = createStreamSender({
    crypto,
    sender: { privateKey: deviceSecret, publicKey: devicePublic },
    recipientPublicKey: crypto.x25519(ownerSecret),
    deviceId: "frontdoor",
    topic: VIDEO,
    streamId: crypto.randomBytes(8),
    openSeq,
    meta: { kind: "live", startMs: Date.now() },
  });
  const at = Date.now();
  return [
    sender.openMessage,
    sender.sealFrame({ jpeg: jpeg(openSeq), captureMs: at, last: false, droppedOnDevice: 0 }),
    sender.sealFrame({ jpeg: jpeg(openSeq + 1), captureMs: at + 100, last: false, droppedOnDevice: 0 }),
  ];
}

function bridgeOn(stateDir: string, frames: OpenedFrame[], lines: string[]) {
  const state = createDeviceStateStore(stateDir);
  const bridge = startBridge({
    client: bridgeClient,
    crypto,
    ownerSecret,
    signCommand: createCommandSigner(generateSigningKey()),
    devices: [
      { id: "frontdoor", name: "Front door", topicRoot: "doorbell", statusIntervalS: 300, publicKey: devicePublic },
    ],
    log: createLogger({ write: (level, tag, message) => void lines.push(`${level} ${tag} ${message}`) }, "bridge"),
    discoveryPrefix: "homeassistant",
    motionOffDelayS: 30,
    state,
    frameSink: { frame: (f) => void frames.push(f), streamEnded: () => undefined },
  });
  return {
    video: bridge.video,
    close() {
      bridge.close();
      state.close();
    },
  };
}

const publishAll = async (messages: Uint8Array[]) => {
  for (const m of messages) await deviceClient.publishAsync(VIDEO, Buffer.from(m), { qos: 1 });
};

describe("video: the stream-open replay floor survives a bridge restart (docs/security.md)", () => {
  test("after a restart a replayed open is refused as a replay and its frames reach no viewer; a newer open passes", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "bridge-open-floor-"));
    const stream = liveStream(20);

    const firstFrames: OpenedFrame[] = [];
    const first = bridgeOn(stateDir, firstFrames, []);
    await ha.nth(DISCOVERY, 1); // subscribed before it published discovery on the same session
    await publishAll(stream);
    await until(() => firstFrames.length === 2, "the live stream's frames at the first bridge");
    first.close();

    // The bridge restarts on the same state directory; an attacker on the broker replays the stream.
    const frames: OpenedFrame[] = [];
    const lines: string[] = [];
    const second = bridgeOn(stateDir, frames, lines);
    try {
      await ha.nth(DISCOVERY, 2);
      await publishAll(stream);
      await until(() => (second.video.refused["unknown-stream"] ?? 0) === 2, "the replayed frames refused");
      assert.equal(second.video.refused.replay, 1, "the replayed open is refused as a replay");
      assert.equal(frames.length, 0, "no frame of the old stream is shown as live");
      assert.ok(
        lines.some((l) => l.includes("video refused") && l.includes("reason=replay")),
        "and logged",
      );

      // The doorbell's next stream (a higher open number) is accepted as usual.
      await publishAll(liveStream(21));
      await until(() => frames.length === 2, "the new stream's frames");
      assert.deepEqual(
        frames.map((f) => f.jpeg[2]),
        [21, 22],
      );
    } finally {
      second.close();
    }
  });

  test("control: an opener that keeps the floor in memory only accepts the same replay after its restart", () => {
    const stream = liveStream(30);
    const shown: OpenedFrame[] = [];
    const opener = () =>
      createStreamOpener({
        crypto,
        ownerSecret,
        sink: { frame: (f) => void shown.push(f), streamEnded: () => undefined },
        log: createLogger({ write: () => undefined }, "video"),
        timers: NODE_TIMERS,
        now: Date.now,
      });
    const before = opener();
    for (const m of stream) before.onMessage(device, VIDEO, m);
    before.close();
    const after = opener();
    for (const m of stream) after.onMessage(device, VIDEO, m);
    after.close();
    assert.equal(shown.length, 4, "without the persisted floor the replayed stream is shown again");
  });
});
