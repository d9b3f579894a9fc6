// SPDX-License-Identifier: MIT
// The device bundle in its own flash partition (hosts/esp32/load-bundle.ts, bundle-area.ts) inside XS on the
// `flash` fake: an image built the old way (bundle as resources) moves its bundle there on its first boot and
// logs it, later boots read the partition, a reset at any flash operation of the move loses nothing, and a
// damaged partition is refused with a clear error and left as it was.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BUNDLE_PARTITION, BUNDLE_PARTITION_BYTES } from "../../hosts/esp32/flash-layout.js";
import { loadDeviceBundle } from "../../hosts/esp32/load-bundle.js";
import { decodeBundleImage, encodeBundleImage } from "../../modules/bundle-image.js";
import { addPartition, partitionBytes } from "../xs/moddable-fakes/flash.js";
import { cutPowerAt, flashOperations, powerOn } from "../xs/moddable-fakes/power.js";
import { rebootDevice } from "../xs/moddable-fakes/reset.js";
import { addResource, resetResources } from "../xs/moddable-fakes/resource.js";
import { freshBoard } from "./device.js";

const CONFIG = JSON.stringify({
  format: "doorbell-device/1",
  config: { deviceId: "frontdoor", mqtt: { host: "broker.home.arpa" } },
  tls: { ca: "broker-ca.der", cert: "device-cert.der", key: "device-key.der" },
});
const DER = {
  "broker-ca.der": Uint8Array.of(0x30, 0x82, 1, 2, 3),
  "device-cert.der": Uint8Array.of(0x30, 0x82, 4, 5),
  "device-key.der": Uint8Array.of(0x30, 0x82, 6, 7, 8, 9),
};

/** A board flashed the old way: the bundle in the image's data, and an erased bundle partition. */
function oldWayBoard(config = CONFIG): void {
  freshBoard();
  addResource("device-config.json", config);
  for (const [name, bytes] of Object.entries(DER)) addResource(name, bytes);
  addPartition(BUNDLE_PARTITION, BUNDLE_PARTITION_BYTES);
}

function bundleFiles(config = CONFIG) {
  return [
    { name: "device-config.json", bytes: new TextEncoder().encode(config) },
    ...Object.entries(DER).map(([name, bytes]) => ({ name, bytes })),
  ];
}

const bytesOf = (buffer: unknown) => Array.from(new Uint8Array(buffer as ArrayBuffer));

describe("ESP32 device bundle partition", () => {
  test("an old-way image's first boot moves the bundle into the partition and logs it; later boots read the partition", () => {
    oldWayBoard();
    const first = loadDeviceBundle();
    assert.equal(first.notes.length, 1);
    assert.equal(first.notes[0].level, "info");
    assert.match(first.notes[0].message, /^moved the device bundle \(4 files, \d+ bytes\) from the firmware image/);
    assert.deepEqual(first.config, { deviceId: "frontdoor", mqtt: { host: "broker.home.arpa" } });
    assert.deepEqual(bytesOf(first.tls.key), Array.from(DER["device-key.der"]));
    // What the partition now holds is the format `doorbell device add` writes for a maker to flash.
    const written = decodeBundleImage(partitionBytes(BUNDLE_PARTITION) as Uint8Array);
    assert.deepEqual(
      written.map((f) => f.name),
      ["device-config.json", "broker-ca.der", "device-cert.der", "device-key.der"],
    );

    rebootDevice();
    const second = loadDeviceBundle();
    assert.ok(!second.notes.some((n) => n.message.startsWith("moved")), "nothing is moved twice");
    assert.match(second.notes[0].message, /also carries the bundle .*the bundle partition's copy is used/);
    assert.deepEqual(bytesOf(second.tls.certificate), Array.from(DER["device-cert.der"]));

    // A new image carries no bundle: the same partition serves it, silently.
    resetResources();
    rebootDevice();
    const third = loadDeviceBundle();
    assert.deepEqual(third.notes, []);
    assert.deepEqual(bytesOf(third.tls.ca), Array.from(DER["broker-ca.der"]));
  });

  test("a partition flashed from bundle.bin is read with no image bundle at all (one image for every doorbell)", () => {
    freshBoard();
    addPartition(BUNDLE_PARTITION, BUNDLE_PARTITION_BYTES, encodeBundleImage(bundleFiles(), BUNDLE_PARTITION_BYTES));
    const bundle = loadDeviceBundle();
    assert.deepEqual(bundle.notes, []);
    assert.equal((bundle.config as { deviceId: string }).deviceId, "frontdoor");
  });

  test("a reset at any flash operation of the move loses nothing: the next boot moves the bundle again", () => {
    oldWayBoard();
    const before = flashOperations();
    loadDeviceBundle();
    const operations = flashOperations() - before;
    assert.ok(operations >= 6, `the move erases 4 sectors and writes 3 times (${operations} operations)`);
    for (let cut = 1; cut <= operations; cut++) {
      oldWayBoard();
      cutPowerAt(cut);
      const cutShort = loadDeviceBundle();
      assert.match(cutShort.notes[0].message, /^could not move the device bundle .*running on the image's copy/);
      assert.deepEqual(cutShort.config, JSON.parse(CONFIG).config, `cut ${cut}: the image's copy still runs`);
      powerOn();
      rebootDevice();
      const next = loadDeviceBundle();
      assert.match(next.notes[0].message, /^moved the device bundle/, `cut at operation ${cut}`);
      assert.equal(decodeBundleImage(partitionBytes(BUNDLE_PARTITION) as Uint8Array).length, 4);
    }
  });
});

describe("ESP32 device bundle partition: refusals", () => {
  test("a damaged partition is refused with the reason and the fix, and neither erased nor rewritten", () => {
    const image = encodeBundleImage(bundleFiles(), BUNDLE_PARTITION_BYTES);
    const damages: [string, (bytes: Uint8Array) => void, RegExp][] = [
      ["a flipped body byte", (b) => void (b[60] ^= 0x01), /SHA-256 of the body does not match/],
      ["another format", (b) => b.set([0x7f, 0x45, 0x4c, 0x46], 0), /no bundle magic/],
      ["a future version", (b) => void (b[4] = 2), /format version 2; this firmware reads 1/],
      ["a body length past the partition", (b) => b.set([0, 1, 0, 0], 8), /body length 65536 outside 1\.\.16336/],
    ];
    for (const [what, damage, reason] of damages) {
      oldWayBoard(); // even with the image's copy at hand, a damaged partition is not overwritten
      const bytes = image.slice();
      damage(bytes);
      addPartition(BUNDLE_PARTITION, BUNDLE_PARTITION_BYTES, bytes);
      const kept = bytes.slice();
      assert.throws(() => loadDeviceBundle(), reason, what);
      assert.throws(() => loadDeviceBundle(), /the bundle partition is damaged .*nothing was erased/, what);
      assert.deepEqual(Array.from(partitionBytes(BUNDLE_PARTITION) as Uint8Array), Array.from(kept), what);
    }
  });

  test("a partition that differs from an old image's bundle wins, with a warning", () => {
    oldWayBoard();
    const other = CONFIG.replace("frontdoor", "backdoor");
    addPartition(
      BUNDLE_PARTITION,
      BUNDLE_PARTITION_BYTES,
      encodeBundleImage(bundleFiles(other), BUNDLE_PARTITION_BYTES),
    );
    const bundle = loadDeviceBundle();
    assert.equal((bundle.config as { deviceId: string }).deviceId, "backdoor");
    assert.equal(bundle.notes[0].level, "warn");
    assert.match(bundle.notes[0].message, /differs from the bundle partition's; the partition's is used/);
  });

  test("no partition, an empty one or an unfinished write without an image bundle: a clear error", () => {
    freshBoard();
    assert.throws(
      () => loadDeviceBundle(),
      /the flash has no "bundle" partition: flash the firmware with its partition table/,
    );
    addPartition(BUNDLE_PARTITION, BUNDLE_PARTITION_BYTES);
    assert.throws(
      () => loadDeviceBundle(),
      /bundle partition is empty and the firmware image carries no bundle: flash the bundle\.bin/,
    );
    const unfinished = encodeBundleImage(bundleFiles(), BUNDLE_PARTITION_BYTES);
    unfinished.fill(0xff, 44, 48);
    addPartition(BUNDLE_PARTITION, BUNDLE_PARTITION_BYTES, unfinished);
    assert.throws(() => loadDeviceBundle(), /holds a write that was cut before it finished/);
  });

  test("a bundle in the partition that names a missing file says so and how to fix it", () => {
    freshBoard();
    const files = bundleFiles().filter((f) => f.name !== "device-key.der");
    addPartition(BUNDLE_PARTITION, BUNDLE_PARTITION_BYTES, encodeBundleImage(files, BUNDLE_PARTITION_BYTES));
    assert.throws(
      () => loadDeviceBundle(),
      /tls\.key names "device-key\.der", which is not in the bundle partition; fix the bundle, write its bundle\.bin again/,
    );
  });
});
