// SPDX-License-Identifier: MIT
// `doorbell pictures export`: the pictures the bridge appended to its packs come out as the same JPEG bytes, named
// by device, day and receive time, mode 0600; a second run writes nothing new; a record cut short by a crash and
// a name unsafe as a path are never written; misuse and a wrong folder get clear errors.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { encodePackRecord } from "../../bridge/snapshot-pack.js";
import { createSnapshotStore, PACKS_DIR } from "../../bridge/snapshot-store.js";
import { createLogger } from "../../modules/logger.js";

const CLI = fileURLToPath(new URL("../../bridge/cli/doorbell.js", import.meta.url));
const T0 = Date.UTC(2026, 9, 1, 8, 0, 1); // 2026-10-01 08:00:01.000 UTC
const DAY = 86_400_000;

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const jpeg = (n: number) => Uint8Array.from({ length: 500 + n }, (_, i) => (i * 7 + n) & 255);

function storeWithPictures(dir: string) {
  let now = T0;
  const timers = { set: () => 0, clear: () => undefined };
  const store = createSnapshotStore({
    dir,
    keepDays: 30,
    maxMB: 10,
    log: createLogger({ write() {} }, "t"),
    now: () => now,
    timers,
  });
  const saved = [
    { device: "frontdoor", type: "ring", id: "00000000000000a1", at: T0, bytes: jpeg(1) },
    { device: "backdoor", type: "snapshot", id: "00000000000000b1", at: T0 + 1500, bytes: jpeg(2) },
    { device: "frontdoor", type: "ring", id: "00000000000000a2", at: T0 + DAY, bytes: jpeg(3) },
  ];
  for (const s of saved) {
    now = s.at;
    store.save(s.device, { type: s.type, id: s.id, receivedAtMs: s.at }, s.bytes);
  }
  store.close();
  return saved;
}

test("exports every kept picture as its JPEG, by device and day, mode 0600; a second run writes nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "pictures-"));
  const from = join(dir, "snapshots");
  const out = join(dir, "out");
  const saved = storeWithPictures(from);
  const r = cli(["pictures", "export", "--from", from, "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^3 picture\(s\) written to .*, 0 already there, from 2 pack\(s\)/);
  assert.deepEqual(
    readFileSync(join(out, "frontdoor", "2026-10-01", "080001.000-ring-00000000000000a1.jpg")),
    Buffer.from(saved[0].bytes),
  );
  assert.deepEqual(
    readFileSync(join(out, "backdoor", "2026-10-01", "080002.500-snapshot-00000000000000b1.jpg")),
    Buffer.from(saved[1].bytes),
  );
  const second = join(out, "frontdoor", "2026-10-02", "080001.000-ring-00000000000000a2.jpg");
  assert.deepEqual(readFileSync(second), Buffer.from(saved[2].bytes));
  assert.equal(statSync(second).mode & 0o777, 0o600);
  assert.equal(statSync(join(out, "frontdoor")).mode & 0o777, 0o700);

  const again = cli(["pictures", "export", "--from", from, "--out", out]);
  assert.match(again.stdout, /^0 picture\(s\) written .*, 3 already there/);
  const one = cli([
    "pictures",
    "export",
    "--from",
    from,
    "--out",
    join(dir, "one"),
    "--device",
    "backdoor",
    "--day",
    "2026-10-01",
  ]);
  assert.match(one.stdout, /^1 picture\(s\) written/);
  assert.deepEqual(readdirSync(join(dir, "one")), ["backdoor"]);
});

test("a record cut short by a crash and a name unsafe as a path are not written; the rest are", () => {
  const dir = mkdtempSync(join(tmpdir(), "pictures-"));
  const day = join(dir, PACKS_DIR, "2026-10-01");
  mkdirSync(day, { recursive: true });
  const good = encodePackRecord({ device: "frontdoor", type: "ring", id: "00000000000000c1", atMs: T0 }, jpeg(4));
  const unsafe = encodePackRecord({ device: "../../etc", type: "ring", id: "00000000000000c2", atMs: T0 }, jpeg(5));
  const cut = encodePackRecord({ device: "frontdoor", type: "ring", id: "00000000000000c3", atMs: T0 + 1 }, jpeg(6));
  const pack = join(day, "080001.000.pack");
  writeFileSync(pack, Buffer.concat([good.record, unsafe.record]));
  appendFileSync(pack, cut.record.subarray(0, cut.record.length - 100));
  const out = join(dir, "out");
  const r = cli(["pictures", "export", "--from", dir, "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^1 picture\(s\) written .*; 1 with a name unsafe as a file name, not written/);
  assert.deepEqual(readdirSync(join(out, "frontdoor", "2026-10-01")), ["080001.000-ring-00000000000000c1.jpg"]);
  assert.deepEqual(readdirSync(out), ["frontdoor"]);
});

test("misuse exits 2 naming the flag; a folder that is not the snapshots folder exits 1 saying so", () => {
  const dir = mkdtempSync(join(tmpdir(), "pictures-"));
  assert.equal(cli(["pictures", "export", "--out", dir]).status, 2);
  const day = cli(["pictures", "export", "--from", dir, "--out", dir, "--day", "yesterday"]);
  assert.equal(day.status, 2);
  assert.match(day.stderr, /--day: expected YYYY-MM-DD/);
  const wrong = cli(["pictures", "export", "--from", dir, "--out", join(dir, "o")]);
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /no _packs folder; is this the bridge's snapshots folder/);
});
