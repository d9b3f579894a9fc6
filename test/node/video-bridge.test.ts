// SPDX-License-Identifier: MIT
// The live view through a real bridge on an MQTT broker (the embedded aedes, loopback): Home Assistant's
// "Start live view" press and a viewer's arrival both become a live-view command sealed and signed by the owner,
// that the device opens as `{cmd: "live-view", live: {action: "start", seconds}}`; other payloads are ignored;
// live frames reach the MQTT camera's topic at most once a second.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import mqtt, { type MqttClient } from "mqtt";
import { type Bridge, startBridge } from "../../bridge/bridge.js";
import { createDeviceStateStore } from "../../bridge/device-state.js";
import type { BridgeDevice } from "../../bridge/devices.js";
import { createCommandSigner, generateSigningKey, signingPublicPoint } from "../../bridge/key-files.js";
import { createCameraFeed } from "../../bridge/video/camera-feed.js";
import { createOwnerVideo, type OwnerVideo } from "../../bridge/video/owner-video.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { verifyCommandSignature } from "../../modules/command-signature.js";
import { type Command, parseCommand } from "../../modules/commands.js";
import { openEnvelope } from "../../modules/envelope/open-envelope.js";
import { createLogger } from "../../modules/logger.js";
import { type EmbeddedBroker, startEmbeddedBroker } from "../../simulator/embedded-broker.js";
import { until, type Watcher, watch } from "../support/mqtt-watch.js";
import { highwayJpegs, openedFrame } from "../support/opened-frames.js";

const crypto = createNodeCrypto();
const CMD = "doorbell/frontdoor/sealed/cmd";
const ownerSecret = crypto.randomBytes(32);
const ownerSigning = generateSigningKey();
const deviceSecret = crypto.randomBytes(32);
const device: BridgeDevice = {
  id: "frontdoor",
  name: "Front door",
  topicRoot: "doorbell",
  statusIntervalS: 300,
  publicKey: crypto.x25519(deviceSecret),
};
const lines: string[] = [];
const log = createLogger({ write: (level, tag, message) => void lines.push(`${level} ${tag} ${message}`) }, "bridge");
let broker: EmbeddedBroker;
let client: MqttClient;
let bridge: Bridge;
let video: OwnerVideo;
let ha: Watcher;
let nowMs = Date.UTC(2026, 9, 1, 8, 0, 0);
let lastSeq = 0;

/** What the device would do with each sealed command: check the owner's signature, open it in order, parse it. */
function opened(): Command[] {
  lastSeq = 0;
  return ha.on(CMD).map((m) => {
    const signed = verifyCommandSignature(crypto, signingPublicPoint(ownerSigning), "frontdoor", CMD, m.payload);
    assert.ok(signed.ok, "signed by the owner");
    const r = openEnvelope({
      crypto,
      recipientPrivateKey: deviceSecret,
      senderPublicKey: crypto.x25519(ownerSecret),
      deviceId: "frontdoor",
      topic: CMD,
      lastAcceptedSeq: lastSeq,
      bytes: signed.ok ? signed.envelope : new Uint8Array(0),
    });
    if (!r.ok) throw new Error(`the device would refuse it: ${r.reason}`);
    lastSeq = r.seq;
    const c = parseCommand(r.header);
    if (!c.ok) throw new Error(`the device would not parse it: ${c.error}`);
    return c.command;
  });
}

before(async () => {
  broker = await startEmbeddedBroker({ port: 0 });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  ha = await watch(url, ["homeassistant/#", "doorbell/frontdoor/+", CMD], { clientId: "homeassistant" });
  client = await mqtt.connectAsync(url, { clientId: "bridge", reconnectPeriod: 0 });
  const timers = { set: () => 0, clear: () => undefined };
  bridge = startBridge({
    client,
    crypto,
    ownerSecret,
    signCommand: createCommandSigner(ownerSigning),
    devices: [device],
    log,
    discoveryPrefix: "homeassistant",
    motionOffDelayS: 30,
    state: createDeviceStateStore(mkdtempSync(join(tmpdir(), "doorbell-video-bridge-"))),
    now: () => nowMs,
    timers,
    onLiveButton: (deviceId) => video.demand.hold(deviceId, 60),
  });
  video = createOwnerVideo({
    deviceIds: ["frontdoor"],
    sendLiveView: (deviceId, live) => bridge.sendCommand(deviceId, { cmd: "live-view", live }),
    liveSeconds: 45,
    onLiveFrame: createCameraFeed({
      publish: (_id, jpeg) => void client.publish("doorbell/frontdoor/live", Buffer.from(jpeg)),
      now: () => nowMs,
    }),
    log,
    now: () => nowMs,
    timers,
  });
  await ha.nth("homeassistant/device/esp32db_frontdoor/config", 1);
});
after(async () => {
  bridge.close();
  await video.close();
  await client.endAsync(true);
  await ha.close();
  await broker.close();
});

describe("live view through the bridge", () => {
  test("a press of Start live view (cmd/live = start) sends a sealed, signed live-view start the device parses", async () => {
    await ha.client.publishAsync("doorbell/frontdoor/cmd/live", "start", { qos: 1 });
    await ha.nth(CMD, 1);
    const [command] = opened();
    assert.equal(command.cmd, "live-view");
    assert.deepEqual(command.cmd === "live-view" && command.live, { action: "start", seconds: 45 });
    assert.equal(ha.on(CMD)[0].retain, false);
  });

  test("a payload other than start is ignored; a press while running sends nothing more", async () => {
    await ha.client.publishAsync("doorbell/frontdoor/cmd/live", "start", { qos: 1 });
    await ha.client.publishAsync("doorbell/frontdoor/cmd/live", "stop", { qos: 1 });
    await until(() => lines.some((l) => l.includes("live view press ignored")), "the odd payload to be refused");
    assert.equal(ha.on(CMD).length, 1, "still running: no second start");
    nowMs += 61_000;
    video.demand.streamEnded("frontdoor");
    assert.equal(video.demand.running("frontdoor"), false, "the device's stream ended: the next press starts anew");
  });

  test("bridge.sendCommand seals a stop the device parses; an unknown doorbell is an error", async () => {
    const n = ha.on(CMD).length;
    bridge.sendCommand("frontdoor", { cmd: "live-view", live: { action: "stop" } });
    await ha.nth(CMD, n + 1);
    const commands = opened();
    const last = commands[commands.length - 1];
    assert.deepEqual(last.cmd === "live-view" && last.live, { action: "stop" });
    assert.throws(
      () => bridge.sendCommand("nobody", { cmd: "live-view", live: { action: "stop" } }),
      /no served doorbell/,
    );
  });

  test("live frames feed the MQTT camera topic as raw JPEG, at most one a second", async () => {
    const jpegs = highwayJpegs();
    const start = ha.on("doorbell/frontdoor/live").length;
    for (let i = 0; i < 10; i++) {
      video.sink.frame(openedFrame({ i, jpeg: jpegs[i] }));
      nowMs += 250;
    }
    await ha.nth("doorbell/frontdoor/live", start + 3);
    const got = ha.on("doorbell/frontdoor/live").slice(start);
    assert.deepEqual(
      got.map((m) => new Uint8Array(m.payload)),
      [jpegs[0], jpegs[4], jpegs[8]],
    );
    assert.ok(got.every((m) => !m.retain));
  });
});
