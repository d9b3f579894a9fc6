// SPDX-License-Identifier: MIT
// Opened snapshots on the owner's disk, with retention by age (days) and total size (MB), oldest first.
// Layout: `<dir>/<device>/<YYYY-MM-DD>/<HHMMSS.mmm>-<type>-<event id>.jpg`, each file dated (mtime) at
// its event's time. Files are mode 0600 and directories 0700: these are the only plaintext pictures.
import { mkdirSync, readdirSync, rmdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../modules/logger.js";

export interface SnapshotStoreOptions {
  dir: string;
  /** Pictures older than this many days are deleted. */
  keepDays: number;
  /** Beyond this many megabytes (10^6 bytes) in all, the oldest are deleted. */
  maxMB: number;
  log: Logger;
  /** Wall clock, Unix ms; injectable for tests. */
  now?: () => number;
}

export interface SavedSnapshot {
  path: string;
  bytes: number;
}

export interface SnapshotStore {
  /** Writes one picture and applies retention (at most once a minute). */
  save(deviceId: string, meta: { type: string; id: string; atMs: number }, jpeg: Uint8Array): SavedSnapshot;
  /** Applies retention now; returns what it removed. */
  prune(): { files: number; bytes: number };
}

const DAY_MS = 24 * 3600 * 1000;
const PRUNE_EVERY_MS = 60_000;

interface Stored {
  path: string;
  size: number;
  mtimeMs: number;
}

function listJpegs(dir: string): Stored[] {
  const out: Stored[] = [];
  let entries: import("node:fs").Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...listJpegs(path));
    else if (e.name.endsWith(".jpg")) {
      const s = statSync(path);
      out.push({ path, size: s.size, mtimeMs: s.mtimeMs });
    }
  }
  return out;
}

/** Removes empty directories below `dir` (not `dir` itself). */
function removeEmptyDirs(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const path = join(dir, e.name);
    removeEmptyDirs(path);
    if (readdirSync(path).length === 0) rmdirSync(path);
  }
}

export function createSnapshotStore(o: SnapshotStoreOptions): SnapshotStore {
  const now = o.now ?? Date.now;
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  let lastPruneMs = -Infinity;

  function prune(): { files: number; bytes: number } {
    lastPruneMs = now();
    const files = listJpegs(o.dir).sort((a, b) => a.mtimeMs - b.mtimeMs);
    const oldestKeptMs = now() - o.keepDays * DAY_MS;
    const limit = o.maxMB * 1_000_000;
    let total = files.reduce((n, f) => n + f.size, 0);
    let removed = 0;
    let removedBytes = 0;
    for (const f of files) {
      if (f.mtimeMs >= oldestKeptMs && total <= limit) break; // sorted: the rest are newer
      rmSync(f.path, { force: true });
      total -= f.size;
      removed++;
      removedBytes += f.size;
    }
    if (removed) {
      removeEmptyDirs(o.dir);
      o.log.info("snapshots pruned", { files: removed, bytes: removedBytes, keptBytes: total });
    }
    return { files: removed, bytes: removedBytes };
  }

  return {
    save(deviceId, meta, jpeg) {
      const at = new Date(meta.atMs);
      const iso = at.toISOString(); // 2026-10-01T08:00:00.000Z
      const day = join(o.dir, deviceId, iso.slice(0, 10));
      mkdirSync(day, { recursive: true, mode: 0o700 });
      const name = `${iso.slice(11, 23).replace(/:/g, "")}-${meta.type.replace(/[^a-z_]/g, "")}-${meta.id.replace(/[^0-9a-f]/g, "")}.jpg`;
      const path = join(day, name);
      writeFileSync(path, jpeg, { mode: 0o600 });
      utimesSync(path, at, at);
      if (now() - lastPruneMs >= PRUNE_EVERY_MS) prune();
      return { path, bytes: jpeg.length };
    },
    prune,
  };
}
