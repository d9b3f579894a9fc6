// SPDX-License-Identifier: MIT
// hosts/esp32/append-log.ts inside XS on the `file` fake (littlefs: data reaches flash at close,
// rename is atomic) and the power rail: after a cut at any flash step a record is whole or absent.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createLittlefsLog } from "../../hosts/esp32/append-log.js";
import { checkFlashLayout } from "../../hosts/esp32/flash-layout.js";
import { parseConfig } from "../../modules/config.js";
import { createPreferenceKv } from "../../hosts/esp32/kv-store.js";
import { flashFiles, resetFiles } from "../xs/moddable-fakes/file.js";
import { cutPowerAt, PowerLoss, powerOn } from "../xs/moddable-fakes/power.js";
import { freshBoard, type RecordingLog } from "./device.js";

const record = (n: number, size = 100) => new Uint8Array(size).fill(n);

function openLog(log: RecordingLog) {
  return createLittlefsLog({ reservations: createPreferenceKv({ domain: "dbhost" }), log, reserveBlock: 4 });
}

describe("ESP32 append-only log on littlefs", () => {
  test("append, records and remove round-trip; ids increase and are never reused after a reboot", () => {
    const log = freshBoard();
    let outbox = openLog(log);
    const a = outbox.append(record(1));
    const b = outbox.append(record(2));
    outbox.remove(a);
    outbox.remove(a);
    assert.deepEqual(
      outbox.records().map((r) => [r.id, r.bytes[0]]),
      [[b, 2]],
    );
    outbox.remove(b);
    outbox = openLog(log); // reboot with an empty directory: the NVS reservation still moves ids on
    const c = outbox.append(record(3));
    assert.ok(c > b, `id ${c} after ${b}`);
  });

  test("a cut at every flash step of an append leaves the record whole or absent, and the others intact", () => {
    for (let cut = 1; cut <= 8; cut++) {
      const log = freshBoard();
      let outbox = openLog(log);
      outbox.append(record(1));
      cutPowerAt(cut);
      let appended = false;
      try {
        outbox.append(record(2, 5000));
        appended = true;
      } catch (error) {
        assert.ok(error instanceof PowerLoss || /power cut/.test(String(error)), `cut ${cut}: ${String(error)}`);
      }
      powerOn();
      outbox = openLog(log);
      const records = outbox.records();
      assert.equal(records[0].bytes[0], 1, `cut ${cut}: the older record survives`);
      assert.ok(records.length === 1 || records.length === 2, `cut ${cut}`);
      if (records.length === 2) assert.deepEqual(records[1].bytes, record(2, 5000), `cut ${cut}: whole`);
      if (appended) assert.equal(records.length, 2, `cut ${cut}: an append that returned is durable`);
      assert.equal([...flashFiles().keys()].filter((p) => p.endsWith(".tmp")).length, 0, "strays removed");
    }
  });
});

describe("ESP32 append-only log on littlefs: formats and errors", () => {
  test("a record file this log did not write (bad magic) is removed when read, and said so", () => {
    const log = freshBoard();
    const outbox = openLog(log);
    const id = outbox.append(record(5));
    const path = [...flashFiles().keys()].find((p) => p.endsWith(".rec"));
    assert.ok(path);
    flashFiles().get(path)?.fill(0xaa, 0, 4);
    assert.deepEqual(outbox.ids(), [id], "listed without being read");
    assert.equal(outbox.read(id), undefined);
    assert.deepEqual(outbox.ids(), []);
    assert.match(log.at("warn", "outbox")[0], new RegExp(`record ${id} removed: bad magic`));
  });

  test("a record is stored as DBL2 and its bytes, with no checksum of its own; read(id) reads one file", () => {
    const log = freshBoard();
    const outbox = openLog(log);
    const id = outbox.append(record(7, 10));
    const [path, stored] = [...flashFiles()].find(([p]) => p.endsWith(".rec")) ?? [];
    assert.ok(path && stored);
    assert.deepEqual([...stored], [0x44, 0x42, 0x4c, 0x32, ...record(7, 10)]);
    assert.deepEqual(outbox.read(id), record(7, 10));
    assert.equal(outbox.read(id + 1), undefined);
  });

  test("records of the previous format (DBL1: length and CRC-32 header) are still read, after a reboot", () => {
    const log = freshBoard();
    let outbox = openLog(log);
    const id = outbox.append(record(1));
    const path = [...flashFiles().keys()].find((p) => p.endsWith(".rec"));
    assert.ok(path);
    // The file exactly as the previous firmware wrote it: "DBL1" | length | CRC-32 | bytes.
    const legacy = new Uint8Array(12 + 300);
    legacy.set([0x44, 0x42, 0x4c, 0x31]);
    new DataView(legacy.buffer).setUint32(4, 300);
    new DataView(legacy.buffer).setUint32(8, 0x1234_5678); // not recomputed: the outbox record's checksum is the check
    legacy.fill(9, 12);
    flashFiles().set(path, legacy);
    outbox = openLog(log);
    assert.deepEqual(outbox.read(id), record(9, 300));
    assert.deepEqual(
      outbox.records().map((r) => [r.id, r.bytes.length]),
      [[id, 300]],
    );
    // A DBL1 file whose length disagrees with its header is not a whole record.
    legacy[7] = 0x2b;
    flashFiles().set(path, legacy.slice());
    assert.equal(outbox.read(id), undefined);
  });

  test("the log states the storage partition's capacity: the config refuses what checkFlashLayout refuses", () => {
    const outbox = openLog(freshBoard());
    assert.deepEqual(outbox.capacity, { bytes: 872 * 1024, records: 218 });
    const tooBig = parseConfig({ outbox: { maxKiB: 873, maxEvents: 219 } }, { storage: outbox.capacity });
    assert.deepEqual(tooBig.ok ? [] : tooBig.errors.map((e) => e.field), ["outbox.maxKiB", "outbox.maxEvents"]);
    assert.deepEqual(
      checkFlashLayout({ outbox: { maxKiB: 873, maxEvents: 219 } }).errors.map((e) => e.split(":")[0]),
      ["outbox.maxKiB", "outbox.maxEvents"],
    );
    assert.equal(parseConfig({ outbox: { maxKiB: 872, maxEvents: 218 } }, { storage: outbox.capacity }).ok, true);
  });

  test("a full partition refuses the record with the size and the fix, keeping what is stored", () => {
    const log = freshBoard();
    resetFiles(64 * 1024);
    const outbox = openLog(log);
    outbox.append(record(1));
    assert.throws(() => outbox.append(record(2, 80 * 1024)), /80000|81920.*enlarge the storage partition/);
    assert.equal(outbox.records().length, 1);
  });
});
