// SPDX-License-Identifier: MIT
// The stored clips as their sidecars list them, and retention by age (days) and total size (MB), oldest first,
// as bridge/snapshot-store.ts does for pictures. A clip is its sidecar JSON plus the files it names; all go together.
import { readdirSync, readFileSync, rmdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

export interface StoredClip {
  /** The sidecar's path. */
  sidecar: string;
  /** The clip's files beside it (absolute), and their bytes with the sidecar's. */
  files: string[];
  bytes: number;
  /** The sidecar's mtime: the bridge's receive time of the clip's first frame. */
  mtimeMs: number;
}

/** Every clip below `dir` (skipping dot directories: the work area), oldest first. Unreadable sidecars are skipped. */
export function listClips(dir: string): StoredClip[] {
  const out: StoredClip[] = [];
  const walk = (d: string, depth: number) => {
    if (depth > 4) return;
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      const path = join(d, e.name);
      if (e.isDirectory() && !e.name.endsWith(".frames")) walk(path, depth + 1);
      else if (e.isFile() && e.name.endsWith(".json")) {
        const clip = readClip(path);
        if (clip) out.push(clip);
      }
    }
  };
  walk(dir, 0);
  return out.sort((a, b) => a.mtimeMs - b.mtimeMs);
}

function readClip(sidecar: string): StoredClip | undefined {
  try {
    const meta = JSON.parse(readFileSync(sidecar, "utf8")) as { files?: unknown; bytes?: unknown };
    const dir = join(sidecar, "..");
    const files = Array.isArray(meta.files)
      ? meta.files.filter((f): f is string => typeof f === "string" && !f.includes("/") && !f.startsWith("."))
      : [];
    const s = statSync(sidecar);
    return {
      sidecar,
      files: files.map((f) => join(dir, f)),
      bytes: s.size + (typeof meta.bytes === "number" ? meta.bytes : 0),
      mtimeMs: s.mtimeMs,
    };
  } catch {
    return undefined;
  }
}

/** Deletes one clip: its files first, its sidecar last (so a cut leaves a sidecar that the next prune finds). */
export function removeClip(clip: StoredClip): void {
  for (const f of clip.files) rmSync(f, { recursive: true, force: true });
  rmSync(clip.sidecar, { force: true });
}

/** Removes empty directories below `dir` (not `dir` itself, nor dot directories). */
export function removeEmptyDirs(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.startsWith(".")) continue;
    const path = join(dir, e.name);
    removeEmptyDirs(path);
    if (readdirSync(path).length === 0) rmdirSync(path);
  }
}

const DAY_MS = 24 * 3600 * 1000;

export interface ClipIndex {
  /** Re-reads the clips from the disk and applies retention; returns what it removed. */
  prune(): { clips: number; bytes: number };
  /** Deletes the oldest until nothing is past `keepDays` and `room` more bytes fit under `maxMB`. */
  makeRoom(room: number): { clips: number; bytes: number };
  /** Records a clip just written. */
  add(clip: StoredClip): void;
  readonly totalBytes: number;
}

/** The clips of a store and their retention; `now` is the bridge's wall clock, Unix ms. */
export function createClipIndex(o: {
  dir: string;
  keepDays: number;
  maxMB: number;
  now: () => number;
  onRemoved(removed: { clips: number; bytes: number; keptBytes: number }): void;
}): ClipIndex {
  const limit = o.maxMB * 1_000_000;
  let clips: StoredClip[] = [];
  let total = 0;
  const makeRoom = (room: number) => {
    const oldestKeptMs = o.now() - o.keepDays * DAY_MS;
    let removed = 0;
    let bytes = 0;
    while (clips.length && (clips[0].mtimeMs < oldestKeptMs || total + room > limit)) {
      const c = clips.shift() as StoredClip;
      removeClip(c);
      total -= c.bytes;
      removed++;
      bytes += c.bytes;
    }
    if (removed) {
      removeEmptyDirs(o.dir);
      o.onRemoved({ clips: removed, bytes, keptBytes: total });
    }
    return { clips: removed, bytes };
  };
  return {
    prune() {
      clips = listClips(o.dir);
      total = clips.reduce((n, c) => n + c.bytes, 0);
      return makeRoom(0);
    },
    makeRoom,
    add(clip) {
      let i = clips.length;
      while (i > 0 && clips[i - 1].mtimeMs > clip.mtimeMs) i--;
      clips.splice(i, 0, clip);
      total += clip.bytes;
      makeRoom(0);
    },
    get totalBytes() {
      return total;
    },
  };
}
