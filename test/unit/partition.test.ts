// SPDX-License-Identifier: MIT
// A network partition of five simulated minutes (the fake clock): the events queued during it are
// delivered afterwards, in order; and the outbox bound with its drop policy, met at the limit.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { toHex } from "../../modules/bytes.js";
import { startFirmware } from "../../modules/firmware.js";
import type { EventHeader } from "../../modules/events.js";
import { createFakeHost, type FakeHost } from "../support/fake-host.js";
import { openEventForTest, testOwnerKeys } from "../support/owner.js";

const TOPIC = "doorbell/frontdoor/sealed/event";
const PARTITION_MS = 5 * 60_000;
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Cuts the link at once and keeps it cut until `untilMs`: the session drops, and every connect
 * attempt meanwhile times out after CONNECT_TIMEOUT_MS. The first attempt after `untilMs` succeeds.
 */
function partition(host: FakeHost, untilMs: number): { attempts: number[] } {
  const attempts: number[] = [];
  const connect = host.mqtt.connect.bind(host.mqtt);
  host.mqtt.connect = (options) => {
    connect(options);
    attempts.push(host.clock.nowMs);
    host.clock.set(
      () =>
        host.clock.nowMs >= untilMs
          ? host.mqtt.accept()
          : options.onDisconnect("connect timed out: broker unreachable"),
      CONNECT_TIMEOUT_MS,
    );
  };
  host.mqtt.drop("keepalive timeout");
  return { attempts };
}

function press(host: FakeHost): void {
  host.button.edge(1, host.clock.nowMs);
  host.clock.advance(120);
  host.button.edge(0, host.clock.nowMs);
}

function boot(maxEvents?: number) {
  const owner = testOwnerKeys();
  const host = createFakeHost();
  const config = {
    deviceId: "frontdoor",
    keys: { ownerPublic: owner.publicHex },
    status: { intervalS: 0 },
    button: { cooldownS: 0 },
    ...(maxEvents ? { outbox: { maxEvents } } : {}),
  };
  const fw = startFirmware(host, { firmwareVersion: "test", config });
  host.mqtt.accept();
  const events = (from = 0): EventHeader[] =>
    host.mqtt.published
      .slice(from)
      .filter((p) => p.topic === TOPIC)
      .map((p) => openEventForTest(owner, toHex(fw.devicePublicKey), "frontdoor", TOPIC, p.payload).header);
  return { host, fw, events };
}

/** Presses every `everyMs` through the partition; returns the press times (wall clock, as events carry them). */
function pressThrough(host: FakeHost, startMs: number, endMs: number, everyMs: number): number[] {
  const pressedAtMs: number[] = [];
  for (let at = startMs; at < endMs; at += everyMs) {
    host.clock.advance(at - host.clock.nowMs);
    pressedAtMs.push(host.clock.wallMs());
    press(host);
  }
  host.clock.advance(endMs - host.clock.nowMs);
  return pressedAtMs;
}

describe("network partition", () => {
  test("five simulated minutes cut off: every event queued during it is delivered afterwards, once each, in order", () => {
    const { host, fw, events } = boot();
    host.clock.advance(10_000);
    const before = host.mqtt.published.length;
    const start = host.clock.nowMs;
    const cut = partition(host, start + PARTITION_MS);
    const pressedAtMs = pressThrough(host, start + 10_000, start + PARTITION_MS, 25_000);
    assert.equal(pressedAtMs.length, 12);
    assert.equal(host.mqtt.published.length, before, "nothing reaches the broker during the partition");
    assert.ok(cut.attempts.length >= 5, `the device kept trying, with backoff: ${cut.attempts.length} attempts`);
    assert.equal(fw.delivery.stats.queued, 24, "12 rings and 12 follow-up snapshots wait in the outbox");

    host.clock.advance(2 * 60_000); // the next attempt (backoff at most 60 s) gets through
    const after = events(before);
    const queued = after.filter((e) => e.type !== "status");
    assert.deepEqual(
      queued.map((e) => e.type),
      pressedAtMs.flatMap(() => ["ring", "snapshot"]),
      "ring, follow-up, ring, follow-up... as pressed",
    );
    assert.deepEqual(
      queued.filter((e) => e.type === "ring").map((e) => e.atMs),
      pressedAtMs,
      "each press once, in press order",
    );
    const seqs = after.map((e) => e.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
      "in sequence order, so the bridge accepts every one",
    );
    assert.equal(new Set(seqs).size, seqs.length, "no duplicates");
    assert.equal(fw.delivery.stats.queued, 0);
    assert.equal(fw.delivery.stats.dropped, 0);
    assert.equal(host.storage.log.records().length, 0, "all acknowledged and removed from storage");
  });

  test(
    "at the bound (outbox.maxEvents 8): snapshots go first, then the oldest rings; the newest rings arrive in " +
      "order and the drops are counted for the owner",
    () => {
      const { host, fw, events } = boot(8);
      host.clock.advance(10_000);
      const before = host.mqtt.published.length;
      const start = host.clock.nowMs;
      partition(host, start + PARTITION_MS);
      const pressedAtMs = pressThrough(host, start + 10_000, start + PARTITION_MS, 25_000);
      assert.equal(fw.delivery.stats.queued, 8, "held at the bound");
      assert.equal(host.storage.log.records().length, 8, "and so is the flash");
      assert.deepEqual(fw.delivery.stats.droppedByClass, {
        status: 0,
        snapshot: 12,
        motion: 0,
        long_press: 0,
        ring: 4,
      });
      assert.equal(
        host.lines.filter((l) => l.level === "warn" && l.message.startsWith("outbox full")).length,
        16,
        "every drop logged",
      );

      host.clock.advance(2 * 60_000);
      const after = events(before);
      const rings = after.filter((e) => e.type === "ring");
      assert.deepEqual(
        rings.map((e) => e.atMs),
        pressedAtMs.slice(-8),
        "the 8 newest rings, in order",
      );
      assert.equal(after.filter((e) => e.type === "snapshot").length, 0);
      // The status event of this reconnect met a full outbox (its PUBACKs arrive on later turns) and, being the
      // lowest drop class, went first: counted too. The next status event tells the owner all of it.
      assert.equal(fw.delivery.stats.droppedByClass.status, 1);
      host.mqtt.drop("keepalive timeout");
      host.clock.advance(60_000); // reconnects (the partition is over) and sends a status event
      const status = events(before)
        .filter((e) => e.type === "status")
        .pop();
      assert.equal(status?.stats?.outboxDropped, 17, "the status event tells the owner how many were dropped");
    },
  );
});
