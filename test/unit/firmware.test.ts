// SPDX-License-Identifier: MIT
// The firmware wired on the in-memory host: what a press, a hold, a reboot and a broker drop produce.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { toHex } from "../../modules/bytes.js";
import { DEVICE_KEY_KEY } from "../../modules/device-key.js";
import { startFirmware } from "../../modules/firmware.js";
import { createFakeHost, type FakeHost } from "../support/fake-host.js";
import { openEventForTest, testOwnerKeys } from "../support/owner.js";

const owner = testOwnerKeys();

function boot(host: FakeHost = createFakeHost(), config: object = {}) {
  const fw = startFirmware(host, {
    firmwareVersion: "test",
    config: { deviceId: "frontdoor", keys: { ownerPublic: owner.publicHex }, ...config },
  });
  return { host, fw };
}

function events(host: FakeHost, devicePublic: Uint8Array) {
  return host.mqtt.published
    .filter((p) => p.topic === "doorbell/frontdoor/sealed/event")
    .map((p) => openEventForTest(owner, toHex(devicePublic), "frontdoor", p.topic, p.payload))
    .filter((e) => e.header.type !== "status"); // one goes out on every connect (status-report.test.ts)
}

/** A clean press of `holdMs` starting now. */
function press(host: FakeHost, holdMs = 150) {
  host.button.edge(1, host.clock.nowMs);
  host.clock.advance(holdMs);
  host.button.edge(0, host.clock.nowMs);
  host.clock.advance(100);
}

describe("firmware ring flow", () => {
  test("a press during cooldown is logged and counted, not published; after it, the next press rings", () => {
    const { host, fw } = boot();
    host.mqtt.accept();
    host.clock.advance(10_000);
    press(host);
    host.clock.advance(1000);
    press(host); // 1.25 s after the first: inside the 5 s cooldown
    host.clock.advance(5000);
    press(host);
    const rings = events(host, fw.devicePublicKey).filter((e) => e.header.type === "ring");
    assert.equal(rings.length, 2);
    assert.equal(fw.ring.stats.presses, 3);
    assert.equal(fw.ring.stats.suppressed, 1);
    assert.ok(host.lines.some((l) => l.tag === "ring" && l.message.startsWith("press during cooldown")));
    assert.equal(
      host.lines.filter((l) => l.tag === "button" && l.message.startsWith("press")).length,
      3,
      "every press is logged",
    );
  });

  test("the chime relay is pulsed on a ring and not on a suppressed press", () => {
    const { host } = boot(undefined, { chime: { pulseMs: 300 } });
    host.mqtt.accept();
    host.clock.advance(10_000);
    press(host);
    press(host);
    host.clock.advance(1000);
    assert.deepEqual(
      host.chime.writes.map((w) => w.level),
      [1, 0],
    );
    assert.equal(host.chime.writes[1].atMs - host.chime.writes[0].atMs, 300);
  });

  test("holding 2 s raises a long_press event after the ring", () => {
    const { host, fw } = boot();
    host.mqtt.accept();
    host.clock.advance(10_000);
    press(host, 2500);
    const types = events(host, fw.devicePublicKey).map((e) => e.header.type);
    assert.deepEqual(
      types.filter((t) => t !== "snapshot"),
      ["ring", "long_press"],
    );
  });

  test("a ring carries the press-instant frame and a follow-up snapshot comes about 1 s later", () => {
    const { host, fw } = boot(undefined, { camera: { framePeriodMs: 100, followUpMs: 1000 } });
    host.mqtt.accept();
    host.clock.advance(10_000);
    host.camera.capture(9_900);
    host.camera.capture(10_000);
    host.button.edge(1, 10_040);
    host.clock.advance(50);
    for (let t = 10_100; t <= 11_200; t += 100) {
      host.clock.advance(t - host.clock.nowMs);
      host.camera.capture(t);
    }
    host.button.edge(0, host.clock.nowMs);
    host.clock.advance(500);
    const [ring, follow] = events(host, fw.devicePublicKey);
    assert.equal(ring.header.type, "ring");
    assert.equal(ring.header.frameAgeMs, 40);
    assert.equal(follow.header.type, "snapshot");
    assert.equal(follow.header.of, ring.header.id);
    assert.equal(
      follow.header.frameAgeMs,
      40,
      "the newest frame at or before press + 1 s (11,040 ms) is the 11,000 ms one",
    );
    assert.ok(host.camera.outstanding <= 2, "frames are returned to the camera");
  });
});

describe("firmware recovery: a broker drop, a stalled camera", () => {
  test("events raised while the broker is unreachable are delivered in order after the reconnect", () => {
    const { host, fw } = boot();
    host.mqtt.accept();
    host.mqtt.drop("broker gone");
    for (let i = 0; i < 3; i++) {
      host.clock.advance(6_000);
      press(host);
    }
    assert.equal(events(host, fw.devicePublicKey).length, 0, "nothing published while down");
    host.clock.advance(60_000); // the backoff timer has called connect again by now
    host.mqtt.accept();
    host.clock.advance(0); // each PUBACK on a later turn, and the next event after it
    const seqs = events(host, fw.devicePublicKey).map((e) => e.header.seq);
    assert.equal(seqs.length, 6, "3 rings and their 3 follow-up snapshots");
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], "in sequence order");
    assert.equal(fw.delivery.stats.queued, 0);
  });

  test("after a drop the firmware reconnects with a growing, jittered backoff", () => {
    const { host } = boot();
    let connects = 0;
    const connect = host.mqtt.connect.bind(host.mqtt);
    host.mqtt.connect = (o) => {
      connects++;
      connect(o);
    };
    host.mqtt.accept();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      host.mqtt.drop();
      const before = connects;
      const start = host.clock.nowMs;
      while (connects === before && host.clock.nowMs - start < 120_000) host.clock.advance(50);
      times.push(host.clock.nowMs - start);
    }
    assert.equal(connects, 5);
    assert.ok(times[0] >= 500 && times[0] <= 1050, `first delay ${times[0]}`);
    assert.ok(times[4] >= 8000 && times[4] <= 16_050, `fifth delay ${times[4]}`);
  });

  test("a camera that stops delivering frames is re-initialised after camera.stallS", () => {
    const { host } = boot(undefined, { camera: { stallS: 3 } });
    host.camera.capture(0);
    host.clock.advance(2999);
    assert.equal(host.camera.restarts, 0);
    host.clock.advance(1);
    assert.equal(host.camera.restarts, 1);
  });
});

describe("firmware keys: the owner key required, the device key kept", () => {
  test("without an owner key nothing leaves the device, and the log says what to do", () => {
    const host = createFakeHost();
    startFirmware(host, { firmwareVersion: "test", config: { deviceId: "frontdoor" } });
    host.mqtt.accept();
    host.clock.advance(10_000);
    press(host);
    assert.equal(host.mqtt.published.filter((p) => p.topic.endsWith("/sealed/event")).length, 0);
    assert.ok(host.lines.some((l) => l.level === "error" && l.message.includes("keys.ownerPublic")));
  });

  test("a generated device key is kept across reboots and never logged", () => {
    const host = createFakeHost();
    const first = boot(host).fw.devicePublicKey;
    const second = boot(createFakeHost(host.storage)).fw.devicePublicKey;
    assert.deepEqual(first, second);
    const secretHex = toHex(host.storage.kv.get(DEVICE_KEY_KEY)!);
    assert.ok(!host.lines.some((l) => l.message.includes(secretHex)));
  });
});
