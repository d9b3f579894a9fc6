// SPDX-License-Identifier: MIT
// hosts/esp32/host.ts composed as main.ts does it, inside XS on the fakes: the device bundle from its flash
// partition, the host, and the real firmware; a bouncing press goes out as one sealed QoS 1 PUBLISH.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import "../../hosts/esp32/globals.js";
import { BUNDLE_PARTITION, BUNDLE_PARTITION_BYTES } from "../../hosts/esp32/flash-layout.js";
import { createEsp32Host } from "../../hosts/esp32/host.js";
import { loadDeviceBundle } from "../../hosts/esp32/load-bundle.js";
import { encodeBundleImage } from "../../modules/bundle-image.js";
import { parseConfig } from "../../modules/config.js";
import { startFirmware } from "../../modules/firmware.js";
import { drivePin, pinClaimed, pinWrites } from "../xs/moddable-fakes/digital.js";
import { advance, pendingTimers } from "../xs/moddable-fakes/event-loop.js";
import { addPartition } from "../xs/moddable-fakes/flash.js";
import { dnsAnswer, lastTlsOptions } from "../xs/moddable-fakes/sockets.js";
import TextEncoderFake from "../xs/moddable-fakes/text-encoder.js";
import { wallSetS } from "../xs/moddable-fakes/time.js";
import { wifiStats } from "../xs/moddable-fakes/wifi.js";
import { createAutoBroker, sentPublishes } from "./broker.js";
import { freshBoard } from "./device.js";

/** RFC 7748 §6.1 Bob's public key: any valid X25519 point serves as the owner's. */
const OWNER_PUBLIC = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";

/** Flashes the bundle partition as a maker does with the bundle.bin of `doorbell device add`. */
function provision(config: object = {}): void {
  const text = (s: string) => new TextEncoder().encode(s);
  const deviceConfig = text(
    JSON.stringify({
      format: "doorbell-device/1",
      config: {
        deviceId: "frontdoor",
        keys: { ownerPublic: OWNER_PUBLIC },
        mqtt: { host: "broker.home.arpa" },
        ...config,
      },
      tls: { ca: "ca.der", cert: "device.der", key: "device-key.der" },
    }),
  );
  const files = [
    { name: "device-config.json", bytes: deviceConfig },
    { name: "ca.der", bytes: Uint8Array.of(0x30, 1) },
    { name: "device.der", bytes: Uint8Array.of(0x30, 2) },
    { name: "device-key.der", bytes: Uint8Array.of(0x30, 3) },
  ];
  addPartition(BUNDLE_PARTITION, BUNDLE_PARTITION_BYTES, encodeBundleImage(files, BUNDLE_PARTITION_BYTES));
}

function bootLikeMain() {
  const bundle = loadDeviceBundle();
  const parsed = parseConfig(bundle.config);
  assert.ok(parsed.ok, "the provisioned config is valid");
  dnsAnswer("broker.home.arpa", "192.168.1.10");
  drivePin(13, undefined);
  const host = createEsp32Host({
    mqtt: { host: parsed.config.mqtt.host, port: parsed.config.mqtt.port, tls: bundle.tls },
    wifi: { ssid: "porch", password: "secret" },
  });
  const firmware = startFirmware(host, { config: bundle.config, firmwareVersion: "test" });
  return { host, firmware };
}

describe("ESP32 host composed as main.ts does it", () => {
  test("a bouncing press on GPIO 13 becomes one sealed QoS 1 ring event on the wire", () => {
    freshBoard();
    provision();
    const { host, firmware } = bootLikeMain();
    assert.deepEqual(pinWrites(12), [0], "the chime is driven off before anything else");
    assert.deepEqual(pinWrites(4), [0], "the flash LED too");
    advance(100);
    assert.equal(wifiStats.connects, 1);
    assert.ok(wallSetS(), "SNTP set the clock once the station had an address");
    assert.equal((lastTlsOptions()?.clientCertificates as unknown[] | undefined)?.length, 1);
    const broker = createAutoBroker();
    for (let i = 0; i < 5; i++) broker.step(50);
    const before = sentPublishes().filter(([topic]) => topic.endsWith("/sealed/event")).length;
    for (let i = 0; i < 10; i++) {
      drivePin(13, i % 2 === 0 ? 0 : 1);
      advance(1);
    }
    drivePin(13, 0);
    advance(300);
    drivePin(13, 1);
    for (let i = 0; i < 20; i++) broker.step(50);
    const events = sentPublishes().filter(([topic]) => topic.endsWith("/sealed/event"));
    assert.deepEqual([firmware.ring.stats.presses, firmware.ring.stats.rings], [1, 1], "one press, one ring");
    assert.ok(events.length > before, `the ring went out sealed: ${JSON.stringify(sentPublishes())}`);
    assert.ok(
      events.every(([, qos]) => qos === 1),
      "sealed events use QoS 1",
    );
    assert.equal(firmware.delivery.stats.queued, 0, "every event left the outbox on its PUBACK");
    assert.ok(pinWrites(12).includes(1), "the chime rang");
    firmware.close();
    host.close();
    assert.equal(pinClaimed(13) || pinClaimed(12) || pinClaimed(4), false, "close() releases every GPIO");
  });

  test("close() stops Wi-Fi, the clock sampler and every timer the host owns", () => {
    freshBoard();
    provision();
    const { host, firmware } = bootLikeMain();
    advance(100);
    firmware.close();
    host.close();
    advance(10 * 60_000);
    assert.equal(pendingTimers(), 0);
  });

  test("globals.ts installs the SDK's text/encoder class as TextEncoder", () => {
    assert.equal(globalThis.TextEncoder, TextEncoderFake);
  });
});
