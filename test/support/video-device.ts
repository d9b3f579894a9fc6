// SPDX-License-Identifier: MIT
// The firmware on the in-memory host with video on, and the owner's stream opener fed with what it publishes on
// its video topic. Runs under Node and inside XS.
import { toHex } from "../../modules/bytes.js";
import { type Command, sealCommand } from "../../modules/commands.js";
import { startFirmware } from "../../modules/firmware.js";
import { createFakeHost, type FakeHost } from "./fake-host.js";
import { openEventForTest, testOwnerKeys } from "./owner.js";
import { testCrypto } from "./test-crypto.js";
import { testOwner } from "./video-streams.js";

export const owner = testOwnerKeys();
export const VIDEO_TOPIC = "doorbell/frontdoor/sealed/video";
export const EVENT_TOPIC = "doorbell/frontdoor/sealed/event";
export const CMD_TOPIC = "doorbell/frontdoor/sealed/cmd";

export function bootVideo(config: Record<string, unknown> = {}, host: FakeHost = createFakeHost()) {
  const fw = startFirmware(host, {
    firmwareVersion: "test",
    config: {
      deviceId: "frontdoor",
      keys: owner.keysConfig,
      motion: { enabled: false },
      camera: { framePeriodMs: 200, followUpMs: 0 },
      ...config,
    },
  });
  host.mqtt.accept();
  const viewer = testOwner({ privateKey: owner.secret, publicKey: owner.publicKey });
  const device = { id: "frontdoor", publicKey: fw.devicePublicKey };
  let fed = 0;
  /** Hands every video message published since the last call to the owner's opener. */
  const feed = () => {
    for (; fed < host.mqtt.published.length; fed++) {
      const p = host.mqtt.published[fed];
      if (p.topic === VIDEO_TOPIC) viewer.opener.onMessage(device, p.topic, p.payload);
    }
  };
  /** Captures a frame every `periodMs` up to `toMs` (the clock follows), then feeds the owner. */
  const runTo = (toMs: number, periodMs = 200, each?: (atMs: number) => void) => {
    for (let guard = 0; guard < 100_000 && host.clock.nowMs + periodMs <= toMs; guard++) {
      host.clock.advance(periodMs);
      each?.(host.clock.nowMs);
      host.camera.capture(host.clock.nowMs);
      feed();
    }
    feed();
  };
  let seq = 1;
  /** Seals and signs a command as the owner would (for `deviceId`, default this one), delivers it, returns its bytes. */
  const command = (body: Record<string, unknown>, cmd = "live-view", deviceId = "frontdoor") => {
    const crypto = testCrypto();
    const bytes = sealCommand({
      crypto,
      ownerSecret: owner.secret,
      sign: owner.sign,
      devicePublicKey: fw.devicePublicKey,
      deviceId,
      topic: `doorbell/${deviceId}/sealed/cmd`,
      seq: seq++,
      command: { v: 1, cmd, id: toHex(crypto.randomBytes(8)), atMs: host.clock.wallMs(), ...body } as Command,
    });
    host.mqtt.options!.onMessage(CMD_TOPIC, bytes);
    return bytes;
  };
  const events = () =>
    host.mqtt.published
      .filter((p) => p.topic === EVENT_TOPIC)
      .map((p) => openEventForTest(owner, toHex(fw.devicePublicKey), "frontdoor", p.topic, p.payload));
  /** A clean press at the current instant. */
  const press = () => {
    host.button.edge(1, host.clock.nowMs);
    host.clock.advance(100);
    host.button.edge(0, host.clock.nowMs);
  };
  return { host, fw, viewer, feed, runTo, command, events, press };
}
