// SPDX-License-Identifier: MIT
// Opened snapshots on the owner's disk, with retention by age (days) and total size (MB), oldest first.
// Layout: `<dir>/<device>/<YYYY-MM-DD>/<HHMMSS.mmm>-<type>-<event id>.jpg`, named and dated (mtime) by the
// bridge's receive time, never the device's clock (unauthenticated before SNTP). Retention runs on a timer
// as well as on each save, and a save first makes room, so the total never exceeds `maxMB`. Files are mode
// 0600 and directories 0700: these are the only plaintext pictures.
// Each picture saved (or re-issued with `newest`) gets a fresh 128-bit random token, Home Assistant's link to it
// (video-http.ts /pictures/<token>.jpg). Tokens are kept in memory only, keyed by their SHA-256 so the lookup's
// timing says nothing about a guessed token, and compared in constant time; a picture retention removes loses them.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdirSync, readdirSync, rmdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join, sep } from "node:path";
import type { Logger } from "../modules/logger.js";
import type { BridgeTimers } from "./ha-sync.js";

/** How often retention runs by itself (files age even when nothing new arrives). */
export const PRUNE_EVERY_MS = 10 * 60_000;

export interface SnapshotStoreOptions {
  dir: string;
  /** Pictures received more than this many days ago are deleted. */
  keepDays: number;
  /** The total of all pictures is kept at or under this many megabytes (10^6 bytes); the oldest go first. */
  maxMB: number;
  log: Logger;
  /** Wall clock, Unix ms; injectable for tests. */
  now?: () => number;
  /** The retention timer; injectable for tests. */
  timers?: BridgeTimers;
  /** Retention period; default PRUNE_EVERY_MS. */
  pruneEveryMs?: number;
}

export interface SavedSnapshot {
  path: string;
  bytes: number;
  /** 32 hex digits: the picture's capability for its link (video-http.ts). */
  token: string;
}

/** A picture token: 128 random bits as 32 lowercase hex digits. */
export const PICTURE_TOKEN = /^[0-9a-f]{32}$/;

export interface SnapshotStore {
  /**
   * Makes room, then writes one picture named and dated by `receivedAtMs` (the bridge's clock). Throws,
   * writing nothing, for a picture larger than `maxMB` on its own.
   */
  save(deviceId: string, meta: { type: string; id: string; receivedAtMs: number }, jpeg: Uint8Array): SavedSnapshot;
  /** The newest picture kept for `deviceId`, with a fresh token (after a restart, for Home Assistant's link). */
  newest(deviceId: string): SavedSnapshot | undefined;
  /** The file of the picture `token` names, while the picture is kept; undefined for any other string. */
  pathFor(token: string): string | undefined;
  /** Applies retention now, from what is on disk; returns what it removed. */
  prune(): { files: number; bytes: number };
  /** Bytes of all pictures, as the store counts them. */
  readonly totalBytes: number;
  /** Stops the retention timer. */
  close(): void;
}

const DAY_MS = 24 * 3600 * 1000;
/** Node's timers, unreferenced: retention alone never keeps a process alive. */
const UNREF_TIMERS: BridgeTimers = {
  set: (callback, delayMs) => setTimeout(callback, delayMs).unref(),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

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

function fileName(meta: { type: string; id: string }, iso: string): string {
  return `${iso.slice(11, 23).replace(/:/g, "")}-${meta.type.replace(/[^a-z_]/g, "")}-${meta.id.replace(/[^0-9a-f]/g, "")}.jpg`;
}

/** Picture tokens: SHA-256(token) -> the token and its picture's path. */
function createTokenBook() {
  const book = new Map<string, { token: Buffer; path: string }>();
  const digest = (token: string) => createHash("sha256").update(token).digest("hex");
  return {
    issue(path: string): string {
      const token = randomBytes(16).toString("hex");
      book.set(digest(token), { token: Buffer.from(token), path });
      return token;
    },
    /** Forgets the tokens of pictures no longer kept. */
    keepOnly(files: readonly { path: string }[]): void {
      if (!book.size) return;
      const kept = new Set(files.map((f) => f.path));
      for (const [k, v] of book) if (!kept.has(v.path)) book.delete(k);
    },
    pathFor(token: string): string | undefined {
      if (!PICTURE_TOKEN.test(token)) return undefined;
      const found = book.get(digest(token));
      const given = Buffer.from(token);
      return found && found.token.length === given.length && timingSafeEqual(found.token, given)
        ? found.path
        : undefined;
    },
  };
}

export function createSnapshotStore(o: SnapshotStoreOptions): SnapshotStore {
  const now = o.now ?? Date.now;
  const timers = o.timers ?? UNREF_TIMERS;
  const limit = o.maxMB * 1_000_000;
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  /** Every picture, oldest first; rebuilt from the disk by each timed prune. */
  let files: Stored[] = [];
  let total = 0;
  const tokens = createTokenBook();
  const forget = () => tokens.keepOnly(files);

  /** Deletes the oldest until nothing is past `keepDays` and `room` more bytes fit under the limit. */
  function removeOldest(room: number): { files: number; bytes: number } {
    const oldestKeptMs = now() - o.keepDays * DAY_MS;
    let removed = 0;
    let removedBytes = 0;
    while (files.length && (files[0].mtimeMs < oldestKeptMs || total + room > limit)) {
      const f = files.shift()!;
      rmSync(f.path, { force: true });
      total -= f.size;
      removed++;
      removedBytes += f.size;
    }
    if (removed) {
      forget();
      removeEmptyDirs(o.dir);
      o.log.info("snapshots pruned", { files: removed, bytes: removedBytes, keptBytes: total });
    }
    return { files: removed, bytes: removedBytes };
  }

  function prune(): { files: number; bytes: number } {
    files = listJpegs(o.dir).sort((a, b) => a.mtimeMs - b.mtimeMs);
    total = files.reduce((n, f) => n + f.size, 0);
    forget(); // pictures removed by hand lose their tokens too
    return removeOldest(0);
  }

  let timer: unknown;
  const schedule = () => {
    timer = timers.set(() => {
      try {
        prune();
      } catch (error) {
        o.log.error("snapshot retention failed; retrying at the next period", { reason: (error as Error).message });
      }
      schedule();
    }, o.pruneEveryMs ?? PRUNE_EVERY_MS);
  };
  prune();
  schedule();

  return {
    save(deviceId, meta, jpeg) {
      if (jpeg.length > limit)
        throw new RangeError(
          `snapshot of ${jpeg.length} bytes is larger than snapshots.maxMB (${o.maxMB} MB) on its own; not kept`,
        );
      removeOldest(jpeg.length);
      const at = new Date(meta.receivedAtMs);
      const iso = at.toISOString(); // 2026-10-01T08:00:00.000Z
      const day = join(o.dir, deviceId, iso.slice(0, 10));
      mkdirSync(day, { recursive: true, mode: 0o700 });
      const path = join(day, fileName(meta, iso));
      writeFileSync(path, jpeg, { mode: 0o600 });
      utimesSync(path, at, at);
      const stored = { path, size: jpeg.length, mtimeMs: at.getTime() };
      // Receive times rise, so this is almost always the newest; keep the order exact anyway.
      let i = files.length;
      while (i > 0 && files[i - 1].mtimeMs > stored.mtimeMs) i--;
      files.splice(i, 0, stored);
      total += stored.size;
      return { path, bytes: jpeg.length, token: tokens.issue(path) };
    },
    newest(deviceId) {
      const under = join(o.dir, deviceId) + sep;
      for (let i = files.length - 1; i >= 0; i--)
        if (files[i].path.startsWith(under))
          return { path: files[i].path, bytes: files[i].size, token: tokens.issue(files[i].path) };
      return undefined;
    },
    pathFor: tokens.pathFor,
    prune,
    get totalBytes() {
      return total;
    },
    close() {
      timers.clear(timer);
    },
  };
}
