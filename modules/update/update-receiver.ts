// SPDX-License-Identifier: MIT
// The device's side of an owner update (docs/ota.md): opens the owner's signed, sealed manifest, asks the
// bridge for one chunk at a time, checks each against the hash chain before writing it to the inactive slot,
// keeps its place across power cuts, and activates the slot only when the whole image's SHA-256 matches.
// Every refusal is logged with its reason and reported on the progress topic; the running firmware goes on.
import { fromHex, readUintBE, toHex, utf8 } from "../bytes.js";
import { COMMAND_SIGNATURE_BYTES, verifyCommandSignature } from "../command-signature.js";
import type { DeviceKey } from "../device-key.js";
import { createDurableNumber } from "../durable-number.js";
import { ENVELOPE_VERSION, OFFSET, readEnvelopeHeader } from "../envelope/layout.js";
import { openEnvelope } from "../envelope/open-envelope.js";
import type { OwnerKeysInForce } from "../command-handler.js";
import type { Logger } from "../logger.js";
import type { CryptoPort, FirmwareSlotsPort, KeyValuePort, TimerHandle, TimerPort } from "../ports.js";
import type { DeviceTopics } from "../topics.js";
import { compareFirmwareVersions } from "./firmware-version.js";
import { createSha256 } from "./sha256.js";
import {
  CHAIN_HASH_BYTES,
  chunkDataBytes,
  chunkHash,
  decodeChunk,
  type ChunkMessage,
  parseManifest,
  type UpdateManifest,
  updateIdOf,
} from "./update-format.js";
import {
  clearUpdate,
  loadManifest,
  loadProgress,
  saveManifest,
  saveProgress,
  type StoredUpdate,
  UPDATE_SEQ_SLOT_KEYS,
  type UpdateProgress,
} from "./update-progress.js";
import { UPDATE_REFUSAL_TEXT, type UpdateRefusal } from "./update-reasons.js";

export interface UpdateReceiverOptions {
  crypto: CryptoPort;
  kv: KeyValuePort;
  timers: TimerPort;
  log: Logger;
  /** The host's two application slots; without them every update is refused. */
  slots: FirmwareSlotsPort | undefined;
  deviceKey: DeviceKey;
  ownerKeys(): OwnerKeysInForce;
  deviceId: string;
  topics: Pick<DeviceTopics, "update" | "updateProgress">;
  /** The running firmware's version. */
  runningVersion: string;
  /** Publishes a progress message (QoS 0; lost ones are asked again after `retryMs`). */
  publish(topic: string, payload: Uint8Array): void;
  /** True while the MQTT session is up. */
  connected(): boolean;
  /** Restarts into the activated slot. */
  restart(reason: string): void;
  /** A chunk asked for and not received within this is asked again (default 10 s). */
  retryMs?: number;
  /** Delay between activating the slot and restarting, so the log and progress get out (default 1 s). */
  restartDelayMs?: number;
}

export interface UpdateStats {
  accepted: number;
  refused: number;
  chunksWritten: number;
  /** The last refusal's code, for status and tests. */
  lastRefusal?: UpdateRefusal;
}

export interface UpdateReceiver {
  /** A message on the update (manifest) topic. */
  manifest(bytes: Uint8Array): void;
  /** A message on the chunk topic. */
  chunk(bytes: Uint8Array): void;
  /** Call on every (re)connect: an update in progress resumes at its next chunk. */
  connected(): void;
  /** The update in progress: id, next chunk and count; undefined when none. */
  readonly inProgress: { id: string; next: number; chunks: number; version: string } | undefined;
  readonly stats: UpdateStats;
  close(): void;
}

type Refuse = (code: UpdateRefusal, fields?: Record<string, string | number>, id?: string) => void;

/** Authenticates a manifest: signature, envelope, then its fields. Returns the opened manifest or refuses. */
function openManifest(
  o: UpdateReceiverOptions,
  bytes: Uint8Array,
  lastSeq: number | undefined,
  refuse: Refuse,
): { seq: number; manifest: UpdateManifest } | undefined {
  const keys = o.ownerKeys();
  const size = bytes.length;
  const bare = bytes.length >= OFFSET.seq && bytes[0] === ENVELOPE_VERSION && readUintBE(bytes, 1, 4) === bytes.length;
  if (bare || bytes.length <= COMMAND_SIGNATURE_BYTES) return void refuse("unsigned", { size });
  const header = readEnvelopeHeader(bytes.subarray(0, bytes.length - COMMAND_SIGNATURE_BYTES));
  if (!header.ok) return void refuse("bad-envelope", { size, why: header.reason });
  if (!keys.publicHex || !keys.signingPublicHex) return void refuse("bad-signature", { size });
  const signed = verifyCommandSignature(o.crypto, fromHex(keys.signingPublicHex), o.deviceId, o.topics.update, bytes);
  if (!signed.ok) return void refuse("bad-signature", { size });
  const r = openEnvelope({
    crypto: o.crypto,
    recipientPrivateKey: o.deviceKey.secret,
    recipientPublicKey: o.deviceKey.publicKey,
    senderPublicKey: fromHex(keys.publicHex),
    deviceId: o.deviceId,
    topic: o.topics.update,
    lastAcceptedSeq: lastSeq,
    bytes: signed.envelope,
  });
  if (!r.ok) {
    const code: UpdateRefusal =
      r.reason === "wrong-topic"
        ? "other-device"
        : r.reason === "wrong-sender" || r.reason === "replayed" || r.reason === "auth-failed"
          ? r.reason
          : "bad-envelope";
    return void refuse(code, { size, why: r.reason });
  }
  const parsed = parseManifest(r.header);
  if (!parsed.ok) return void refuse("bad-manifest", { seq: r.seq, why: parsed.error });
  return { seq: r.seq, manifest: parsed.manifest };
}

/** Checks a chunk message against the update in progress: its id, turn, length and chain hash. Writes nothing. */
function checkChunk(
  m: UpdateManifest,
  progress: UpdateProgress,
  bytes: Uint8Array,
):
  | { chunk: ChunkMessage; dataBytes: number }
  | { code: UpdateRefusal; fields: Record<string, string | number> }
  | "out-of-turn" {
  const decoded = decodeChunk(bytes);
  if (!decoded.ok) return { code: "bad-chunk", fields: { why: decoded.reason, size: bytes.length } };
  const { chunk } = decoded;
  if (chunk.updateId !== updateIdOf(m)) return { code: "wrong-update", fields: { got: chunk.updateId } };
  if (chunk.index !== progress.next) return "out-of-turn";
  const dataBytes = chunkDataBytes(m, chunk.index);
  if (chunk.payload.length !== dataBytes + CHAIN_HASH_BYTES)
    return { code: "bad-chunk", fields: { index: chunk.index, why: "wrong length", size: chunk.payload.length } };
  const got = chunkHash(chunk.index, chunk.payload);
  if (got.some((v, i) => v !== progress.expect[i])) return { code: "chunk-hash", fields: { index: chunk.index } };
  return { chunk, dataBytes };
}

/** The receiver's mutable state, shared by the steps below. */
interface Session {
  o: UpdateReceiverOptions;
  stats: UpdateStats;
  current: StoredUpdate | undefined;
  progress: UpdateProgress | undefined;
  retry: TimerHandle | undefined;
  closed: boolean;
  report(body: Record<string, string | number>): void;
  refuse: Refuse;
}

function stopRetry(s: Session): void {
  if (s.retry) s.o.timers.clear(s.retry);
  s.retry = undefined;
}

function abandon(s: Session): void {
  stopRetry(s);
  s.o.slots?.abort();
  clearUpdate(s.o.kv);
  s.current = undefined;
  s.progress = undefined;
}

/** Asks the bridge for the next chunk, and again every `retryMs` until it comes. */
function askNext(s: Session): void {
  stopRetry(s);
  if (s.closed || !s.current || !s.progress) return;
  const m = s.current.manifest;
  s.report({ state: "want", id: updateIdOf(m), next: s.progress.next, chunks: m.chunks });
  s.retry = s.o.timers.set(() => askNext(s), s.o.retryMs ?? 10_000);
}

/** Checks an authenticated manifest against this device (slot size, version) and starts the transfer. */
function start(s: Session, seq: number, manifest: UpdateManifest): void {
  const { o } = s;
  if (s.current) {
    o.log.info("a newer update replaces the one in progress", { id: updateIdOf(s.current.manifest) });
    abandon(s);
  }
  const slots = o.slots;
  if (!slots) return s.refuse("no-slots");
  if (manifest.size > slots.slotBytes)
    return s.refuse("oversized", { size: manifest.size, slotBytes: slots.slotBytes });
  if (compareFirmwareVersions(manifest.version, o.runningVersion) <= 0 && !manifest.allowDowngrade)
    return s.refuse("downgrade", { version: manifest.version, running: o.runningVersion });
  try {
    slots.begin(manifest.size, false);
  } catch (error) {
    return s.refuse("flash-error", { why: error instanceof Error ? error.message.slice(0, 80) : "unknown" });
  }
  s.current = { seq, manifest };
  s.progress = { next: 0, expect: fromHex(manifest.firstChunk) };
  saveManifest(o.kv, s.current);
  saveProgress(o.kv, s.progress);
  s.stats.accepted++;
  o.log.info("update accepted", {
    id: updateIdOf(manifest),
    version: manifest.version,
    size: manifest.size,
    chunks: manifest.chunks,
    downgrade: manifest.allowDowngrade,
  });
  askNext(s);
}

/** After the last chunk: activates the slot only when the image's SHA-256 is the manifest's, then restarts. */
function finish(s: Session, m: UpdateManifest, hash: Uint8Array): void {
  const id = updateIdOf(m);
  if (toHex(hash) !== m.sha256) {
    abandon(s);
    return s.refuse("wrong-hash", { id, size: m.size }, id);
  }
  stopRetry(s);
  s.o.slots?.activate();
  clearUpdate(s.o.kv);
  s.current = undefined;
  s.progress = undefined;
  s.o.log.info("update verified; the new slot boots next", { id, version: m.version, sha256: m.sha256.slice(0, 16) });
  s.report({ state: "installed", id, version: m.version });
  s.o.timers.set(() => s.o.restart(`update to ${m.version}`), s.o.restartDelayMs ?? 1000);
}

/** One chunk: checked, then written, then the place and the hash state saved, then the next one asked. */
function onChunk(s: Session, bytes: Uint8Array): void {
  const { o, current, progress } = s;
  if (!current || !progress) return void o.log.debug("chunk with no update in progress", { size: bytes.length });
  const m = current.manifest;
  const id = updateIdOf(m);
  const checked = checkChunk(m, progress, bytes);
  if (checked === "out-of-turn") return void o.log.debug("chunk out of turn ignored", { id, next: progress.next });
  if ("code" in checked) return s.refuse(checked.code, { id, ...checked.fields }, id);
  const { chunk, dataBytes } = checked;
  const data = chunk.payload.subarray(0, dataBytes);
  try {
    o.slots?.write(chunk.index * m.chunkBytes, data);
  } catch (error) {
    abandon(s);
    return s.refuse("flash-error", { id, why: error instanceof Error ? error.message.slice(0, 80) : "unknown" }, id);
  }
  const hasher = createSha256(progress.sha);
  hasher.update(data);
  s.stats.chunksWritten++;
  const next = chunk.index + 1;
  if (next === m.chunks) return finish(s, m, hasher.digest());
  s.progress = { next, expect: chunk.payload.slice(dataBytes), sha: hasher.save() };
  saveProgress(o.kv, s.progress);
  askNext(s);
}

export function createUpdateReceiver(o: UpdateReceiverOptions): UpdateReceiver {
  const { log, kv } = o;
  const stats: UpdateStats = { accepted: 0, refused: 0, chunksWritten: 0 };
  const lastSeq = createDurableNumber({ kv, keys: UPDATE_SEQ_SLOT_KEYS, valueBytes: 8 });
  const report = (body: Record<string, string | number>) => {
    if (o.connected()) o.publish(o.topics.updateProgress, utf8(JSON.stringify(body)));
  };
  const refuse: Refuse = (code, fields = {}, id) => {
    stats.refused++;
    stats.lastRefusal = code;
    log.warn(`update refused: ${code}: ${UPDATE_REFUSAL_TEXT[code]}`, fields);
    report({ state: "refused", reason: code, ...(id ? { id } : {}) });
  };
  const current = loadManifest(kv);
  const progress = current && loadProgress(kv);
  const s: Session = {
    o,
    stats,
    current: progress && current,
    progress,
    retry: undefined,
    closed: false,
    report,
    refuse,
  };
  if (s.current && s.progress) {
    o.slots?.begin(s.current.manifest.size, true);
    log.info("update resumes after a restart", {
      id: updateIdOf(s.current.manifest),
      version: s.current.manifest.version,
      next: s.progress.next,
      chunks: s.current.manifest.chunks,
    });
  }
  return {
    manifest(bytes) {
      if (s.closed) return;
      const last = lastSeq.read();
      const clearSeq = bytes.length > OFFSET.senderKeyId ? readUintBE(bytes, OFFSET.seq, 8) : -1;
      // The retained manifest comes back on every connect: the one in progress resumes, a handled one is quiet.
      if (last !== undefined && clearSeq === last) {
        if (s.current && s.current.seq === last) askNext(s);
        else log.debug("update manifest already handled", { seq: last });
        return;
      }
      const opened = openManifest(o, bytes, last, refuse);
      if (!opened) return;
      lastSeq.write(opened.seq); // persisted first: a manifest that restarts the device is not acted on twice
      start(s, opened.seq, opened.manifest);
    },
    chunk(bytes) {
      if (!s.closed) onChunk(s, bytes);
    },
    connected() {
      if (s.current && s.progress) askNext(s);
    },
    get inProgress() {
      const { current: c, progress: p } = s;
      return c && p
        ? { id: updateIdOf(c.manifest), next: p.next, chunks: c.manifest.chunks, version: c.manifest.version }
        : undefined;
    },
    get stats() {
      return stats;
    },
    close() {
      s.closed = true;
      stopRetry(s);
    },
  };
}
