// SPDX-License-Identifier: MIT
// What the update receiver keeps in the key-value store so that a transfer resumes after a power cut at the
// last chunk verified: the accepted manifest, and after each chunk written the next index, the next chain
// hash and the image's SHA-256 state. Each is one key, and the port writes a key atomically.
import { fromUtf8, readUintBE, utf8, writeUintBE } from "../bytes.js";
import type { KeyValuePort } from "../ports.js";
import { SHA256_STATE_BYTES } from "./sha256.js";
import { CHAIN_HASH_BYTES, parseManifest, type UpdateManifest } from "./update-format.js";

export const MANIFEST_KEY = "upd.manifest";
export const PROGRESS_KEY = "upd.progress";
/** The two slots of the last accepted manifest's seq (modules/durable-number.ts). */
export const UPDATE_SEQ_SLOT_KEYS = Object.freeze(["upd.seq.a", "upd.seq.b"] as const);
const PROGRESS_BYTES = 4 + CHAIN_HASH_BYTES + SHA256_STATE_BYTES;

export interface UpdateProgress {
  /** The next chunk wanted. */
  next: number;
  /** Its chain hash, from the chunk before (or the manifest). */
  expect: Uint8Array;
  /** SHA-256 state over the image bytes written so far; undefined at chunk 0. */
  sha?: Uint8Array;
}

export interface StoredUpdate {
  seq: number;
  manifest: UpdateManifest;
}

export function saveManifest(kv: KeyValuePort, stored: StoredUpdate): void {
  kv.set(MANIFEST_KEY, utf8(JSON.stringify(stored)));
}

/** The manifest in progress, or undefined (none, or unreadable: then the transfer starts over when resent). */
export function loadManifest(kv: KeyValuePort): StoredUpdate | undefined {
  const bytes = kv.get(MANIFEST_KEY);
  if (!bytes) return undefined;
  try {
    const raw = JSON.parse(fromUtf8(bytes)) as { seq?: unknown; manifest?: unknown };
    const parsed = parseManifest(raw.manifest);
    if (!parsed.ok || typeof raw.seq !== "number" || !Number.isSafeInteger(raw.seq)) return undefined;
    return { seq: raw.seq, manifest: parsed.manifest };
  } catch {
    return undefined;
  }
}

export function saveProgress(kv: KeyValuePort, p: UpdateProgress): void {
  const out = new Uint8Array(PROGRESS_BYTES);
  out.set(writeUintBE(p.next, 4), 0);
  out.set(p.expect, 4);
  if (p.sha) out.set(p.sha, 4 + CHAIN_HASH_BYTES);
  kv.set(PROGRESS_KEY, out);
}

export function loadProgress(kv: KeyValuePort): UpdateProgress | undefined {
  const bytes = kv.get(PROGRESS_KEY);
  if (!bytes || bytes.length !== PROGRESS_BYTES) return undefined;
  const next = readUintBE(bytes, 0, 4);
  const sha = bytes.slice(4 + CHAIN_HASH_BYTES);
  return { next, expect: bytes.slice(4, 4 + CHAIN_HASH_BYTES), sha: next === 0 ? undefined : sha };
}

/** Forgets the update in progress (done, refused or abandoned). */
export function clearUpdate(kv: KeyValuePort): void {
  kv.delete(PROGRESS_KEY);
  kv.delete(MANIFEST_KEY);
}
