// SPDX-License-Identifier: MIT
// The append-only log port (the outbox) over littlefs through Moddable's legacy `file` module.
// One file per record, `<dir>/<id>.rec` = "DBL1" | length u32 BE | CRC-32 u32 BE | bytes. A record is
// written to `<id>.tmp`, closed (littlefs commits on close) and renamed (atomic in littlefs), so after
// a power cut a record is either whole or absent; stray .tmp files and records failing their CRC are
// deleted on the next scan. Limits: every record takes at least one 4 KB block, so the 1 MB `storage`
// partition holds about 240 records or 900 KB; `records()` reads every record into RAM at once.
import { Directory, File, Iterator } from "file";
import type { AppendLogPort, KeyValuePort, LogPort, LogRecord } from "../../modules/ports.js";
import { crc32 } from "./crc32.js";
import { describeError } from "./guard.js";

const TAG = "outbox";
const MAGIC = [0x44, 0x42, 0x4c, 0x31]; // "DBL1"
const HEADER_BYTES = 12;
const ID_DIGITS = 10;
/** NVS key holding the first id not yet handed out; rewritten once per RESERVE_BLOCK appends. */
const NEXT_ID_KEY = "log.next";

export interface AppendLogOptions {
  /** Absolute littlefs directory. Default "/outbox". */
  dir?: string;
  /** Host-private key-value store that persists the id reservation, so ids are never reused. */
  reservations: KeyValuePort;
  /** Ids reserved per NVS write. Default 64. */
  reserveBlock?: number;
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

function frameHeader(bytes: Uint8Array): ArrayBuffer {
  const header = new Uint8Array(HEADER_BYTES);
  header.set(MAGIC, 0);
  const view = new DataView(header.buffer);
  view.setUint32(4, bytes.length);
  view.setUint32(8, crc32(bytes));
  return header.buffer;
}

/** Reads and checks one record file; returns its bytes, or a reason it is not a whole record. */
function readRecord(path: string): Uint8Array | string {
  const file = new File(path);
  try {
    const length = file.length;
    if (length < HEADER_BYTES) return `${length} bytes is shorter than the header`;
    const header = new Uint8Array(file.read(ArrayBuffer, HEADER_BYTES));
    if (MAGIC.some((b, i) => header[i] !== b)) return "bad magic";
    const view = new DataView(header.buffer);
    const size = view.getUint32(4);
    if (length !== HEADER_BYTES + size) return `length ${length} does not match the header's ${size}`;
    const bytes = size ? new Uint8Array(file.read(ArrayBuffer, size)) : new Uint8Array(0);
    if (crc32(bytes) !== view.getUint32(8)) return "CRC mismatch";
    return bytes;
  } finally {
    file.close();
  }
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

  /** Lists `.rec` ids and deletes stray `.tmp` files. */
  const scan = (): number[] => {
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
  };

  const ready = () => {
    if (nextId) return;
    Directory.create(dir);
    const ids = scan();
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

  return {
    append(bytes) {
      ready();
      const id = allocate();
      const tmp = pathOf(id, "tmp");
      try {
        const file = new File(tmp, true);
        try {
          file.write(frameHeader(bytes), exactBuffer(bytes));
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
    records() {
      ready();
      const out: LogRecord[] = [];
      for (const id of scan()) {
        const path = pathOf(id, "rec");
        let result: Uint8Array | string;
        try {
          result = readRecord(path);
        } catch (error) {
          // Not proof of a bad record (it may be memory or a busy flash): keep it for a later scan.
          log.write("warn", TAG, `record ${id} unreadable now (${describeError(error)}); kept`);
          continue;
        }
        if (typeof result === "string") {
          File.delete(path);
          log.write("warn", TAG, `record ${id} removed: ${result}`);
        } else {
          out.push({ id, bytes: result });
        }
      }
      return out;
    },
    remove(id) {
      ready();
      File.delete(pathOf(id, "rec"));
    },
  };
}
