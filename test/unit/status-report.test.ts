// SPDX-License-Identifier: MIT
// The sealed status event that feeds Home Assistant's diagnostic sensors: on connect, then periodically
// while connected, never while offline.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { toHex } from "../../modules/bytes.js";
import { startFirmware } from "../../modules/firmware.js";
import { createFakeHost } from "../support/fake-host.js";
import { openEventForTest, testOwnerKeys } from "../support/owner.js";

const TOPIC = "doorbell/frontdoor/sealed/event";

describe("status report", () => {
  test(
    "a sealed status event with firmware version, RSSI, uptime and outbox counters goes out on connect and every " +
      "status.intervalS",
    () => {
      const owner = testOwnerKeys();
      const host = createFakeHost();
      const fw = startFirmware(host, {
        firmwareVersion: "1.2.3",
        config: { deviceId: "frontdoor", keys: { ownerPublic: owner.publicHex }, status: { intervalS: 60 } },
      });
      const statuses = () =>
        host.mqtt.published
          .filter((p) => p.topic === TOPIC)
          .map((p) => openEventForTest(owner, toHex(fw.devicePublicKey), "frontdoor", TOPIC, p.payload).header)
          .filter((h) => h.type === "status");
      host.clock.advance(5000);
      host.mqtt.accept();
      assert.equal(statuses().length, 1);
      assert.deepEqual(statuses()[0].stats, {
        fw: "1.2.3",
        uptimeS: 5,
        outboxQueued: 0,
        outboxDropped: 0,
        videoFramesDropped: 0,
        rssiDbm: -60,
      });
      host.clock.advance(60_000);
      assert.equal(statuses().length, 2);
      assert.equal(statuses()[1].stats!.uptimeS, 65);
      host.mqtt.drop("broker gone");
      host.clock.advance(59_000);
      host.mqtt.connected = false; // still down when the period ends: nothing is queued
      host.clock.advance(1_000);
      assert.equal(statuses().length, 2);
      assert.equal(fw.delivery.stats.queued, 0, "no stale status waits in the outbox");
    },
  );
});
