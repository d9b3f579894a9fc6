// SPDX-License-Identifier: MIT
// The bridge's files: snapshots with retention by days and by total MB, and the per-device state that
// keeps the last accepted sequence number (mode 0600, atomic, never silently reset).
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { createDeviceStateStore, JOURNAL_FILE, RECENT_EVENT_IDS } from "../../bridge/device-state.js";
import { readPack } from "../../bridge/snapshot-pack.js";
import {
  createSnapshotStore,
  PACK_SPAN_MS,
  PACKS_DIR,
  PICTURE_TOKEN,
  PRUNE_EVERY_MS,
} from "../../bridge/snapshot-store.js";
import { createLogger } from "../../modules/logger.js";

const DAY = 24 * 3600 * 1000;
const log = createLogger({ write() {} }, "snaps");
const T0 = Date.UTC(2026, 0, 31, 12, 0, 0);

/** The picture files under `dir`: packs, and the one-file pictures of an earlier version. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".pack") || f.endsWith(".jpg"))
    .sort();
}

/** The event ids of the pictures kept in the packs under `dir`, oldest first. */
const packedIds = (dir: string) =>
  files(dir)
    .filter((f) => f.endsWith(".pack"))
    .flatMap((f) => readPack(readFileSync(join(dir, f))).map((p) => p.id));

/** A fake timer queue: what the store scheduled, fired by hand. */
function fakeTimers() {
  const queue = new Map<number, { fn: () => void; ms: number }>();
  let next = 0;
  return {
    queue,
    set: (fn: () => void, ms: number) => (queue.set(++next, { fn, ms }), next),
    clear: (h: unknown) => void queue.delete(h as number),
    fireAll() {
      const due = [...queue.entries()];
      queue.clear();
      for (const [, t] of due) t.fn();
    },
  };
}
const diskBytes = (dir: string) => files(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

describe("snapshot retention", () => {
  test("pictures received more than keepDays ago are deleted by the timer, with no new save, and their empty day directories", () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-snaps-"));
    let now = T0 - 10 * DAY;
    const timers = fakeTimers();
    const store = createSnapshotStore({ dir, keepDays: 7, maxMB: 100, log, now: () => now, timers });
    for (let d = 10; d >= 0; d--) {
      now = T0 - d * DAY;
      store.save(
        "frontdoor",
        { type: "ring", id: `00000000000000${String(d).padStart(2, "0")}`, receivedAtMs: now },
        new Uint8Array(1000),
      );
    }
    assert.equal(files(dir).length, 8, "each save also applies retention: days 10, 9 and 8 are past 7 days");
    assert.deepEqual(packedIds(dir), [
      "0000000000000007",
      "0000000000000006",
      "0000000000000005",
      "0000000000000004",
      "0000000000000003",
      "0000000000000002",
      "0000000000000001",
      "0000000000000000",
    ]);
    assert.ok(!readdirSync(join(dir, PACKS_DIR)).includes("2026-01-21"), "empty day directory removed");
    now = T0 + 2 * DAY; // two days pass without any event
    assert.equal(timers.queue.size, 1, "retention is scheduled");
    assert.equal([...timers.queue.values()][0].ms, PRUNE_EVERY_MS);
    timers.fireAll();
    assert.equal(files(dir).length, 6, "the timer deleted days 7 and 6");
    assert.ok(
      files(dir).every((f) => f >= `${PACKS_DIR}/2026-01-26`),
      files(dir).join(" "),
    );
    assert.equal(timers.queue.size, 1, "and scheduled itself again");
    store.close();
    assert.equal(timers.queue.size, 0, "close stops it");
  });

  test("the total stays at or under maxMB after every save, the oldest going first, whatever their age", () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-snaps-"));
    const store = createSnapshotStore({ dir, keepDays: 365, maxMB: 1, log, now: () => T0, timers: fakeTimers() });
    for (let i = 0; i < 5; i++) {
      store.save(
        "frontdoor",
        { type: "snapshot", id: `000000000000000${i}`, receivedAtMs: T0 + i * 60_000 },
        new Uint8Array(300_000),
      );
      assert.ok(diskBytes(dir) <= 1_000_000, `after save ${i}: ${diskBytes(dir)} bytes on disk`);
      assert.equal(store.totalBytes, diskBytes(dir));
    }
    const kept = files(dir);
    assert.deepEqual(
      packedIds(dir),
      ["0000000000000002", "0000000000000003", "0000000000000004"],
      "3 x 300 kB fit in 1 MB",
    );
    for (const f of kept) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600);
    assert.throws(
      () =>
        store.save("frontdoor", { type: "ring", id: "00000000000000ff", receivedAtMs: T0 }, new Uint8Array(1_000_001)),
      /1000001 bytes is larger than snapshots\.maxMB \(1 MB\)/,
    );
    assert.deepEqual(files(dir), kept, "a picture too large on its own deletes nothing");
    store.close();
  });
});

describe("picture packs", () => {
  test("pictures are appended to one pack per PACK_SPAN_MS, with receive times; a restart counts what it finds", () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-snaps-"));
    const first = createSnapshotStore({ dir, keepDays: 1, maxMB: 100, log, now: () => T0, timers: fakeTimers() });
    const jpeg = (n: number) => new Uint8Array(10).fill(n);
    const a = first.save("frontdoor", { type: "ring", id: "00000000000000aa", receivedAtMs: T0 }, jpeg(1));
    const b = first.save("backdoor", { type: "snapshot", id: "00000000000000bb", receivedAtMs: T0 + 1000 }, jpeg(2));
    const c = first.save(
      "frontdoor",
      { type: "ring", id: "00000000000000cc", receivedAtMs: T0 + PACK_SPAN_MS },
      jpeg(3),
    );
    assert.match(a.path, /_packs\/2026-01-31\/120000\.000\.pack$/, "named by the first picture's receive time");
    assert.equal(b.path, a.path, "the same pack within PACK_SPAN_MS, whatever the device");
    assert.match(c.path, /_packs\/2026-01-31\/120100\.000\.pack$/);
    assert.deepEqual(
      readPack(readFileSync(a.path)).map(({ device, type, id, atMs, length }) => ({ device, type, id, atMs, length })),
      [
        { device: "frontdoor", type: "ring", id: "00000000000000aa", atMs: T0, length: 10 },
        { device: "backdoor", type: "snapshot", id: "00000000000000bb", atMs: T0 + 1000, length: 10 },
      ],
    );
    assert.equal(statSync(join(dir, PACKS_DIR)).mode & 0o777, 0o700);
    first.close();
    const again = createSnapshotStore({ dir, keepDays: 1, maxMB: 100, log, now: () => T0, timers: fakeTimers() });
    assert.equal(again.totalBytes, diskBytes(dir), "a restarted bridge counts the packs it finds");
    assert.deepEqual(again.pictureFor(again.newest("backdoor")!.token), Buffer.from(jpeg(2)));
    assert.deepEqual(again.pictureFor(again.newest("frontdoor")!.token), Buffer.from(jpeg(3)));
    const d = again.save("frontdoor", { type: "ring", id: "00000000000000dd", receivedAtMs: T0 + 2000 }, jpeg(4));
    assert.ok(d.path !== a.path && d.path !== c.path, "a restarted bridge never appends to an earlier pack");
    assert.deepEqual(again.pictureFor(d.token), Buffer.from(jpeg(4)));
    again.close();
    const later = createSnapshotStore({
      dir,
      keepDays: 1,
      maxMB: 100,
      log,
      now: () => T0 + 2 * DAY,
      timers: fakeTimers(),
    });
    assert.deepEqual(files(dir), [], "a restarted bridge applies retention to what it finds");
    assert.equal(later.totalBytes, 0);
    later.close();
  });

  test("a pack cut short by a crash keeps the pictures before the cut; the cut one is never served", () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-snaps-"));
    const first = createSnapshotStore({ dir, keepDays: 1, maxMB: 100, log, now: () => T0, timers: fakeTimers() });
    const a = first.save(
      "frontdoor",
      { type: "ring", id: "00000000000000a1", receivedAtMs: T0 },
      new Uint8Array(50).fill(1),
    );
    first.save("frontdoor", { type: "ring", id: "00000000000000a2", receivedAtMs: T0 + 1 }, new Uint8Array(50).fill(2));
    first.close();
    truncateSync(a.path, statSync(a.path).size - 20); // the second record's write never finished
    const again = createSnapshotStore({ dir, keepDays: 1, maxMB: 100, log, now: () => T0, timers: fakeTimers() });
    assert.deepEqual(
      readPack(readFileSync(a.path)).map((p) => p.id),
      ["00000000000000a1"],
    );
    assert.deepEqual(again.pictureFor(again.newest("frontdoor")!.token), Buffer.alloc(50, 1));
    assert.equal(again.totalBytes, diskBytes(dir), "the cut record's bytes still count until its pack goes");
    again.close();
  });
});

describe("pictures an earlier version stored", () => {
  test("pictures an earlier version kept one per file are still served, counted and pruned, oldest first", () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-snaps-"));
    const day = join(dir, "frontdoor", "2026-01-31");
    mkdirSync(day, { recursive: true });
    const old = join(day, "120000.000-ring-00000000000000aa.jpg");
    writeFileSync(old, new Uint8Array(400_000).fill(7), { mode: 0o600 });
    utimesSync(old, new Date(T0), new Date(T0));
    const store = createSnapshotStore({
      dir,
      keepDays: 1,
      maxMB: 1,
      log,
      now: () => T0 + 60_000,
      timers: fakeTimers(),
    });
    assert.equal(store.totalBytes, 400_000);
    const restored = store.newest("frontdoor")!;
    assert.equal(restored.path, old);
    assert.deepEqual(store.pictureFor(restored.token), Buffer.alloc(400_000, 7), "Home Assistant's link still works");
    store.save(
      "backdoor",
      { type: "ring", id: "00000000000000b1", receivedAtMs: T0 + 60_000 },
      new Uint8Array(400_000),
    );
    assert.ok(existsSync(old), "both fit");
    assert.equal(store.newest("frontdoor")!.path, old);
    store.save(
      "backdoor",
      { type: "ring", id: "00000000000000b2", receivedAtMs: T0 + 120_000 },
      new Uint8Array(400_000),
    );
    assert.ok(!existsSync(old), "the oldest goes first to keep under maxMB");
    assert.equal(store.pictureFor(restored.token), undefined, "its token with it");
    assert.equal(store.newest("frontdoor"), undefined);
    assert.ok(!existsSync(join(dir, "frontdoor")), "and its empty directories");
    store.close();
  });
});

describe("picture tokens (Home Assistant's links, ha.pictures = url)", () => {
  test("a fresh 128-bit token per picture names it until retention removes it; any other string names nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-snaps-"));
    let now = T0;
    const timers = fakeTimers();
    const store = createSnapshotStore({ dir, keepDays: 1, maxMB: 100, log, now: () => now, timers });
    const jpeg = (n: number) => new Uint8Array(100).fill(n);
    const a = store.save("frontdoor", { type: "ring", id: "00000000000000a1", receivedAtMs: now }, jpeg(1));
    const b = store.save("backdoor", { type: "ring", id: "00000000000000b1", receivedAtMs: now + 1 }, jpeg(2));
    for (const s of [a, b]) assert.match(s.token, PICTURE_TOKEN);
    assert.notEqual(a.token, b.token);
    assert.deepEqual(store.pictureFor(a.token), Buffer.from(jpeg(1)));
    assert.deepEqual(store.pictureFor(b.token), Buffer.from(jpeg(2)));
    const offByOne = a.token.slice(0, -1) + (a.token.endsWith("0") ? "1" : "0");
    for (const other of [offByOne, a.token.toUpperCase(), `${a.token}0`, "", "../frontdoor", a.path])
      assert.equal(store.pictureFor(other), undefined, `not a token: ${JSON.stringify(other)}`);

    // After a restart the newest picture of a device gets a new token (the old ones lived in memory).
    const again = store.newest("frontdoor")!;
    assert.equal(again.path, a.path);
    assert.notEqual(again.token, a.token);
    assert.deepEqual(store.pictureFor(again.token), Buffer.from(jpeg(1)));
    assert.equal(store.newest("sidedoor"), undefined);

    now = T0 + 2 * DAY; // both past keepDays: the timer removes them, and their tokens stop working
    const c = store.save("frontdoor", { type: "ring", id: "00000000000000a2", receivedAtMs: now }, jpeg(3));
    for (const gone of [a.token, b.token, again.token]) assert.equal(store.pictureFor(gone), undefined);
    assert.deepEqual(store.pictureFor(c.token), Buffer.from(jpeg(3)));
    assert.equal(store.newest("backdoor"), undefined);
    store.close();
  });
});

describe("per-device bridge state", () => {
  test("persists across a reopen in a 0600 file, keeps a bounded list of recent ids", () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-state-"));
    const a = createDeviceStateStore(dir);
    assert.deepEqual(a.get("frontdoor"), { recentEventIds: [] });
    for (let i = 0; i < RECENT_EVENT_IDS + 10; i++)
      a.update("frontdoor", (s) => {
        s.lastEventSeq = i;
        s.recentEventIds.push(`id${i}`);
      });
    const b = createDeviceStateStore(dir).get("frontdoor");
    assert.equal(b.lastEventSeq, RECENT_EVENT_IDS + 9);
    assert.equal(b.recentEventIds.length, RECENT_EVENT_IDS);
    assert.equal(b.recentEventIds[0], "id10");
    assert.equal(statSync(join(dir, "frontdoor.json")).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir).sort(), [JOURNAL_FILE, "frontdoor.json"], "no temporary file left");
  });

  test("an unreadable state file stops the bridge with what to do, instead of reopening the replay window", () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-state-"));
    writeFileSync(join(dir, "frontdoor.json"), "{not json");
    assert.throws(
      () => createDeviceStateStore(dir).get("frontdoor"),
      /unreadable; restore it from a backup, or delete it/,
    );
    assert.equal(readFileSync(join(dir, "frontdoor.json"), "utf8"), "{not json", "left as it was");
  });
});

describe("per-device bridge state: group commit through the journal", () => {
  const event = (seq: number, eventId?: string) => ({ seq, digest: `d${seq}`, ...(eventId ? { eventId } : {}) });

  test("staged events are durable only after commit: a crash before it forgets them, after it keeps them", () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-state-"));
    const a = createDeviceStateStore(dir);
    a.stageEvent("frontdoor", event(1, "e1"));
    a.stageEvent("backdoor", event(7, "e7"));
    assert.equal(a.peek("frontdoor").lastEventSeq, 1, "seen at once in RAM");
    assert.equal(createDeviceStateStore(dir).get("frontdoor").lastEventSeq, undefined, "a crash before commit");
    const b = createDeviceStateStore(dir);
    b.stageEvent("frontdoor", event(2, "e2"));
    b.stageEvent("frontdoor", event(3)); // a duplicate id under a newer seq: no id added
    b.stageEvent("backdoor", event(8, "e8"));
    b.commit();
    const after = createDeviceStateStore(dir); // a crash after commit: rebuilt from the journal, then folded in
    assert.deepEqual(after.get("frontdoor"), { lastEventSeq: 3, lastEventDigest: "d3", recentEventIds: ["e2"] });
    assert.deepEqual(after.get("backdoor"), { lastEventSeq: 8, lastEventDigest: "d8", recentEventIds: ["e8"] });
    assert.equal(statSync(join(dir, JOURNAL_FILE)).size, 0, "folded into the device files when the store opened");
    assert.equal(JSON.parse(readFileSync(join(dir, "frontdoor.json"), "utf8")).lastEventSeq, 3);
  });

  test("one journal line per commit, whatever the number of events; folded into the files past checkpointBytes", () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-state-"));
    const store = createDeviceStateStore(dir, { checkpointBytes: 4096 });
    for (let i = 1; i <= 50; i++) store.stageEvent("frontdoor", event(i, `e${i}`));
    store.commit();
    const lines = () => readFileSync(join(dir, JOURNAL_FILE), "utf8").split("\n").filter(Boolean).length;
    assert.equal(lines(), 1, "50 events, one batch");
    assert.ok(!readdirSync(dir).includes("frontdoor.json"), "not yet in the device file");
    for (let i = 51; i <= 150; i++) store.stageEvent("frontdoor", event(i, `e${i}`));
    store.commit(); // the journal passes 4 KiB: checkpoint
    assert.equal(lines(), 0);
    assert.equal(JSON.parse(readFileSync(join(dir, "frontdoor.json"), "utf8")).lastEventSeq, 150);
  });

  test("an update (diagnostics, a command number) commits the staged events first, so its file never runs ahead", () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-state-"));
    const store = createDeviceStateStore(dir);
    store.stageEvent("frontdoor", event(5, "e5"));
    store.update("frontdoor", (s) => void (s.info = { fw: "1.2.0" }));
    const file = JSON.parse(readFileSync(join(dir, "frontdoor.json"), "utf8"));
    assert.equal(file.lastEventSeq, 5);
    const journal = readFileSync(join(dir, JOURNAL_FILE), "utf8");
    assert.match(journal, /"frontdoor",5,"d5","e5"/, "the event reached the journal before the file was written");
  });

  test("a batch torn by a crash is dropped whole; a damaged batch before the last stops the bridge with what to do", () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-state-"));
    const a = createDeviceStateStore(dir);
    a.stageEvent("frontdoor", event(1, "e1"));
    a.commit();
    a.stageEvent("frontdoor", event(2, "e2"));
    a.stageEvent("frontdoor", event(3, "e3"));
    a.commit();
    const path = join(dir, JOURNAL_FILE);
    const whole = readFileSync(path, "utf8");
    writeFileSync(path, whole.slice(0, whole.length - 5)); // the second batch cut short, never acknowledged
    assert.deepEqual(createDeviceStateStore(dir).get("frontdoor").recentEventIds, ["e1"], "neither 2 nor 3 kept");
    const b = createDeviceStateStore(dir);
    b.stageEvent("frontdoor", event(4, "e4"));
    b.commit();
    b.stageEvent("frontdoor", event(5, "e5"));
    b.commit();
    const [first, second] = readFileSync(path, "utf8").split("\n");
    writeFileSync(path, `${first.replace('"e4"', '"e9"')}\n${second}\n`); // a flipped byte in an older batch
    assert.throws(() => createDeviceStateStore(dir), /batch 1 is damaged.*Restore the state directory from a backup/);
  });

  test("`doorbell command`'s store (journal: false) never reads, folds or empties the bridge's journal", () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-state-"));
    const bridge = createDeviceStateStore(dir);
    bridge.stageEvent("frontdoor", event(1, "e1"));
    bridge.commit();
    const cli = createDeviceStateStore(dir, { journal: false });
    cli.update("frontdoor", (s) => void (s.lastCommandSeq = 42));
    assert.equal(readFileSync(join(dir, JOURNAL_FILE), "utf8").split("\n").filter(Boolean).length, 1, "untouched");
    assert.throws(() => cli.stageEvent("frontdoor", event(2)), /only the bridge accepts events/);
    const reopened = createDeviceStateStore(dir).get("frontdoor");
    assert.equal(reopened.lastEventSeq, 1);
    assert.equal(reopened.lastCommandSeq, 42);
  });
});
