// SPDX-License-Identifier: MIT
// The bridge's video wiring (bridge/bridge.ts): it subscribes to each device's sealed video topic, opens the
// streams there and hands only authenticated frames, in order, to its FrameSink. Over a real MQTT broker.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import mqtt, { type MqttClient } from "mqtt";
import { startBridge } from "../../bridge/bridge.js";
import { createDeviceStateStore } from "../../bridge/device-state.js";
import { createCommandSigner, generateSigningKey } from "../../bridge/key-files.js";
import type { OpenedFrame, StreamSummary } from "../../bridge/video/opened-frame.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { createLogger } from "../../modules/logger.js";
import { createStreamSender } from "../../modules/video/stream-crypto.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../simulator/embedded-broker.js";
import { until, watch, type Watcher } from "../support/mqtt-watch.js";

const crypto = createNodeCrypto();
const VIDEO = "doorbell/frontdoor/sealed/video";
const ownerSecret = crypto.randomBytes(32);
const deviceSecret = crypto.randomBytes(32);
const devicePublic = crypto.x25519(deviceSecret);
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

describe("bridge: sealed video", () => {
  test("a clip published on the video topic reaches the FrameSink authenticated and in order; a forged frame does not", async () => {
    const frames: OpenedFrame[] = [];
    const ended: StreamSummary[] = [];
    const bridge = startBridge({
      client: bridgeClient,
      crypto,
      ownerSecret,
      signCommand: createCommandSigner(generateSigningKey()),
      devices: [
        { id: "frontdoor", name: "Front door", topicRoot: "doorbell", statusIntervalS: 300, publicKey: devicePublic },
      ],
      log: createLogger({ write: () => undefined }, "bridge"),
      discoveryPrefix: "homeassistant",
      motionOffDelayS: 30,
      state: createDeviceStateStore(mkdtempSync(join(tmpdir(), "bridge-video-"))),
      frameSink: { frame: (f) => void frames.push(f), streamEnded: (s) => void ended.push(s) },
    });
    try {
      // The bridge subscribes before it publishes discovery on the same session, so its discovery at a watcher
      // means the broker already holds its subscription to the video topic.
      await ha.nth("homeassistant/device/esp32db_frontdoor/config", 1);
      const sender = createStreamSender({
        crypto,
        sender: { privateKey: deviceSecret, publicKey: devicePublic },
        recipientPublicKey: crypto.x25519(ownerSecret),
        deviceId: "frontdoor",
        topic: VIDEO,
        streamId: crypto.randomBytes(8),
        openSeq: 7,
        meta: { kind: "clip", trigger: "ring", eventSeq: 6, triggerMs: Date.now() - 500, startMs: Date.now() },
      });
      const at = Date.now();
      const messages = [
        sender.openMessage,
        sender.sealFrame({ jpeg: jpeg(0), captureMs: at, last: false, droppedOnDevice: 0 }),
        sender.sealFrame({ jpeg: jpeg(1), captureMs: at + 200, last: false, droppedOnDevice: 0 }),
        sender.sealFrame({ jpeg: jpeg(2), captureMs: at + 400, last: true, droppedOnDevice: 1 }),
      ];
      const forged = messages[2].slice();
      forged[forged.length - 1] ^= 1;
      for (const m of [messages[0], messages[1], forged, messages[2], messages[3]])
        await deviceClient.publishAsync(VIDEO, Buffer.from(m), { qos: 1 });
      await until(() => ended.length === 1, "the clip's end at the sink");
      assert.deepEqual(
        frames.map((f) => [f.index, f.jpeg[2], f.trigger, f.eventSeq, f.last]),
        [
          [0, 0, "ring", 6, false],
          [1, 1, "ring", 6, false],
          [2, 2, "ring", 6, true],
        ],
      );
      assert.deepEqual([ended[0].complete, ended[0].droppedOnDevice, ended[0].refused], [true, 1, { forged: 1 }]);
      assert.equal(bridge.video.refused.forged, 1);
    } finally {
      bridge.close();
    }
  });
});
