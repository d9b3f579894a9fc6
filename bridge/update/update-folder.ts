// SPDX-License-Identifier: MIT
// An update folder as `doorbell update pack` writes it and the bridge publishes it (docs/ota.md):
//   update.json          what it is: version, size, SHA-256, chunk size and count, update id (no secret)
//   chunks.bin           the chunk messages back to back, the same for every device
//   manifests/<id>.bin   the manifest sealed and signed for each device, by device id
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CHAIN_HASH_BYTES, CHUNK_HEADER_BYTES } from "../../modules/update/update-format.js";

export const UPDATE_FOLDER_FORMAT = "doorbell-update/1";

export interface UpdateInfo {
  format: typeof UPDATE_FOLDER_FORMAT;
  version: string;
  size: number;
  sha256: string;
  chunkBytes: number;
  chunks: number;
  updateId: string;
  allowDowngrade: boolean;
  /** Device ids with a manifest in manifests/. */
  devices: string[];
}

export interface UpdateFolder {
  dir: string;
  info: UpdateInfo;
  /** The chunk message `index`, read from chunks.bin. */
  chunk(index: number): Uint8Array;
  /** The sealed manifest for `deviceId`, or undefined when the folder has none for it. */
  manifest(deviceId: string): Uint8Array | undefined;
}

/** Opens an update folder; throws an Error naming the file when it is not one. */
export function openUpdateFolder(dir: string): UpdateFolder {
  const infoPath = join(dir, "update.json");
  const info = JSON.parse(readFileSync(infoPath, "utf8")) as UpdateInfo;
  if (info?.format !== UPDATE_FOLDER_FORMAT) throw new Error(`${infoPath}: format must be "${UPDATE_FOLDER_FORMAT}"`);
  const chunks = readFileSync(join(dir, "chunks.bin"));
  const stride = CHUNK_HEADER_BYTES + info.chunkBytes + CHAIN_HASH_BYTES;
  const expected =
    (info.chunks - 1) * stride +
    CHUNK_HEADER_BYTES +
    (info.size - (info.chunks - 1) * info.chunkBytes) +
    CHAIN_HASH_BYTES;
  if (chunks.length !== expected)
    throw new Error(`${join(dir, "chunks.bin")}: ${chunks.length} bytes, expected ${expected}`);
  return {
    dir,
    info,
    chunk(index) {
      if (!Number.isInteger(index) || index < 0 || index >= info.chunks) throw new RangeError(`no chunk ${index}`);
      return new Uint8Array(chunks.subarray(index * stride, Math.min(chunks.length, (index + 1) * stride)));
    },
    manifest(deviceId) {
      const path = join(dir, "manifests", `${deviceId}.bin`);
      return /^[A-Za-z0-9_-]+$/.test(deviceId) && existsSync(path) ? new Uint8Array(readFileSync(path)) : undefined;
    },
  };
}

/** The update folders directly under `dir` (each with an update.json), sorted by name. */
export function listUpdateFolders(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, "update.json")))
    .map((e) => join(dir, e.name))
    .sort();
}
