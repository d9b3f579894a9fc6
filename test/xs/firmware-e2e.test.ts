// SPDX-License-Identifier: MIT
// End to end inside the real XS engine: a bouncing press goes through the firmware running in
// xsnap-worker to a sealed publish handed to the MQTT port, and the owner can open it.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { fromUtf8 } from "../../modules/bytes.js";
import { openEventForTest, testOwnerKeys } from "../support/owner.js";
import { startXsFirmware, type XsFirmware } from "../../hosts/xs/xs-firmware.js";
import { createFakeHost, type FakeHost } from "../support/fake-host.js";
import { advanceXs } from "../support/xs-clock.js";

describe("firmware on XS", () => {
  const owner = testOwnerKeys();
  const running: XsFirmware[] = [];
  after(async () => {
    for (const fw of running) await fw.close();
  });

  async function boot(host: FakeHost, config: object = {}) {
    const fw = await startXsFirmware({
      host,
      firmwareVersion: "test",
      config: { deviceId: "frontdoor", keys: { ownerPublic: owner.publicHex }, ...config },
      onError: (e) => assert.fail(`XS error: ${e.message}`),
    });
    running.push(fw);
    return fw;
  }

  test("a bouncing press becomes one sealed ring event, published with QoS 1 and the press-instant frame", async () => {
    const host = createFakeHost();
    const fw = await boot(host);
    host.mqtt.accept();
    await fw.idle();
    const plain = host.mqtt.published.filter((p) => p.topic !== "doorbell/frontdoor/sealed/event");
    assert.deepEqual(
      plain.map((p) => [p.topic, fromUtf8(p.payload), p.options.retain]),
      [["doorbell/frontdoor/status", "online", true]],
    );
    host.mqtt.published.length = 0; // and the connect-time sealed status event
    assert.deepEqual(host.mqtt.subscriptions, [
      { topic: "doorbell/frontdoor/sealed/cmd", qos: 1 },
      { topic: "doorbell/frontdoor/sealed/update", qos: 1 },
      { topic: "doorbell/frontdoor/update/chunk", qos: 1 },
    ]);

    host.clock.advance(1000);
    host.camera.capture(900);
    host.camera.capture(1000);
    await fw.idle();
    for (let i = 0; i < 10; i++) host.button.edge(i % 2 === 0 ? 1 : 0, 1050 + i);
    host.button.edge(1, 1060);
    await advanceXs(host.clock, fw, 200);

    const events = host.mqtt.published.filter((p) => p.topic === "doorbell/frontdoor/sealed/event");
    assert.equal(events.length, 1);
    assert.equal(events[0].options.qos, 1);
    assert.equal(events[0].options.retain, false);
    const opened = openEventForTest(owner, fw.devicePublic, "frontdoor", events[0].topic, events[0].payload);
    assert.equal(opened.header.type, "ring");
    assert.equal(opened.header.device, "frontdoor");
    assert.equal(fromUtf8(opened.jpeg!.subarray(6, opened.jpeg!.length - 2)), "t=1000");
    assert.ok(
      host.chime.writes.some((w) => w.level === 1),
      "chime pulsed",
    );
    assert.ok(host.camera.outstanding <= 2, "frames returned to the camera");
  });

  test("sequence numbers keep rising across a reboot of the XS firmware", async () => {
    const host = createFakeHost();
    let fw = await boot(host, { seq: { blockSize: 4 } });
    host.mqtt.accept();
    const seqs: number[] = [];
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 3; i++) {
        host.clock.advance(10_000);
        host.button.edge(1, host.clock.nowMs);
        await advanceXs(host.clock, fw, 100);
        host.button.edge(0, host.clock.nowMs);
        await advanceXs(host.clock, fw, 2000);
      }
      for (const p of host.mqtt.published.splice(0)) {
        if (!p.topic.endsWith("/sealed/event")) continue;
        const { header } = openEventForTest(owner, fw.devicePublic, "frontdoor", p.topic, p.payload);
        if (header.type !== "status") seqs.push(header.seq); // one per connect besides the rings
      }
      await fw.close();
      // Power cycle: a new XS machine on the same storage.
      const next = createFakeHost(host.storage);
      Object.assign(host, {
        mqtt: next.mqtt,
        clock: next.clock,
        timers: next.timers,
        button: next.button,
        camera: next.camera,
      });
      fw = await boot(host, { seq: { blockSize: 4 } });
      host.mqtt.accept();
    }
    assert.equal(seqs.length, 12, "3 rings + 3 follow-up snapshots per boot");
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `seq ${seqs[i]} after ${seqs[i - 1]}`);
  });
});
