// SPDX-License-Identifier: MIT
// An owner update end to end on the ESP32 host, inside XS on the fakes: the device bundle from its partition, the
// real firmware, a sealed and signed manifest and its chunks arriving over the MQTT client fake, the image written
// through hosts/esp32/firmware-slots.ts, activated, booted on trial and kept once the first status event is
// delivered (docs/ota.md). The owner's side is test/support/update-owner.ts, as in the unit tests.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BUNDLE_PARTITION, BUNDLE_PARTITION_BYTES } from "../../hosts/esp32/flash-layout.js";
import { createEsp32Host } from "../../hosts/esp32/host.js";
import { loadDeviceBundle } from "../../hosts/esp32/load-bundle.js";
import { encodeBundleImage } from "../../modules/bundle-image.js";
import { fromHex, toHex } from "../../modules/bytes.js";
import { parseConfig } from "../../modules/config.js";
import { startFirmware } from "../../modules/firmware.js";
import { deviceTopics } from "../../modules/topics.js";
import { type OwnerKeys, testOwnerKeys } from "../support/owner.js";
import { testCrypto } from "../support/test-crypto.js";
import { packForTest, TOPIC_ROOT } from "../support/update-owner.js";
import { drivePin } from "../xs/moddable-fakes/digital.js";
import { otaBoot, otaState, resetOta } from "../xs/moddable-fakes/esp-ota.js";
import { addPartition, partitionBytes } from "../xs/moddable-fakes/flash.js";
import { currentClient } from "../xs/moddable-fakes/mqtt-client.js";
import { cutPowerAt, powerOn } from "../xs/moddable-fakes/power.js";
import { rebootDevice } from "../xs/moddable-fakes/reset.js";
import { dnsAnswer } from "../xs/moddable-fakes/sockets.js";
import { createAutoBroker, sentPackets } from "./broker.js";
import { freshBoard } from "./device.js";

const SLOT_BYTES = 0x10000;
const TOPICS = deviceTopics(TOPIC_ROOT, "frontdoor");

function provision(owner: OwnerKeys, deviceSecret: Uint8Array): void {
  const config = JSON.stringify({
    format: "doorbell-device/1",
    config: { deviceId: "frontdoor", keys: owner.keysConfig, mqtt: { host: "broker.home.arpa" } },
    tls: { ca: "ca.der", cert: "device.der", key: "device-key.der" },
    deviceKey: toHex(deviceSecret),
  });
  const files = [
    { name: "device-config.json", bytes: new TextEncoder().encode(config) },
    { name: "ca.der", bytes: Uint8Array.of(0x30, 1) },
    { name: "device.der", bytes: Uint8Array.of(0x30, 2) },
    { name: "device-key.der", bytes: Uint8Array.of(0x30, 3) },
  ];
  addPartition(BUNDLE_PARTITION, BUNDLE_PARTITION_BYTES, encodeBundleImage(files, BUNDLE_PARTITION_BYTES));
}

function boot(version: string) {
  const bundle = loadDeviceBundle();
  const parsed = parseConfig(bundle.config);
  assert.ok(parsed.ok);
  dnsAnswer("broker.home.arpa", "192.168.1.10");
  drivePin(13, undefined);
  const host = createEsp32Host({
    mqtt: { host: parsed.config.mqtt.host, port: parsed.config.mqtt.port, tls: bundle.tls },
    wifi: { ssid: "porch", password: "secret" },
  });
  const firmware = startFirmware(host, {
    config: bundle.config,
    firmwareVersion: version,
    ...(bundle.deviceKeyHex ? { deviceKey: fromHex(bundle.deviceKeyHex) } : {}),
  });
  return { host, firmware };
}

/** The progress messages the device published, parsed (plain JSON, docs/ota.md). */
function progress(): Record<string, unknown>[] {
  return sentPackets()
    .filter((p) => p.type === 3)
    .map((p) => {
      const topicLength = (p.body[0] << 8) | p.body[1];
      const topic = new TextDecoder().decode(p.body.subarray(2, 2 + topicLength));
      const qos = (p.flags >> 1) & 3;
      return { topic, payload: p.body.subarray(2 + topicLength + (qos ? 2 : 0)) };
    })
    .filter((p) => p.topic === TOPICS.updateProgress)
    .map((p) => JSON.parse(new TextDecoder().decode(p.payload)));
}

/** An ESP image (the magic byte 0xE9 that ESP-IDF's check wants) of `sizeBytes`. */
function espImage(sizeBytes: number): Uint8Array {
  const bytes = new Uint8Array(sizeBytes);
  for (let i = 0; i < sizeBytes; i++) bytes[i] = (i * 13 + 5) & 0xff;
  bytes[0] = 0xe9;
  return bytes;
}

describe("owner update on the ESP32 host", () => {
  test("a sealed update arrives over MQTT, lands in the inactive slot, boots on trial and is kept", () => {
    const owner = testOwnerKeys();
    const deviceSecret = testCrypto().randomBytes(32);
    freshBoard();
    resetOta(SLOT_BYTES);
    provision(owner, deviceSecret);
    const { host, firmware } = boot("1.0.0");
    const broker = createAutoBroker();
    for (let i = 0; i < 10; i++) broker.step(50);

    const image = espImage(5_000);
    const { chained, manifest } = packForTest({
      owner,
      devicePublicKey: testCrypto().x25519(deviceSecret),
      deviceId: "frontdoor",
      image,
      version: "1.1.0",
      seq: 1_790_000_000_000,
      chunkBytes: 1024,
    });
    currentClient()?.receivePublish(TOPICS.update, manifest, 1);
    broker.step(50);
    for (let step = 0; step < chained.chunks.length + 2; step++) {
      const last = progress().at(-1);
      if (last?.state !== "want") break;
      currentClient()?.receivePublish(TOPICS.updateChunk, chained.chunks[last.next as number], 1);
      broker.step(50);
    }
    const states = progress().map((p) => p.state);
    assert.equal(states.at(-1), "installed", JSON.stringify(progress()));
    assert.deepEqual(Array.from((partitionBytes("ota_1") as Uint8Array).subarray(0, image.length)), Array.from(image));
    assert.deepEqual(otaState().states, { ota_0: "undefined", ota_1: "new" }, "activated, to boot next");
    firmware.close();
    host.close();

    // The restart: the bootloader runs the new slot on trial; the firmware keeps it once its status is delivered.
    rebootDevice();
    assert.equal(otaBoot(), "ota_1");
    const second = boot("1.1.0");
    assert.equal(second.host.firmware?.runningState(), "pending");
    const broker2 = createAutoBroker();
    for (let i = 0; i < 40; i++) broker2.step(100);
    assert.deepEqual(otaState().states, { ota_0: "undefined", ota_1: "valid" }, "kept after its first status event");
    second.firmware.close();
    second.host.close();
  });
});

describe("owner update on the ESP32 host: a power cut", () => {
  test("a power cut in the middle of the transfer: the next boot resumes at the last chunk verified", () => {
    const owner = testOwnerKeys();
    const deviceSecret = testCrypto().randomBytes(32);
    freshBoard();
    resetOta(SLOT_BYTES);
    provision(owner, deviceSecret);
    boot("1.0.0"); // its timers and session end with the power cut below (rebootDevice)
    const broker = createAutoBroker();
    for (let i = 0; i < 10; i++) broker.step(50);
    const image = espImage(6_000);
    const { chained, manifest } = packForTest({
      owner,
      devicePublicKey: testCrypto().x25519(deviceSecret),
      deviceId: "frontdoor",
      image,
      version: "1.2.0",
      seq: 1_790_000_000_001,
      chunkBytes: 1024,
    });
    const serve = (limit: number) => {
      let served = 0;
      for (let step = 0; step < chained.chunks.length + 2 && served < limit; step++) {
        const last = progress().at(-1);
        if (last?.state !== "want") break;
        currentClient()?.receivePublish(TOPICS.updateChunk, chained.chunks[last.next as number], 1);
        broker.step(50);
        served++;
      }
      return progress().at(-1);
    };
    currentClient()?.receivePublish(TOPICS.update, manifest, 1);
    broker.step(50);
    assert.deepEqual(serve(3), { state: "want", id: chained.updateId, next: 3, chunks: chained.chunks.length });
    // The power goes while chunk 3 is being written: whatever flash operation that is, none after it happens.
    cutPowerAt(1);
    currentClient()?.receivePublish(TOPICS.updateChunk, chained.chunks[3], 1);
    try {
      broker.step(50);
    } catch {
      // the fake's power cut surfaces here; on the board the reset simply stops everything
    }
    powerOn();
    rebootDevice();
    otaBoot();
    const second = boot("1.0.0");
    const before = progress().length;
    const broker2 = createAutoBroker();
    for (let i = 0; i < 10; i++) broker2.step(50);
    // The bridge's retained manifest comes back with the new session; the device asks for chunk 3, not 0.
    currentClient()?.receivePublish(TOPICS.update, manifest, 1);
    broker2.step(50);
    const resumed = progress()
      .slice(before)
      .find((p) => p.state === "want");
    assert.equal(resumed?.next, 3, JSON.stringify(progress().slice(before)));
    for (let step = 0; step < chained.chunks.length + 2; step++) {
      const last = progress().at(-1);
      if (last?.state !== "want") break;
      currentClient()?.receivePublish(TOPICS.updateChunk, chained.chunks[last.next as number], 1);
      broker2.step(50);
    }
    assert.equal(progress().at(-1)?.state, "installed", JSON.stringify(progress().slice(before)));
    assert.deepEqual(Array.from((partitionBytes("ota_1") as Uint8Array).subarray(0, image.length)), Array.from(image));
    assert.equal(otaState().boot, "ota_1");
    second.firmware.close();
    second.host.close();
  });
});
