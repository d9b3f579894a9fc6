// SPDX-License-Identifier: MIT
// The firmware update's format (docs/ota.md): a manifest sealed and signed by the owner for one device, and
// the image's chunks, the same for every device. Each chunk carries the hash of the next one, and the signed
// manifest the hash of the first, so every chunk is authenticated on its own, in order, before it is written.
import { ascii, concat, fromHex, readUintBE, toHex } from "../bytes.js";
import { i2osp } from "../hpke/i2osp.js";
import { parseFirmwareVersion } from "./firmware-version.js";
import { sha256 } from "./sha256.js";

/** Chunk message version (byte 0). */
export const UPDATE_CHUNK_VERSION = 0x01;
/** The chunk message's clear header: version (1), update id (8), chunk index (u32 BE). */
export const CHUNK_HEADER_BYTES = 13;
export const UPDATE_ID_BYTES = 8;
export const CHAIN_HASH_BYTES = 32;
/** Image bytes per chunk: a multiple of 64 (whole SHA-256 blocks, so the hash state saves between chunks). */
export const MIN_CHUNK_BYTES = 1024;
export const MAX_CHUNK_BYTES = 32 * 1024;
export const DEFAULT_CHUNK_BYTES = 4096;
/** The largest image any manifest may announce; the device also checks its own slot size. */
export const MAX_IMAGE_BYTES = 16 * 1024 * 1024;
const CHAIN_LABEL = ascii("doorbell/1 update chunk");

/** The owner's manifest, as sealed inside the envelope's JSON header. */
export interface UpdateManifest {
  v: 1;
  kind: "firmware";
  /** "major.minor.patch" of the new firmware. */
  version: string;
  /** Image bytes. */
  size: number;
  /** SHA-256 of the whole image, 64 lowercase hex digits; checked before the slot is activated. */
  sha256: string;
  chunkBytes: number;
  chunks: number;
  /** The chain hash of chunk 0 (hex): the manifest's hold on every chunk. */
  firstChunk: string;
  /** The owner's explicit permission to install a version not newer than the running one. */
  allowDowngrade: boolean;
  /** When the owner packed it, Unix ms (for logs). */
  atMs: number;
}

/** The update id: the first 8 bytes of chunk 0's chain hash, as 16 hex digits. */
export function updateIdOf(manifest: Pick<UpdateManifest, "firstChunk">): string {
  return manifest.firstChunk.slice(0, UPDATE_ID_BYTES * 2);
}

/** Chain hash of chunk `index`: SHA-256 over the label, the index (u32 BE) and the payload (data || next hash). */
export function chunkHash(index: number, payload: Uint8Array): Uint8Array {
  return sha256(concat(CHAIN_LABEL, i2osp(index, 4), payload));
}

/** Image bytes in chunk `index` of `manifest`. */
export function chunkDataBytes(manifest: Pick<UpdateManifest, "size" | "chunkBytes">, index: number): number {
  return Math.min(manifest.chunkBytes, manifest.size - index * manifest.chunkBytes);
}

export interface ChunkMessage {
  updateId: string;
  index: number;
  /** Image bytes followed by the next chunk's chain hash (zeros after the last chunk); a view. */
  payload: Uint8Array;
}

/** Writes a chunk message: version, update id, index, payload. */
export function encodeChunk(updateId: string, index: number, payload: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(UPDATE_CHUNK_VERSION), fromHex(updateId), i2osp(index, 4), payload);
}

/** Reads a chunk message's clear header; nothing in it is trusted until its chain hash matches. Never throws. */
export function decodeChunk(bytes: Uint8Array): { ok: true; chunk: ChunkMessage } | { ok: false; reason: string } {
  if (bytes.length < CHUNK_HEADER_BYTES + CHAIN_HASH_BYTES + 1) return { ok: false, reason: "truncated chunk" };
  if (bytes[0] !== UPDATE_CHUNK_VERSION) return { ok: false, reason: `chunk version ${bytes[0]} is not 1` };
  if (bytes.length > CHUNK_HEADER_BYTES + MAX_CHUNK_BYTES + CHAIN_HASH_BYTES)
    return { ok: false, reason: "oversized chunk" };
  return {
    ok: true,
    chunk: {
      updateId: toHex(bytes.subarray(1, 1 + UPDATE_ID_BYTES)),
      index: readUintBE(bytes, 1 + UPDATE_ID_BYTES, 4),
      payload: bytes.subarray(CHUNK_HEADER_BYTES),
    },
  };
}

const HEX64 = Object.freeze(/^[0-9a-f]{64}$/);
const FIELDS = Object.freeze([
  "v",
  "kind",
  "version",
  "size",
  "sha256",
  "chunkBytes",
  "chunks",
  "firstChunk",
  "allowDowngrade",
  "atMs",
]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const isCount = (v: unknown, max: number): v is number =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= 1 && v <= max;

/** Validates an opened manifest. Never throws; the error names the field and what is accepted. */
export function parseManifest(raw: unknown): { ok: true; manifest: UpdateManifest } | { ok: false; error: string } {
  if (!isObject(raw)) return { ok: false, error: "manifest: expected a JSON object" };
  const extra = Object.keys(raw).filter((k) => !FIELDS.includes(k));
  if (extra.length) return { ok: false, error: `manifest: unknown field ${extra[0].slice(0, 40)}` };
  if (raw.v !== 1) return { ok: false, error: "manifest v: expected 1" };
  if (raw.kind !== "firmware") return { ok: false, error: 'manifest kind: expected "firmware"' };
  if (typeof raw.version !== "string" || !parseFirmwareVersion(raw.version))
    return { ok: false, error: "manifest version: expected major.minor.patch" };
  if (!isCount(raw.size, MAX_IMAGE_BYTES))
    return { ok: false, error: `manifest size: expected 1..${MAX_IMAGE_BYTES} bytes` };
  if (typeof raw.sha256 !== "string" || !HEX64.test(raw.sha256))
    return { ok: false, error: "manifest sha256: expected 64 lowercase hex digits" };
  const cb = raw.chunkBytes;
  if (!isCount(cb, MAX_CHUNK_BYTES) || cb < MIN_CHUNK_BYTES || cb % 64 !== 0)
    return {
      ok: false,
      error: `manifest chunkBytes: expected a multiple of 64 in ${MIN_CHUNK_BYTES}..${MAX_CHUNK_BYTES}`,
    };
  if (raw.chunks !== Math.ceil(raw.size / cb))
    return { ok: false, error: "manifest chunks: does not match size / chunkBytes" };
  if (typeof raw.firstChunk !== "string" || !HEX64.test(raw.firstChunk))
    return { ok: false, error: "manifest firstChunk: expected 64 lowercase hex digits" };
  if (typeof raw.allowDowngrade !== "boolean")
    return { ok: false, error: "manifest allowDowngrade: expected a boolean" };
  if (typeof raw.atMs !== "number" || !Number.isSafeInteger(raw.atMs) || raw.atMs < 0)
    return { ok: false, error: "manifest atMs: expected Unix ms" };
  return { ok: true, manifest: raw as unknown as UpdateManifest };
}
