// SPDX-License-Identifier: MIT
// The outbox keeps an index in RAM and reads each envelope from storage when it is due; records of the
// previous format (3) are still delivered; a record that fails its checksum when due is dropped, said and
// counted; and when storing fails, at most one event is held in RAM (docs/delivery.md).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { readUintBE, writeUintBE } from "../../modules/bytes.js";
import { createLogger } from "../../modules/logger.js";
import { createOutbox, type OutboxOptions } from "../../modules/outbox.js";
import {
  DROP_CLASS,
  decodeOutboxRecord,
  encodeOutboxRecord,
  type RecordChecksum,
  recordChecksum,
} from "../../modules/outbox-record.js";
import { createFakeHost, MemoryLog, type FakeHost } from "../support/fake-host.js";

const TOPIC = "doorbell/frontdoor/sealed/event";

/** Envelope-shaped bytes: version 1, the total length, `seq` at offset 5, then filler (the outbox never opens them). */
function fakeEnvelope(seq: number, size = 100): Uint8Array {
  const bytes = new Uint8Array(size).fill(0xa5 ^ seq);
  bytes[0] = 1;
  bytes.set(writeUintBE(size, 4), 1);
  bytes.set(writeUintBE(seq, 8), 5);
  return bytes;
}

const seqOf = (payload: Uint8Array) => readUintBE(payload, 5, 8);

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

function connect(host: FakeHost, outbox: { resume(): void }) {
  host.mqtt.connected = true;
  outbox.resume();
  host.clock.advance(0); // acknowledgements arrive on a later turn (ports.ts), here 0 ms timers
}

/** A record as format 3 wrote it (before the tag-length byte): format, drop class, envelope, checksum. */
function format3Record(dropClass: number, envelope: Uint8Array, checksum: RecordChecksum): Uint8Array {
  const out = new Uint8Array(2 + envelope.length + 4);
  out[0] = 3;
  out[1] = dropClass;
  out.set(envelope, 2);
  out.set(writeUintBE(checksum(out.subarray(0, 2 + envelope.length)), 4), 2 + envelope.length);
  return out;
}

describe("outbox: an index in RAM, envelopes read from storage when due", () => {
  test("queued events are not read back until due; each publish reads its one record, and sends those bytes", () => {
    const host = createFakeHost();
    host.mqtt.autoAck = false;
    const outbox = outboxOn(host);
    for (let seq = 1; seq <= 5; seq++) outbox.send(fakeEnvelope(seq), { id: `e${seq}`, seq, type: "ring" });
    const log = host.storage.log as MemoryLog;
    assert.equal(log.reads, 0, "nothing read back while disconnected");
    connect(host, outbox);
    assert.equal(log.reads, 1, "one read for the one publish in flight");
    assert.deepEqual(host.mqtt.published[0].payload, fakeEnvelope(1));
    // What goes out is what storage holds, not a copy in RAM: rewrite record 2 (same seq, other bytes, valid
    // checksum) and see those bytes published.
    const other = fakeEnvelope(2).fill(0x5a, 13);
    log.items[1].bytes = encodeOutboxRecord(DROP_CLASS.ring, other, recordChecksum(host.crypto));
    host.mqtt.published[0].ack!();
    assert.equal(log.reads, 2);
    assert.deepEqual(host.mqtt.published[1].payload, other);
    assert.equal(outbox.stats.queued, 4);
  });

  test("a record that fails its checksum when due is dropped, logged and counted; the next one goes", () => {
    const host = createFakeHost();
    host.mqtt.autoAck = false;
    const outbox = outboxOn(host);
    outbox.send(fakeEnvelope(1), { id: "a", seq: 1, type: "ring" });
    outbox.send(fakeEnvelope(2), { id: "b", seq: 2, type: "ring" });
    const log = host.storage.log as MemoryLog;
    log.items[0].bytes[40] ^= 0x01; // a bit flips on flash after the append
    connect(host, outbox);
    assert.deepEqual(
      host.mqtt.published.map((p) => seqOf(p.payload)),
      [2],
    );
    assert.equal(outbox.stats.unreadable, 1);
    assert.equal(outbox.holds("a"), false);
    assert.deepEqual(log.ids().length, 1, "the bad record is removed from storage");
    assert.ok(host.lines.some((l) => l.level === "error" && l.message.startsWith("outbox record missing or failing")));
  });

  test("a record unreadable for now is kept and tried again after ackTimeoutMs", () => {
    const host = createFakeHost();
    const outbox = outboxOn(host, { ackTimeoutMs: 5000 });
    outbox.send(fakeEnvelope(1), { id: "a", seq: 1, type: "ring" });
    const log = host.storage.log as MemoryLog;
    const read = log.read.bind(log);
    let failures = 1;
    log.read = (id) => {
      if (failures-- > 0) throw new Error("flash busy");
      return read(id);
    };
    connect(host, outbox);
    assert.equal(host.mqtt.published.length, 0);
    host.clock.advance(5000);
    assert.deepEqual(
      host.mqtt.published.map((p) => seqOf(p.payload)),
      [1],
    );
    assert.equal(outbox.stats.unreadable, 0);
  });
});

describe("outbox: records of the previous format (3) are read, nothing stored is lost", () => {
  test("format-3 records left by the previous firmware are delivered in order, then removed", () => {
    const host = createFakeHost();
    const checksum = recordChecksum(host.crypto);
    host.storage.log.append(format3Record(DROP_CLASS.ring, fakeEnvelope(11), checksum));
    host.storage.log.append(format3Record(DROP_CLASS.snapshot, fakeEnvelope(12, 300), checksum));
    const outbox = outboxOn(host);
    assert.equal(outbox.stats.queued, 2);
    outbox.send(fakeEnvelope(13), { id: "new", seq: 13, type: "ring" });
    connect(host, outbox);
    assert.deepEqual(
      host.mqtt.published.map((p) => [seqOf(p.payload), p.options.dup]),
      [
        [11, true],
        [12, true],
        [13, false],
      ],
    );
    assert.deepEqual(host.mqtt.published[1].payload, fakeEnvelope(12, 300), "the very envelope");
    assert.deepEqual(host.storage.log.ids(), []);
  });
});

describe("outbox: when storing fails, at most one event is held in RAM", () => {
  function failingStore(host: FakeHost) {
    const log = new MemoryLog();
    let failing = true;
    const append = log.append.bind(log);
    log.append = (bytes) => {
      if (failing) throw new Error("no space");
      return append(bytes);
    };
    host.storage.log = log;
    return { log, heal: () => void (failing = false) };
  }

  test("a second unstored event replaces a held one of the same or a lower class, never a higher one", () => {
    const host = createFakeHost();
    failingStore(host);
    const outbox = outboxOn(host);
    outbox.send(fakeEnvelope(1), { id: "a", seq: 1, type: "snapshot" });
    outbox.send(fakeEnvelope(2), { id: "b", seq: 2, type: "ring" }); // the snapshot goes
    outbox.send(fakeEnvelope(3), { id: "c", seq: 3, type: "motion_start" }); // lower than the held ring: itself dropped
    assert.equal(outbox.stats.queued, 1);
    assert.equal(outbox.stats.unpersisted, 3);
    assert.deepEqual(outbox.stats.droppedByClass, { status: 0, snapshot: 1, motion: 1, long_press: 0, ring: 0 });
    assert.ok(host.lines.some((l) => l.message.startsWith("storage failing, one event already held in RAM")));
    connect(host, outbox);
    assert.deepEqual(
      host.mqtt.published.map((p) => seqOf(p.payload)),
      [2],
    );
  });

  test("once storage works again, the held event is stored after the next delivery", () => {
    const host = createFakeHost();
    const { log, heal } = failingStore(host);
    host.mqtt.autoAck = false;
    const outbox = outboxOn(host);
    heal();
    outbox.send(fakeEnvelope(1), { id: "a", seq: 1, type: "ring" });
    // Storage fails for the second event only.
    const append = log.append;
    log.append = () => {
      throw new Error("no space");
    };
    outbox.send(fakeEnvelope(2), { id: "b", seq: 2, type: "ring" });
    log.append = append;
    assert.equal(log.ids().length, 1);
    connect(host, outbox);
    host.mqtt.published[0].ack!();
    assert.equal(log.ids().length, 1, "the held event is now on storage");
    assert.ok(host.lines.some((l) => l.message.startsWith("event held in RAM now stored")));
    host.mqtt.published[1].ack!();
    assert.deepEqual(
      host.mqtt.published.map((p) => seqOf(p.payload)),
      [1, 2],
    );
    assert.deepEqual(log.ids(), []);
  });

  test("an event stored late (after a later one) is still recovered in sequence order after a reboot", () => {
    const host = createFakeHost();
    const { log, heal } = failingStore(host);
    host.mqtt.autoAck = false;
    heal();
    const append = log.append;
    const outbox = outboxOn(host);
    outbox.send(fakeEnvelope(1), { id: "a", seq: 1, type: "ring" }); // stored
    log.append = () => {
      throw new Error("no space");
    };
    outbox.send(fakeEnvelope(2), { id: "b", seq: 2, type: "ring" }); // held in RAM
    log.append = append;
    outbox.send(fakeEnvelope(3), { id: "c", seq: 3, type: "ring" }); // stored
    connect(host, outbox);
    host.mqtt.published[0].ack!(); // seq 1 delivered: seq 2 is stored now, after seq 3
    assert.ok(log.ids()[0] < log.ids()[1]);
    // A reboot before anything else is acknowledged.
    const after = createFakeHost(host.storage);
    const rebooted = outboxOn(after);
    connect(after, rebooted);
    assert.deepEqual(
      after.mqtt.published.map((p) => seqOf(p.payload)),
      [2, 3],
      "in sequence order, not record order",
    );
  });
});

describe("outbox: a per-record tag beside the envelope (room for issue 17's confirmations)", () => {
  test("a tag given to send() is stored with the record, survives a reboot and leaves the published bytes alone", () => {
    const host = createFakeHost();
    const tag = Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i);
    outboxOn(host).send(fakeEnvelope(1), { id: "a", seq: 1, type: "ring", tag });
    const [stored] = host.storage.log.records();
    const decoded = decodeOutboxRecord(stored.bytes, recordChecksum(host.crypto));
    assert.deepEqual(decoded?.tag, tag);
    const after = outboxOn(host); // a reboot on the same storage
    connect(host, after);
    assert.deepEqual(host.mqtt.published[0].payload, fakeEnvelope(1), "the envelope alone is published");
  });
});
