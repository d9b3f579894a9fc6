// SPDX-License-Identifier: MIT
// The append-only log port (the outbox) over littlefs through Moddable's legacy `file` module.
// One file per record, `<dir>/<id>.rec` = "DBL2" | bytes. The power-fail scheme is littlefs's own: a record is
// written to `<id>.tmp`, closed (littlefs commits on close) and renamed (atomic in littlefs), so after a power cut
// a record is whole or absent; stray .tmp files are deleted on the next scan. No checksum here: the outbox
// record carries the one integrity check (modules/outbox-record.ts, computed natively). Records of the previous
// format, "DBL1" | length u32 BE | CRC-32 u32 BE | bytes, are still read (their CRC is not recomputed: that
// was a JavaScript loop over every byte). Limit: every record takes at least one 4 KB block, so the 896 KiB
// `storage` partition holds at most 218 records or 872 KiB.
import { Directory, File, Iterator } from "file";
import type { AppendLogPort, KeyValuePort, LogPort, LogRecord, StoreCapacity } from "../../modules/ports.js";
import { LITTLEFS_BLOCK_BYTES, OUTBOX_USABLE_BYTES } from "./flash-layout.js";
import { describeError } from "./guard.js";

const TAG = "outbox";
const MAGIC = Object.freeze([0x44, 0x42, 0x4c, 0x32]); // "DBL2"
const LEGACY_MAGIC = Object.freeze([0x44, 0x42, 0x4c, 0x31]); // "DBL1", with a length and a CRC-32 after it
const HEADER_BYTES = 4;
const LEGACY_HEADER_BYTES = 12;
const ID_DIGITS = 10;
/** The `storage` partition: the bytes its blocks leave for records, and one record per block at most. */
const STORAGE_CAPACITY: StoreCapacity = Object.freeze({
  bytes: OUTBOX_USABLE_BYTES,
  records: Math.floor(OUTBOX_USABLE_BYTES / LITTLEFS_BLOCK_BYTES),
});
/** NVS key holding the first id not yet handed out; rewritten once per RESERVE_BLOCK appends. */
const NEXT_ID_KEY = "log.next";

export interface AppendLogOptions {
  /** Absolute littlefs directory. Default "/outbox". */
  dir?: string;
  /** Host-private key-value store that persists the id reservation, so ids are never reused. */
  reservations: KeyValuePort;
  /** Ids reserved per NVS write. Default 64. */
  reserveBlock?: number;
  /** What the partition holds, for the config's check. Default: the `storage` partition of flash-layout.ts. */
  capacity?: StoreCapacity;
  log: LogPort;
}

function encodeId(id: number): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, Math.floor(id / 2 ** 32));
  view.setUint32(4, id >>> 0);
  return out;
}

function decodeId(bytes: Uint8Array | undefined): number {
  if (bytes?.length !== 8) return 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  return view.getUint32(0) * 2 ** 32 + view.getUint32(4);
}

/** `bytes` as an ArrayBuffer holding exactly those bytes (the `file` module takes no views). */
function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer)
    return bytes.buffer;
  return bytes.slice().buffer;
}

const hasMagic = (header: Uint8Array, magic: readonly number[]) => magic.every((b, i) => header[i] === b);

/** Reads one record file; returns its bytes, or a reason it is not a record this log wrote. */
function readRecord(path: string): Uint8Array | string {
  const file = new File(path);
  try {
    const length = file.length;
    if (length < HEADER_BYTES) return `${length} bytes is shorter than the header`;
    const header = new Uint8Array(file.read(ArrayBuffer, HEADER_BYTES));
    let size = length - HEADER_BYTES;
    if (hasMagic(header, LEGACY_MAGIC)) {
      if (length < LEGACY_HEADER_BYTES) return `${length} bytes is shorter than the DBL1 header`;
      const view = new DataView(file.read(ArrayBuffer, LEGACY_HEADER_BYTES - HEADER_BYTES));
      size = length - LEGACY_HEADER_BYTES;
      if (view.getUint32(0) !== size) return `length ${length} does not match the DBL1 header's ${view.getUint32(0)}`;
    } else if (!hasMagic(header, MAGIC)) {
      return "bad magic";
    }
    return size ? new Uint8Array(file.read(ArrayBuffer, size)) : new Uint8Array(0);
  } finally {
    file.close();
  }
}

/** Lists the `.rec` ids in `dir`, lowest first, and deletes stray `.tmp` files (appends cut short by a reset). */
function scan(dir: string, log: LogPort): number[] {
  const ids: number[] = [];
  const strays: string[] = [];
  const listing = new Iterator(dir);
  for (let entry = listing.next(); entry !== undefined; entry = listing.next()) {
    if (entry.length === undefined) continue; // a directory
    const dot = entry.name.lastIndexOf(".");
    const id = Number(entry.name.slice(0, dot));
    const ext = entry.name.slice(dot + 1);
    if (ext === "tmp") strays.push(entry.name);
    else if (ext === "rec" && Number.isSafeInteger(id) && id > 0) ids.push(id);
  }
  for (const name of strays) {
    File.delete(`${dir}/${name}`);
    log.write("warn", TAG, `deleted ${name}, an append cut short by a reset`);
  }
  return ids.sort((a, b) => a - b);
}

/** Every record `read` can read, oldest first; one unreadable now is skipped (and kept on flash). */
function readAll(ids: number[], read: (id: number) => Uint8Array | undefined, log: LogPort): LogRecord[] {
  const out: LogRecord[] = [];
  for (const id of ids) {
    let bytes: Uint8Array | undefined;
    try {
      bytes = read(id);
    } catch (error) {
      // Not proof of a bad record (it may be memory or a busy flash): keep it for a later scan.
      log.write("warn", TAG, `record ${id} unreadable now (${describeError(error)}); kept`);
      continue;
    }
    if (bytes) out.push({ id, bytes });
  }
  return out;
}

/**
 * Creates the log. The directory is scanned lazily, on the first call, so creating the port touches
 * no flash. Errors (no space, no `storage` partition) are thrown with the record size and the fix.
 * Note: if littlefs cannot mount the partition, the SDK formats it, which empties the outbox.
 */
export function createLittlefsLog(options: AppendLogOptions): AppendLogPort {
  const dir = options.dir ?? "/outbox";
  const { reservations, log } = options;
  const reserveBlock = options.reserveBlock ?? 64;
  let nextId = 0; // 0 = not scanned yet
  let reservedUntil = 0;

  const pathOf = (id: number, ext: "rec" | "tmp") => `${dir}/${String(id).padStart(ID_DIGITS, "0")}.${ext}`;

  const ready = () => {
    if (nextId) return;
    Directory.create(dir);
    const ids = scan(dir, log);
    nextId = Math.max(decodeId(reservations.get(NEXT_ID_KEY)), (ids[ids.length - 1] ?? 0) + 1);
    reservedUntil = nextId;
  };

  const allocate = (): number => {
    if (nextId >= reservedUntil) {
      reservedUntil = nextId + reserveBlock;
      reservations.set(NEXT_ID_KEY, encodeId(reservedUntil));
    }
    return nextId++;
  };

  const ids = (): number[] => {
    ready();
    return scan(dir, log);
  };

  const read = (id: number): Uint8Array | undefined => {
    ready();
    if (!Number.isSafeInteger(id) || id < 1) return undefined;
    const path = pathOf(id, "rec");
    if (!File.exists(path)) return undefined;
    const result = readRecord(path); // throws when unreadable now: the record is kept for a later read
    if (typeof result !== "string") return result;
    File.delete(path);
    log.write("warn", TAG, `record ${id} removed: ${result}`);
    return undefined;
  };

  return {
    capacity: options.capacity ?? STORAGE_CAPACITY,
    ids,
    read,
    append(bytes) {
      ready();
      const id = allocate();
      const tmp = pathOf(id, "tmp");
      try {
        const file = new File(tmp, true);
        try {
          file.write(Uint8Array.from(MAGIC).buffer, exactBuffer(bytes));
        } finally {
          file.close();
        }
        if (!File.rename(tmp, pathOf(id, "rec"))) throw new Error("rename failed");
      } catch (error) {
        try {
          File.delete(tmp);
        } catch {
          // the next scan deletes it
        }
        throw new Error(
          `outbox: could not store a ${bytes.length}-byte record (${describeError(error)}); ` +
            "remove records or enlarge the storage partition",
        );
      }
      return id;
    },
    records: () => readAll(ids(), read, log),
    remove(id) {
      ready();
      File.delete(pathOf(id, "rec"));
    },
  };
}
