// SPDX-License-Identifier: MIT
// hosts/mcsim/host.ts composed as simulator/mcsim/main.ts does it, inside XS on the fakes: the device bundle,
// the ESP32 host's MQTT client over the TLS socket fake, the ESP32 storage over the file and preference fakes,
// and the skin's parts over the fake `screen`. A click in the skin goes out as one sealed QoS 1 ring event.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadResourceBundle } from "../../hosts/esp32/device-config.js";
import "../../hosts/esp32/globals.js";
import { createMcsimHost } from "../../hosts/mcsim/host.js";
import { parseConfig } from "../../modules/config.js";
import { startFirmware } from "../../modules/firmware.js";
import { createSkinModel } from "../../simulator/mcsim/skin/skin-model.js";
import { createAutoBroker, sentPublishes } from "../esp32/broker.js";
import { advance, pendingTimers } from "../xs/moddable-fakes/event-loop.js";
import { flashFiles } from "../xs/moddable-fakes/file.js";
import { nvsEntries } from "../xs/moddable-fakes/preference.js";
import { addResource } from "../xs/moddable-fakes/resource.js";
import { appPosted, fakeScreen, skinPosts } from "../xs/moddable-fakes/screen.js";
import { dropConnection } from "../xs/moddable-fakes/sockets.js";
import { frameBytes, freshDesktop, writeFolder } from "./rig.js";

/** RFC 7748 §6.1 Bob's public key: any valid X25519 point serves as the owner's. */
const OWNER_PUBLIC = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";

function provision(): void {
  addResource(
    "device-config.json",
    JSON.stringify({
      format: "doorbell-device/1",
      config: {
        deviceId: "frontdoor",
        keys: { ownerPublic: OWNER_PUBLIC },
        mqtt: { host: "127.0.0.1", port: 8883 },
        motion: { enabled: false },
      },
      tls: { ca: "ca.der", cert: "device.der", key: "device-key.der" },
    }),
  );
  addResource("ca.der", Uint8Array.of(0x30, 1));
  addResource("device.der", Uint8Array.of(0x30, 2));
  addResource("device-key.der", Uint8Array.of(0x30, 3));
}

function bootLikeMcsimMain() {
  freshDesktop();
  provision();
  writeFolder("/frames", { "in000001.jpg": frameBytes(1), "in000002.jpg": frameBytes(2) });
  const bundle = loadResourceBundle();
  const parsed = parseConfig(bundle.config);
  assert.ok(parsed.ok, "the provisioned config is valid");
  const host = createMcsimHost({
    mqtt: { host: parsed.config.mqtt.host, port: parsed.config.mqtt.port, tls: bundle.tls },
    frames: { dir: "/frames", framePeriodMs: parsed.config.camera.framePeriodMs },
    outboxDir: "/outbox",
    screen: fakeScreen,
  });
  const firmware = startFirmware(host, { config: bundle.config, firmwareVersion: "test" });
  const skin = createSkinModel((message) => skinPosts(JSON.stringify(message)));
  return { host, firmware, skin };
}

/** The skin's view after every message the app posted so far. */
function skinView() {
  const skin = createSkinModel(() => {});
  for (const message of appPosted()) skin.receive(JSON.stringify(message));
  return skin.view;
}

describe("mcsim host composed as simulator/mcsim/main.ts does it", () => {
  test("a click in the skin is one sealed QoS 1 ring on the wire; the skin shows the chime and the LED", () => {
    const { host, firmware, skin } = bootLikeMcsimMain();
    assert.deepEqual(appPosted().slice(0, 2), [{ chime: 0 }, { led: 0 }], "chime and LED are driven off first");
    advance(100);
    const broker = createAutoBroker();
    for (let i = 0; i < 5; i++) broker.step(50);
    assert.equal(skinView().led, 1, "the status LED is lit once the broker's CONNACK came");
    skin.press("pointer");
    advance(150);
    skin.release("pointer");
    for (let i = 0; i < 20; i++) broker.step(50);
    const events = sentPublishes().filter(([topic]) => topic.endsWith("/sealed/event"));
    assert.deepEqual([firmware.ring.stats.presses, firmware.ring.stats.rings], [1, 1], "one press, one ring");
    assert.ok(events.length > 0, `the ring went out sealed: ${JSON.stringify(sentPublishes())}`);
    assert.ok(events.every(([, qos]) => qos === 1));
    assert.equal(firmware.delivery.stats.queued, 0, "every event left the outbox on its PUBACK");
    assert.equal(skinView().rings, 1, "the skin saw the chime ring once");
    assert.ok((skinView().frame?.count ?? 0) === 2, "the skin saw the folder's frames");
    firmware.close();
    host.close();
  });

  test("frames keep coming while the firmware holds its pre-roll: none skipped, the skin follows", () => {
    const { host, firmware } = bootLikeMcsimMain();
    advance(5000);
    assert.equal(host.camera.skipped, 0, "the firmware never held every frame buffer");
    assert.ok(host.camera.delivered >= 20, `${host.camera.delivered} frames in 5 s at 200 ms`);
    assert.ok(host.camera.held < 3);
    firmware.close();
    host.close();
  });

  test("the outbox and settings use the ESP32 host's storage: record files in the outbox folder, two-slot keys", () => {
    const { host, firmware, skin } = bootLikeMcsimMain();
    advance(100);
    skin.press("pointer");
    advance(150);
    skin.release("pointer");
    advance(500);
    const records = [...flashFiles().keys()].filter((path) => path.startsWith("/outbox/") && path.endsWith(".rec"));
    assert.ok(records.length > 0, "with no broker yet, the sealed ring waits as a record file");
    assert.ok(nvsEntries("doorbell.a").size + nvsEntries("doorbell.b").size > 0, "firmware keys in doorbell.a/.b");
    firmware.close();
    host.close();
  });

  test("the status LED goes out when the connection drops, and close() stops every timer", () => {
    const { host, firmware } = bootLikeMcsimMain();
    advance(100);
    const broker = createAutoBroker();
    for (let i = 0; i < 5; i++) broker.step(50);
    assert.equal(skinView().led, 1);
    dropConnection();
    advance(10);
    assert.equal(skinView().led, 0);
    firmware.close();
    host.close();
    assert.equal(fakeScreen.onMessage, undefined, "the host let go of the skin");
    advance(10 * 60_000);
    assert.equal(pendingTimers(), 0);
  });
});
