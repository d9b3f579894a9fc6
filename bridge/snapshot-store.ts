// SPDX-License-Identifier: MIT
// Opened snapshots on the owner's disk, with retention by age (days) and total size (MB), oldest first.
// Pictures are appended to pack files (snapshot-pack.ts), `<dir>/_packs/<YYYY-MM-DD>/<HHMMSS.mmm>.pack`, one
// pack at a time for every device, a new one each PACK_SPAN_MS or past its size bound: one write per picture
// instead of a new file. Each picture carries the bridge's receive time, never the device's clock
// (unauthenticated before SNTP). Pictures an earlier version stored one per file,
// `<dir>/<device>/<YYYY-MM-DD>/<HHMMSS.mmm>-<type>-<event id>.jpg` dated by mtime, are still served and pruned.
// Retention removes whole files, oldest first (a pack is as old as its first picture): on a timer, and before
// each save, so the total never exceeds `maxMB`. Files are mode 0600 and directories 0700: these are the only
// plaintext pictures. Each picture saved (or re-issued with `newest`) gets a fresh 128-bit random token, Home
// Assistant's link to it (video-http.ts /pictures/<token>.jpg). Tokens are kept in memory only, keyed by their
// SHA-256 so the lookup's timing says nothing about a guessed token, and compared in constant time; a picture
// retention removes loses them.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  rmdirSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { join, relative, sep } from "node:path";
import type { Logger } from "../modules/logger.js";
import type { BridgeTimers } from "./ha-sync.js";
import { encodePackRecord, readPackFile } from "./snapshot-pack.js";

/** How often retention runs by itself (files age even when nothing new arrives). */
export const PRUNE_EVERY_MS = 10 * 60_000;
/** A pack takes pictures for this long after its first: retention may remove a picture this much early. */
export const PACK_SPAN_MS = 60_000;
/** A pack takes no more pictures past this size, nor past a sixteenth of `maxMB`: retention's granularity. */
export const PACK_MAX_BYTES = 2 ** 20;
/** The packs' directory under the store's: not a device id (those start with a letter or digit). */
export const PACKS_DIR = "_packs";

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
  /** The file that holds the picture: its pack (or, stored by an earlier version, its own .jpg). */
  path: string;
  bytes: number;
  /** 32 hex digits: the picture's capability for its link (video-http.ts). */
  token: string;
}

/** A picture token: 128 random bits as 32 lowercase hex digits. */
export const PICTURE_TOKEN = /^[0-9a-f]{32}$/;

export interface SnapshotStore {
  /**
   * Makes room, then appends one picture with its receive time `receivedAtMs` (the bridge's clock). Throws,
   * writing nothing, for a picture larger than `maxMB` on its own.
   */
  save(deviceId: string, meta: { type: string; id: string; receivedAtMs: number }, jpeg: Uint8Array): SavedSnapshot;
  /** The newest picture kept for `deviceId`, with a fresh token (after a restart, for Home Assistant's link). */
  newest(deviceId: string): SavedSnapshot | undefined;
  /** The JPEG the picture `token` names, while the picture is kept; undefined for any other string. */
  pictureFor(token: string): Buffer | undefined;
  /** Applies retention now, from what is on disk; returns what it removed. */
  prune(): { files: number; bytes: number };
  /** Bytes of all picture files, as the store counts them. */
  readonly totalBytes: number;
  /** Stops the retention timer and closes the open pack. */
  close(): void;
}

const DAY_MS = 24 * 3600 * 1000;
/** Node's timers, unreferenced: retention alone never keeps a process alive. */
const UNREF_TIMERS: BridgeTimers = {
  set: (callback, delayMs) => setTimeout(callback, delayMs).unref(),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** One picture: the file holding it, where, and its receive time. */
interface Picture {
  device: string;
  file: string;
  offset: number;
  length: number;
  atMs: number;
}

/** One file on disk: a pack, or an earlier version's .jpg; `mtimeMs` is its first picture's receive time. */
interface Stored {
  path: string;
  size: number;
  mtimeMs: number;
  pictures: Picture[];
}

/** Every picture file under `dir`; packs already read (`packs`, by path) are read again only when their size changed. */
function listStored(root: string, dir: string, packs: ReadonlyMap<string, Stored>, out: Stored[] = []): Stored[] {
  let entries: import("node:fs").Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) listStored(root, path, packs, out);
    else if (e.name.endsWith(".jpg")) {
      const s = statSync(path);
      const device = relative(root, path).split(sep)[0];
      out.push({
        path,
        size: s.size,
        mtimeMs: s.mtimeMs,
        pictures: [{ device, file: path, offset: 0, length: s.size, atMs: s.mtimeMs }],
      });
    } else if (e.name.endsWith(".pack")) {
      const size = statSync(path).size;
      const known = packs.get(path);
      if (known && known.size === size) out.push(known);
      else out.push(packFromDisk(path, size));
    }
  }
  return out;
}

function packFromDisk(path: string, size: number): Stored {
  const fd = openSync(path, "r");
  let packed: ReturnType<typeof readPackFile>;
  try {
    packed = readPackFile(fd, size);
  } finally {
    closeSync(fd);
  }
  const pictures = packed.map((p) => ({
    device: p.device,
    file: path,
    offset: p.offset,
    length: p.length,
    atMs: p.atMs,
  }));
  const mtimeMs = pictures.length ? pictures[0].atMs : statSync(path).mtimeMs;
  return { path, size, mtimeMs, pictures };
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

/** The bytes of one picture, or undefined when its file is gone. */
function readPicture(p: Picture): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(p.file, "r");
    const out = Buffer.alloc(p.length);
    return readSync(fd, out, 0, p.length, p.offset) === p.length ? out : undefined;
  } catch {
    return undefined; // removed between the lookup and the read
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Picture tokens: SHA-256(token) -> the token and its picture. */
function createTokenBook() {
  const book = new Map<string, { token: Buffer; picture: Picture }>();
  const digest = (token: string) => createHash("sha256").update(token).digest("hex");
  return {
    issue(picture: Picture): string {
      const token = randomBytes(16).toString("hex");
      book.set(digest(token), { token: Buffer.from(token), picture });
      return token;
    },
    /** Forgets the tokens of pictures no longer kept. */
    keepOnly(files: readonly { path: string }[]): void {
      if (!book.size) return;
      const kept = new Set(files.map((f) => f.path));
      for (const [k, v] of book) if (!kept.has(v.picture.file)) book.delete(k);
    },
    pictureFor(token: string): Picture | undefined {
      if (!PICTURE_TOKEN.test(token)) return undefined;
      const found = book.get(digest(token));
      const given = Buffer.from(token);
      return found && found.token.length === given.length && timingSafeEqual(found.token, given)
        ? found.picture
        : undefined;
    },
  };
}

/** Each device's newest picture; a device whose newest retention removed is looked up again when asked. */
function createNewestIndex() {
  let newestOf = new Map<string, Picture>();
  const stale = new Set<string>();
  const offer = (p: Picture) => {
    if (!(p.atMs < (newestOf.get(p.device)?.atMs ?? Number.NEGATIVE_INFINITY))) newestOf.set(p.device, p);
  };
  return {
    rebuild(files: readonly Stored[]) {
      newestOf = new Map();
      stale.clear();
      for (const f of files) for (const p of f.pictures) offer(p);
    },
    saved(p: Picture) {
      newestOf.set(p.device, p);
      stale.delete(p.device);
    },
    removed(f: Stored) {
      for (const p of f.pictures) if (newestOf.get(p.device) === p) newestOf.delete(p.device), stale.add(p.device);
    },
    of(deviceId: string, files: readonly Stored[]): Picture | undefined {
      if (stale.delete(deviceId))
        for (const f of files) for (const p of f.pictures) if (p.device === deviceId) offer(p);
      return newestOf.get(deviceId);
    },
  };
}

/**
 * The pack pictures are appended to: the open one while a record of `bytes` received at `atMs` fits its span and
 * size, else a new one (`created`) under `<dir>/_packs/<day>/`, never a file that exists (`taken`).
 */
function createPackWriter(dir: string, packBytes: number) {
  let open: { stored: Stored; fd: number } | undefined;
  const close = () => {
    if (open) closeSync(open.fd);
    open = undefined;
  };
  return {
    get stored() {
      return open?.stored;
    },
    close,
    packFor(
      atMs: number,
      bytes: number,
      taken: (path: string) => boolean,
    ): { stored: Stored; fd: number; created: boolean } {
      const s = open?.stored;
      if (open && s && atMs >= s.mtimeMs && atMs < s.mtimeMs + PACK_SPAN_MS && s.size + bytes <= packBytes)
        return { ...open, created: false };
      close();
      const iso = new Date(atMs).toISOString(); // 2026-10-01T08:00:00.000Z
      const day = join(dir, PACKS_DIR, iso.slice(0, 10));
      mkdirSync(day, { recursive: true, mode: 0o700 });
      const name = iso.slice(11, 23).replace(/:/g, "");
      let path = join(day, `${name}.pack`);
      for (let n = 1; taken(path); n++) path = join(day, `${name}-${n}.pack`);
      open = { stored: { path, size: 0, mtimeMs: atMs, pictures: [] }, fd: openSync(path, "wx", 0o600) };
      return { ...open, created: true };
    },
    /** Appends `record`; on an error the pack is closed (a record cut short ends what it can be read for). */
    append(record: Buffer): void {
      const { fd, stored } = open!;
      try {
        for (let at = 0; at < record.length; ) at += writeSync(fd, record, at);
      } catch (error) {
        stored.size = fstatSync(fd).size;
        close();
        throw error;
      }
      stored.size += record.length;
    },
  };
}

/** A new pack joins `files` in receive-time order (almost always last: receive times rise). */
function insertByTime(files: Stored[], stored: Stored): void {
  files.push(stored);
  for (let i = files.length - 1; i > 0 && files[i - 1].mtimeMs > stored.mtimeMs; i--)
    [files[i - 1], files[i]] = [files[i], files[i - 1]];
}

/** Runs `prune` every `everyMs` until stopped; a failure is logged and retried at the next period. */
function startRetention(timers: BridgeTimers, everyMs: number, prune: () => void, log: Logger) {
  let timer: unknown;
  const schedule = () => {
    timer = timers.set(() => {
      try {
        prune();
      } catch (error) {
        log.error("snapshot retention failed; retrying at the next period", { reason: (error as Error).message });
      }
      schedule();
    }, everyMs);
  };
  schedule();
  return { stop: () => timers.clear(timer) };
}

export function createSnapshotStore(o: SnapshotStoreOptions): SnapshotStore {
  const now = o.now ?? Date.now;
  const timers = o.timers ?? UNREF_TIMERS;
  const limit = o.maxMB * 1_000_000;
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  /** Every picture file, oldest first; rebuilt from the disk by each timed prune. */
  let files: Stored[] = [];
  /** The packs in `files`, by path: a timed prune reads again only those whose size changed. */
  let packs = new Map<string, Stored>();
  const total = () => files.reduce((n, f) => n + f.size, 0);
  let bytes = 0;
  const writer = createPackWriter(o.dir, Math.max(1, Math.min(PACK_MAX_BYTES, Math.floor(limit / 16))));
  const newest = createNewestIndex();
  const tokens = createTokenBook();
  const forget = () => tokens.keepOnly(files);

  /** Deletes the oldest until nothing is past `keepDays` and `room` more bytes fit under the limit. */
  function removeOldest(room: number): { files: number; bytes: number } {
    const oldestKeptMs = now() - o.keepDays * DAY_MS;
    let removed = 0;
    let removedBytes = 0;
    while (files.length && (files[0].mtimeMs < oldestKeptMs || bytes + room > limit)) {
      const f = files.shift()!;
      if (writer.stored === f) writer.close();
      rmSync(f.path, { force: true });
      packs.delete(f.path);
      newest.removed(f);
      bytes -= f.size;
      removed++;
      removedBytes += f.size;
    }
    if (removed) {
      forget();
      removeEmptyDirs(o.dir);
      o.log.info("snapshots pruned", { files: removed, bytes: removedBytes, keptBytes: bytes });
    }
    return { files: removed, bytes: removedBytes };
  }

  function prune(): { files: number; bytes: number } {
    files = listStored(o.dir, o.dir, packs).sort((a, b) => a.mtimeMs - b.mtimeMs);
    packs = new Map(files.filter((f) => f.path.endsWith(".pack")).map((f) => [f.path, f]));
    if (writer.stored && packs.get(writer.stored.path) !== writer.stored) writer.close(); // removed or changed by hand
    bytes = total();
    newest.rebuild(files);
    forget(); // pictures removed by hand lose their tokens too
    return removeOldest(0);
  }

  prune();
  const timer = startRetention(timers, o.pruneEveryMs ?? PRUNE_EVERY_MS, prune, o.log);

  const issue = (p: Picture): SavedSnapshot => ({ path: p.file, bytes: p.length, token: tokens.issue(p) });
  return {
    save(deviceId, meta, jpeg) {
      const atMs = meta.receivedAtMs;
      const { record, jpegOffset } = encodePackRecord({ device: deviceId, type: meta.type, id: meta.id, atMs }, jpeg);
      if (jpeg.length > limit || record.length > limit)
        throw new RangeError(
          `snapshot of ${jpeg.length} bytes is larger than snapshots.maxMB (${o.maxMB} MB) on its own; not kept`,
        );
      removeOldest(record.length);
      const { stored, created } = writer.packFor(atMs, record.length, (path) => packs.has(path) || existsSync(path));
      if (created) insertByTime(files, stored), packs.set(stored.path, stored);
      const offset = stored.size + jpegOffset;
      const before = stored.size;
      try {
        writer.append(record);
      } finally {
        bytes += stored.size - before;
      }
      const picture: Picture = { device: deviceId, file: stored.path, offset, length: jpeg.length, atMs };
      stored.pictures.push(picture);
      newest.saved(picture);
      return issue(picture);
    },
    newest(deviceId) {
      const p = newest.of(deviceId, files);
      return p ? issue(p) : undefined;
    },
    pictureFor(token) {
      const p = tokens.pictureFor(token);
      return p ? readPicture(p) : undefined;
    },
    prune,
    get totalBytes() {
      return bytes;
    },
    close() {
      timer.stop();
      writer.close();
    },
  };
}
