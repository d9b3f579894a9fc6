// SPDX-License-Identifier: MIT
// Storage on Node: key-value entries and the append-only log as files under one directory.
// Each write goes to a temporary file that is fsynced and renamed, so a crash leaves the old or the new value.
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import type { AppendLogPort, KeyValuePort, StoragePort } from "../../modules/ports.js";

/** Writes `data` to a temporary file (mode 0600), fsyncs it and renames it over `path`: the old or the new, never half. */
export function writeDurably(path: string, data: Uint8Array | string): void {
  const temp = `${path}.tmp`;
  const fd = openSync(temp, "w", 0o600);
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

const KEY_PATTERN = /^[A-Za-z0-9._-]{1,15}$/;

export function createFileKv(dir: string): KeyValuePort {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = (key: string) => {
    if (!KEY_PATTERN.test(key))
      throw new RangeError(`kv key ${JSON.stringify(key)}: use 1-15 of A-Z a-z 0-9 . _ - (the NVS limit)`);
    return join(dir, key);
  };
  return {
    get(key) {
      try {
        return new Uint8Array(readFileSync(path(key)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
    },
    set: (key, value) => writeDurably(path(key), value),
    delete: (key) => rmSync(path(key), { force: true }),
  };
}

/**
 * The log: one file per record, named by its 12-digit id, and `next`, the first id not handed out yet, so an
 * id is never reused even when the newest record was removed before a restart (ports.ts, LogRecord.id).
 */
export function createFileLog(dir: string): AppendLogPort {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ids = () =>
    readdirSync(dir)
      .filter((n) => /^\d{12}$/.test(n))
      .map(Number)
      .sort((a, b) => a - b);
  const nextPath = join(dir, "next");
  const stored = Number(existsSync(nextPath) ? readFileSync(nextPath, "utf8") : 0);
  let nextId = Math.max(Number.isSafeInteger(stored) ? stored : 0, (ids().pop() ?? 0) + 1);
  const file = (id: number) => join(dir, String(id).padStart(12, "0"));
  return {
    append(bytes) {
      const id = nextId++;
      writeDurably(file(id), bytes);
      writeDurably(nextPath, String(nextId)); // after the record: a crash in between is caught by the scan above
      return id;
    },
    ids,
    read(id) {
      if (!Number.isSafeInteger(id) || id < 1) return undefined;
      try {
        return new Uint8Array(readFileSync(file(id)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
    },
    records: () => ids().map((id) => ({ id, bytes: new Uint8Array(readFileSync(file(id))) })),
    remove: (id) => rmSync(file(id), { force: true }),
  };
}

/** Storage rooted at `dir` (created with mode 0700): `dir/kv/` and `dir/log/`. */
export function createFileStorage(dir: string): StoragePort {
  return { kv: createFileKv(join(dir, "kv")), log: createFileLog(join(dir, "log")) };
}
