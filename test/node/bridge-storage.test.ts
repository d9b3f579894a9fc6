// SPDX-License-Identifier: MIT
// The bridge's files: snapshots with retention by days and by total MB, and the per-device state that
// keeps the last accepted sequence number (mode 0600, atomic, never silently reset).
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { createDeviceStateStore, RECENT_EVENT_IDS } from "../../bridge/device-state.js";
import { createSnapshotStore } from "../../bridge/snapshot-store.js";
import { createLogger } from "../../modules/logger.js";

const DAY = 24 * 3600 * 1000;
const log = createLogger({ write() {} }, "snaps");
const T0 = Date.UTC(2026, 0, 31, 12, 0, 0);

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".jpg"))
    .sort();
}

describe("snapshot retention", () => {
  test("pictures older than keepDays are deleted, with their empty day directories", () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-snaps-"));
    let now = T0;
    const store = createSnapshotStore({ dir, keepDays: 7, maxMB: 100, log, now: () => now });
    for (let d = 10; d >= 0; d--)
      store.save(
        "frontdoor",
        { type: "ring", id: `00000000000000${String(d).padStart(2, "0")}`, atMs: T0 - d * DAY },
        new Uint8Array(1000),
      );
    store.prune();
    assert.equal(files(dir).length, 8, "days 10, 9 and 8 are past 7 days (the first save already pruned day 10)");
    assert.ok(
      files(dir).every((f) => f >= "frontdoor/2026-01-24"),
      files(dir).join(" "),
    );
    assert.ok(!readdirSync(join(dir, "frontdoor")).includes("2026-01-21"), "empty day directory removed");
    now = T0 + 2 * DAY;
    assert.equal(store.prune().files, 2);
  });

  test("beyond maxMB the oldest pictures go first, whatever their age", () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-snaps-"));
    const store = createSnapshotStore({ dir, keepDays: 365, maxMB: 1, log, now: () => T0 });
    for (let i = 0; i < 5; i++)
      store.save(
        "frontdoor",
        { type: "snapshot", id: `000000000000000${i}`, atMs: T0 - (5 - i) * 60_000 },
        new Uint8Array(300_000),
      );
    store.prune();
    const kept = files(dir);
    assert.equal(kept.length, 3, "3 x 300 kB fit in 1 MB");
    assert.ok(
      kept.every((f) => /000000000000000[234]\.jpg$/.test(f)),
      kept.join(" "),
    );
    for (const f of kept) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600);
  });

  test("save applies retention by itself, dated by the event's time", () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-snaps-"));
    const store = createSnapshotStore({ dir, keepDays: 1, maxMB: 100, log, now: () => T0 });
    const saved = store.save(
      "frontdoor",
      { type: "ring", id: "00000000000000aa", atMs: T0 - 3 * DAY },
      new Uint8Array(10),
    );
    assert.match(saved.path, /frontdoor\/2026-01-28\/120000\.000-ring-00000000000000aa\.jpg$/);
    assert.deepEqual(files(dir), [], "a picture already past retention does not stay");
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
    assert.deepEqual(readdirSync(dir), ["frontdoor.json"], "no temporary file left");
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
