// SPDX-License-Identifier: MIT
// The picture store's pack files (snapshot-store.ts): pictures appended one after another to one open file,
// so a picture costs one write instead of a new file (docs/scaling.md, issue 17). A record is a 12-byte header
// (magic "DBP1", then big-endian u32 lengths of its JSON metadata and of its JPEG), the metadata
// ({device, type, id, at: the bridge's receive time, Unix ms}) and the JPEG bytes. A record cut short by a crash
// can only be a pack's last, and is skipped when the pack is read; a pack is never appended to after a restart.
import { readSync } from "node:fs";

/** "DBP1": the first four bytes of every record. */
export const PACK_RECORD_MAGIC = 0x44425031;
const HEADER_BYTES = 12;

export interface PackedPicture {
  device: string;
  type: string;
  id: string;
  /** The bridge's receive time, Unix ms. */
  atMs: number;
  /** Where the JPEG starts in the pack, and its length. */
  offset: number;
  length: number;
}

/** One record for `jpeg`; `jpegOffset` is where the JPEG starts within it. */
export function encodePackRecord(
  meta: { device: string; type: string; id: string; atMs: number },
  jpeg: Uint8Array,
): { record: Buffer; jpegOffset: number } {
  const json = Buffer.from(JSON.stringify({ device: meta.device, type: meta.type, id: meta.id, at: meta.atMs }));
  const record = Buffer.allocUnsafe(HEADER_BYTES + json.length + jpeg.length);
  record.writeUInt32BE(PACK_RECORD_MAGIC, 0);
  record.writeUInt32BE(json.length, 4);
  record.writeUInt32BE(jpeg.length, 8);
  json.copy(record, HEADER_BYTES);
  record.set(jpeg, HEADER_BYTES + json.length);
  return { record, jpegOffset: HEADER_BYTES + json.length };
}

/** The pictures of a pack's bytes, in order; stops at the first record that is cut short or damaged. */
export function readPack(bytes: Uint8Array): PackedPicture[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return indexPack(view.length, (at, length) => view.subarray(at, at + length));
}

/**
 * The pictures of the pack file `fd` of `size` bytes, reading only each record's header and metadata (a restart
 * indexes the packs without reading their pictures).
 */
export function readPackFile(fd: number, size: number): PackedPicture[] {
  return indexPack(size, (at, length) => {
    const out = Buffer.allocUnsafe(length);
    return out.subarray(0, readSync(fd, out, 0, length, at));
  });
}

/** Walks the records of a pack of `size` bytes through `read(at, length)`, which may return fewer bytes. */
function indexPack(size: number, read: (at: number, length: number) => Buffer): PackedPicture[] {
  const out: PackedPicture[] = [];
  let at = 0;
  while (at + HEADER_BYTES <= size) {
    const header = read(at, HEADER_BYTES);
    if (header.length < HEADER_BYTES || header.readUInt32BE(0) !== PACK_RECORD_MAGIC) break;
    const jsonBytes = header.readUInt32BE(4);
    const length = header.readUInt32BE(8);
    const offset = at + HEADER_BYTES + jsonBytes;
    if (offset + length > size) break;
    const meta = parseMeta(read(at + HEADER_BYTES, jsonBytes), jsonBytes);
    if (!meta) break;
    out.push({ ...meta, offset, length });
    at = offset + length;
  }
  return out;
}

function parseMeta(bytes: Buffer, expected: number): Omit<PackedPicture, "offset" | "length"> | undefined {
  if (bytes.length !== expected) return undefined;
  let meta: { device?: unknown; type?: unknown; id?: unknown; at?: unknown };
  try {
    meta = JSON.parse(bytes.toString("utf8"));
  } catch {
    return undefined;
  }
  const { device, type, id, at } = meta;
  if (typeof device !== "string" || typeof type !== "string" || typeof id !== "string") return undefined;
  return typeof at === "number" && Number.isFinite(at) ? { device, type, id, atMs: at } : undefined;
}
