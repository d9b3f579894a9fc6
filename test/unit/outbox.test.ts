// SPDX-License-Identifier: MIT
// The persistent outbox: stored before it is published, removed only on PUBACK, kept across a power
// cut and in order, re-sent with DUP, and bounded by a drop policy that spends snapshots before rings.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { readUintBE, toHex, utf8, writeUintBE } from "../../modules/bytes.js";
import { startFirmware } from "../../modules/firmware.js";
import { createLogger } from "../../modules/logger.js";
import { createOutbox, type OutboxOptions } from "../../modules/outbox.js";
import { decodeOutboxRecord, recordChecksum } from "../../modules/outbox-record.js";
import { testCrypto } from "../support/test-crypto.js";
import { createFakeHost, MemoryLog, type FakeHost } from "../support/fake-host.js";
import { openEventForTest, testOwnerKeys } from "../support/owner.js";

const TOPIC = "doorbell/frontdoor/sealed/event";

/** Envelope-shaped bytes: version 1, the total length, `seq` at offset 5, then filler (the outbox never opens them). */
function fakeEnvelope(seq: number, size = 100): Uint8Array {
  const bytes = new Uint8Array(size).fill(0xa5);
  bytes[0] = 1;
  bytes.set(writeUintBE(size, 4), 1);
  bytes.set(writeUintBE(seq, 8), 5);
  return bytes;
}

function outboxOn(host: FakeHost, overrides: Partial<OutboxOptions> = {}) {
  return createOutbox({
    mqtt: host.mqtt,
    store: host.storage.log,
    timers: host.timers,
    log: createLogger(host.log, "outbox"),
    topic: TOPIC,
    maxEvents: 8,
    maxBytes: 1 << 20,
    ackTimeoutMs: 10_000,
    checksum: recordChecksum(host.crypto),
    ...overrides,
  });
}

/** Connects the fake session (the outbox is told, as the firmware does on CONNACK). */
function connect(host: FakeHost, outbox: { resume(): void }) {
  host.mqtt.connected = true;
  outbox.resume();
  host.clock.advance(0); // acknowledgements arrive on a later turn (ports.ts), here 0 ms timers
}

/** The envelope's `seq`: 8 bytes at offset 5 (docs/protocol.md). */
const seqOf = (payload: Uint8Array) => readUintBE(payload, 5, 8);

describe("persistent outbox: stored until PUBACK, across a power cut", () => {
  test("an event is in storage before it is published, and leaves storage only on its PUBACK", () => {
    const host = createFakeHost();
    host.mqtt.autoAck = false;
    const outbox = outboxOn(host);
    connect(host, outbox);
    const storedAtPublish: number[] = [];
    const publish = host.mqtt.publish.bind(host.mqtt);
    host.mqtt.publish = (topic, payload, options, ack) => {
      storedAtPublish.push(host.storage.log.records().length);
      publish(topic, payload, options, ack);
    };
    outbox.send(fakeEnvelope(7), { id: "a", seq: 7, type: "ring" });
    assert.deepEqual(storedAtPublish, [1], "the record existed when the publish went out");
    assert.equal(host.storage.log.records().length, 1, "still stored while the PUBACK is outstanding");
    host.mqtt.published[0].ack!();
    assert.equal(host.storage.log.records().length, 0, "removed on PUBACK");
    assert.equal(outbox.stats.published, 1);
  });

  test("the outbox survives a simulated power cut between the write and the PUBACK, and keeps order", () => {
    const owner = testOwnerKeys();
    const config = { deviceId: "frontdoor", keys: { ownerPublic: owner.publicHex }, status: { intervalS: 0 } };
    const before = createFakeHost();
    before.mqtt.autoAck = false;
    const fw = startFirmware(before, { firmwareVersion: "test", config });
    before.mqtt.accept();
    before.mqtt.published[1].ack!(); // the connect-time status event is delivered
    before.clock.advance(10_000);
    before.camera.capture(10_000);
    before.button.edge(1, 10_010);
    before.clock.advance(100);
    before.button.edge(0, before.clock.nowMs);
    before.clock.advance(2000); // the follow-up snapshot is queued behind the ring
    const sent = before.mqtt.published.filter((p) => p.topic === TOPIC).slice(1);
    assert.equal(sent.length, 1, "one in flight: the ring, with no PUBACK yet");
    const ring = openEventForTest(owner, toHex(fw.devicePublicKey), "frontdoor", TOPIC, sent[0].payload);
    assert.equal(ring.header.type, "ring");
    assert.equal(before.storage.log.records().length, 2, "the ring and the follow-up are both stored");

    // Power cut: nothing in RAM survives, the storage does. A new boot on the same storage.
    const after = createFakeHost(before.storage);
    const fw2 = startFirmware(after, { firmwareVersion: "test", config });
    after.mqtt.accept();
    after.clock.advance(0); // the PUBACKs, each on a later turn
    const opened = () =>
      after.mqtt.published
        .filter((p) => p.topic === TOPIC)
        .map((p) => ({
          dup: p.options.dup,
          event: openEventForTest(owner, toHex(fw2.devicePublicKey), "frontdoor", TOPIC, p.payload),
        }));
    const delivered = opened();
    assert.deepEqual(
      delivered.map((d) => d.event.header.type),
      ["ring", "snapshot", "status"],
      "recovered events first, in their order, then the new boot's",
    );
    assert.equal(delivered[0].event.header.id, ring.header.id, "the very envelope that was cut off");
    assert.deepEqual(
      delivered.map((d) => d.dup),
      [true, true, false],
      "recovered events may have reached the broker: DUP [MQTT-3.3.1-1]",
    );
    assert.equal(delivered[1].event.header.of, ring.header.id);
    assert.equal(after.storage.log.records().length, 0, "all acknowledged and removed");
  });
});

describe("persistent outbox: sent again with DUP [MQTT-3.3.1-1]", () => {
  test("a publish with no PUBACK is sent again with DUP after ackTimeoutMs, and removed once on the first PUBACK", () => {
    const host = createFakeHost();
    host.mqtt.autoAck = false;
    const outbox = outboxOn(host, { ackTimeoutMs: 5000 });
    connect(host, outbox);
    outbox.send(fakeEnvelope(1), { id: "a", seq: 1, type: "ring" });
    outbox.send(fakeEnvelope(2), { id: "b", seq: 2, type: "snapshot" });
    host.clock.advance(4999);
    assert.equal(host.mqtt.published.length, 1);
    host.clock.advance(1);
    assert.deepEqual(
      host.mqtt.published.map((p) => [seqOf(p.payload), p.options.dup, p.options.qos, p.options.retain]),
      [
        [1, false, 1, false],
        [1, true, 1, false],
      ],
    );
    assert.equal(outbox.stats.retransmits, 1);
    host.mqtt.published[0].ack!(); // the first copy's PUBACK arrives late
    host.mqtt.published[1].ack!(); // and the second's
    assert.deepEqual(
      host.mqtt.published.map((p) => seqOf(p.payload)),
      [1, 1, 2],
      "seq 1 is acknowledged once and seq 2 goes next",
    );
    assert.equal(outbox.stats.published, 1);
    assert.ok(host.lines.some((l) => l.tag === "outbox" && l.message.startsWith("no PUBACK in time")));
  });

  test("a reconnect sends the unacknowledged event again with DUP, before anything newer", () => {
    const host = createFakeHost();
    host.mqtt.autoAck = false;
    const outbox = outboxOn(host);
    connect(host, outbox);
    outbox.send(fakeEnvelope(1), { id: "a", seq: 1, type: "ring" });
    host.mqtt.connected = false;
    host.mqtt.published[0].ack!("connection closed");
    outbox.send(fakeEnvelope(2), { id: "b", seq: 2, type: "ring" });
    host.mqtt.autoAck = true;
    connect(host, outbox);
    assert.deepEqual(
      host.mqtt.published.map((p) => [seqOf(p.payload), p.options.dup]),
      [
        [1, false],
        [1, true],
        [2, false],
      ],
    );
    assert.equal(host.storage.log.records().length, 0);
  });
});

describe("persistent outbox: the drop policy and a store that fails", () => {
  test("when full, snapshots go before rings; every drop is logged and counted", () => {
    const host = createFakeHost();
    const outbox = outboxOn(host, { maxEvents: 4 });
    const types = ["ring", "snapshot", "ring", "snapshot", "ring", "ring", "snapshot"];
    types.forEach((type, i) => outbox.send(fakeEnvelope(i + 1), { id: String(i), seq: i + 1, type }));
    // Full at 4: seq 5 (ring) drops snapshot 2, seq 6 (ring) drops snapshot 4, seq 7 (snapshot) is itself dropped.
    assert.deepEqual(
      host.storage.log.records().map((r) => decodeOutboxRecord(r.bytes, recordChecksum(testCrypto()))!.seq),
      [1, 3, 5, 6],
    );
    assert.equal(outbox.stats.dropped, 3);
    assert.deepEqual(outbox.stats.droppedByClass, { status: 0, snapshot: 3, motion: 0, long_press: 0, ring: 0 });
    assert.equal(
      host.lines.filter((l) => l.level === "warn" && l.message.includes("dropped a snapshot event")).length,
      3,
    );
    // With nothing but rings left, the oldest ring goes.
    outbox.send(fakeEnvelope(8), { id: "8", seq: 8, type: "ring" });
    assert.deepEqual(
      host.storage.log.records().map((r) => decodeOutboxRecord(r.bytes, recordChecksum(testCrypto()))!.seq),
      [3, 5, 6, 8],
    );
    assert.equal(outbox.stats.droppedByClass.ring, 1);
    connect(host, outbox);
    assert.deepEqual(
      host.mqtt.published.map((p) => seqOf(p.payload)),
      [3, 5, 6, 8],
      "what is left still goes out in order",
    );
  });

  test("the byte bound applies the same policy: status first, then snapshots", () => {
    const host = createFakeHost();
    const outbox = outboxOn(host, { maxEvents: 100, maxBytes: 1000 });
    outbox.send(fakeEnvelope(1, 300), { id: "1", seq: 1, type: "snapshot" });
    outbox.send(fakeEnvelope(2, 100), { id: "2", seq: 2, type: "status" });
    outbox.send(fakeEnvelope(3, 300), { id: "3", seq: 3, type: "ring" });
    outbox.send(fakeEnvelope(4, 400), { id: "4", seq: 4, type: "ring" }); // needs 406 bytes: status (106) then the snapshot (306) go
    assert.deepEqual(
      host.storage.log.records().map((r) => decodeOutboxRecord(r.bytes, recordChecksum(testCrypto()))!.seq),
      [3, 4],
    );
    assert.deepEqual(outbox.stats.droppedByClass, { status: 1, snapshot: 1, motion: 0, long_press: 0, ring: 0 });
    assert.ok(outbox.stats.queuedBytes <= 1000);
  });

  test("a record this firmware did not write is removed at boot, and a failing store still delivers from RAM", () => {
    const host = createFakeHost();
    host.storage.log.append(utf8("not an outbox record"));
    const outbox = outboxOn(host);
    assert.equal(host.storage.log.records().length, 0);
    assert.ok(host.lines.some((l) => l.message.startsWith("outbox record torn or in an unknown format")));

    const broken = createFakeHost();
    broken.storage.log = Object.assign(new MemoryLog(), {
      append: () => {
        throw new Error("no space");
      },
    });
    const ramOnly = outboxOn(broken);
    ramOnly.send(fakeEnvelope(1), { id: "a", seq: 1, type: "ring" });
    assert.equal(ramOnly.stats.unpersisted, 1);
    assert.ok(broken.lines.some((l) => l.level === "error" && l.message.startsWith("event not stored")));
    connect(broken, ramOnly);
    assert.equal(broken.mqtt.published.length, 1);
    assert.equal(outbox.stats.queued, 0);
  });
});
