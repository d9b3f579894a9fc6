// SPDX-License-Identifier: MIT
// hosts/esp32/firmware-slots.ts inside XS on the `flash` fake and esp-ota.ts (ESP-IDF's app update state with
// rollback enabled): an image written in chunks that do not line up with the 4 KB sectors, activated, booted on
// trial, kept or rolled back; a reset at any flash operation of the transfer resumes with the same bytes.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createEsp32FirmwareSlots } from "../../hosts/esp32/firmware-slots.js";
import { createEsp32Host } from "../../hosts/esp32/host.js";
import type { FirmwareSlotsPort } from "../../modules/ports.js";
import { otaBoot, otaState, otaStats, resetOta } from "../xs/moddable-fakes/esp-ota.js";
import { partitionBytes } from "../xs/moddable-fakes/flash.js";
import { cutPowerAt, flashOperations, PowerLoss, powerOn } from "../xs/moddable-fakes/power.js";
import { rebootDevice } from "../xs/moddable-fakes/reset.js";
import { freshBoard, type RecordingLog, recordingLog as freshLog } from "./device.js";

const SLOT_BYTES = 0x10000;
const CHUNK_BYTES = 1000; // not a divisor of the 4096-byte sector, on purpose

/** An ESP image: the magic byte 0xE9, then a pattern that differs from the slot's old content. */
function image(sizeBytes: number): Uint8Array {
  const bytes = new Uint8Array(sizeBytes);
  for (let i = 0; i < sizeBytes; i++) bytes[i] = (i * 7 + 3) & 0xff;
  bytes[0] = 0xe9;
  return bytes;
}

function board(): { log: RecordingLog; slots: FirmwareSlotsPort } {
  const log = freshBoard();
  resetOta(SLOT_BYTES);
  const slots = createEsp32FirmwareSlots({ log });
  assert.ok(slots, "a two-slot partition table gives a slots port");
  return { log, slots };
}

/** Writes chunks from `first` on, as the update receiver does; returns the next chunk index. */
function writeChunks(slots: FirmwareSlotsPort, img: Uint8Array, first: number): number {
  let i = first;
  for (; i * CHUNK_BYTES < img.length; i++)
    slots.write(i * CHUNK_BYTES, img.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES));
  return i;
}

const slotContent = (label: string, length: number) =>
  Array.from((partitionBytes(label) as Uint8Array).subarray(0, length));

describe("ESP32 application slots (flash + ESP-IDF app update)", () => {
  test("an image in unaligned chunks lands byte for byte in the inactive slot, boots on trial, and is kept", () => {
    const { slots } = board();
    assert.equal(slots.slotBytes, SLOT_BYTES, "the inactive slot's size, from the partition table");
    assert.equal(slots.runningState(), "valid", "an image flashed over USB is not on trial");
    const img = image(10_500);
    // Old content in the slot: every byte written must have been erased first.
    (partitionBytes("ota_1") as Uint8Array).fill(0x5a);
    slots.begin(img.length, false);
    writeChunks(slots, img, 0);
    assert.deepEqual(slotContent("ota_1", img.length), Array.from(img));
    slots.activate();
    assert.deepEqual(otaState().states, { ota_0: "undefined", ota_1: "new" });
    rebootDevice();
    assert.equal(otaBoot(), "ota_1");
    const after = createEsp32FirmwareSlots({ log: freshLog() }) as FirmwareSlotsPort;
    assert.equal(after.runningState(), "pending");
    after.markValid();
    assert.equal(after.runningState(), "valid");
    rebootDevice();
    assert.equal(otaBoot(), "ota_1", "a kept image keeps booting");
  });

  test("a reset at any flash operation of the transfer resumes at the chunk it cut, with the same bytes", () => {
    const img = image(9_000);
    const { slots } = board();
    const before = flashOperations();
    slots.begin(img.length, false);
    writeChunks(slots, img, 0);
    const operations = flashOperations() - before;
    assert.equal(operations, 9 + 3, "9 chunk writes and 3 sector erases");
    for (let cut = 1; cut <= operations; cut++) {
      const { slots: first } = board();
      (partitionBytes("ota_1") as Uint8Array).fill(0x5a);
      first.begin(img.length, false);
      cutPowerAt(cut);
      let done = 0; // chunks whose write returned: what the receiver saved
      assert.throws(() => {
        for (; done * CHUNK_BYTES < img.length; done++)
          first.write(done * CHUNK_BYTES, img.subarray(done * CHUNK_BYTES, (done + 1) * CHUNK_BYTES));
      }, PowerLoss);
      powerOn();
      rebootDevice();
      otaBoot();
      const resumed = createEsp32FirmwareSlots({ log: freshLog() }) as FirmwareSlotsPort;
      resumed.begin(img.length, true);
      writeChunks(resumed, img, done);
      assert.deepEqual(slotContent("ota_1", img.length), Array.from(img), `cut at operation ${cut}`);
    }
  });
});

describe("ESP32 application slots: rollback and refusals", () => {
  test("a new firmware that is not kept is rolled back: by the rollback call, or by a restart while on trial", () => {
    const { slots } = board();
    const img = image(5_000);
    slots.begin(img.length, false);
    writeChunks(slots, img, 0);
    slots.activate();
    rebootDevice();
    otaBoot();
    const log = freshLog();
    const trial = createEsp32FirmwareSlots({ log }) as FirmwareSlotsPort;
    assert.throws(() => trial.rollback("no status event delivered within 300 s"), /restart/);
    assert.equal(otaStats.restarts, 1);
    assert.ok(log.at("warn", "update").some((m) => m.includes("rolling back to the previous slot: no status event")));
    rebootDevice();
    assert.equal(otaBoot(), "ota_0");
    assert.deepEqual(otaState().states, { ota_0: "undefined", ota_1: "invalid" });

    // Second way: activated, booted on trial, then a power cut before markValid.
    const again = createEsp32FirmwareSlots({ log: freshLog() }) as FirmwareSlotsPort;
    again.begin(img.length, false);
    writeChunks(again, img, 0);
    again.activate();
    rebootDevice();
    assert.equal(otaBoot(), "ota_1");
    rebootDevice();
    assert.equal(otaBoot(), "ota_0", "booted again while pending: the bootloader aborts it");
  });

  test("refusals: no second slot, an image larger than the slot, a write past the image, a slot that is no image", () => {
    const log = freshBoard(); // resetOta() with no slots: the old one-slot partition table
    assert.equal(createEsp32FirmwareSlots({ log }), undefined);
    assert.ok(log.at("warn", "update").some((m) => m.startsWith("no inactive application slot")));

    const { slots } = board();
    assert.throws(() => slots.begin(SLOT_BYTES + 1, false), /65537 bytes exceed the slot's 65536/);
    slots.begin(2_000, false);
    assert.throws(() => slots.write(1_500, new Uint8Array(1_000)), /bytes 1500\.\.2500 past the 2000-byte image/);
    slots.write(0, new Uint8Array(2_000)); // no ESP image magic
    assert.throws(() => slots.activate(), /activate: ESP_ERR_OTA_VALIDATE_FAILED/);
    assert.equal(otaState().boot, "ota_0", "the running slot still boots");
    const { slots: fresh } = board();
    assert.throws(() => fresh.write(0, new Uint8Array(1)), /write before begin/);
  });

  test("the ESP32 host hands the slots port to the firmware when the partition table has two slots", () => {
    freshBoard();
    resetOta(SLOT_BYTES);
    const host = createEsp32Host({
      mqtt: {
        host: "broker.home.arpa",
        port: 8883,
        tls: { ca: new ArrayBuffer(1), certificate: new ArrayBuffer(1), key: new ArrayBuffer(1) },
      },
      wifi: { ssid: "porch", password: "secret" },
    });
    assert.equal(host.firmware?.slotBytes, SLOT_BYTES);
    host.close();
  });
});
