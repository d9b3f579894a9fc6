// SPDX-License-Identifier: MIT
// The owner's side of sealed video (docs/protocol.md, "Sealed video streams"): accepts each device's stream open
// messages (HPKE mode_auth, two X25519 per stream), then opens every frame with one AEAD at its index, and passes
// only authenticated frames, in index order, to the FrameSink. Counts forged, cross-stream, cross-device,
// replayed, reordered and missing frames, and streams cut short (no frame for `idleTimeoutMs`).
import { toHex } from "../../modules/bytes.js";
import { senderKeyId } from "../../modules/envelope/binding.js";
import type { Logger } from "../../modules/logger.js";
import type { CryptoPort } from "../../modules/ports.js";
import { acceptStreamOpen, type StreamOpenerKeys } from "../../modules/video/stream-crypto.js";
import { FRAME, type FrameMessage, type OpenMessage, readVideoMessage } from "../../modules/video/stream-format.js";
import type { BurstLog } from "../burst-log.js";
import type { BridgeTimers } from "../ha-sync.js";
import type { FrameSink } from "./opened-frame.js";
import { STREAM_REFUSAL_TEXT, type StreamRefusal } from "./stream-reasons.js";

/** A stream with no authenticated frame for this long was cut short. */
export const STREAM_IDLE_TIMEOUT_MS = 10_000;
/** Streams open at once per device; a new one ends the oldest (cut short). */
export const MAX_STREAMS_PER_DEVICE = 4;
/** An open message dated more than this before the bridge's clock is stale (a replay after a bridge restart). */
export const MAX_OPEN_AGE_MS = 10 * 60_000;
/** Stream ids remembered per device after they ended, to tell a late or replayed frame from an unknown one. */
const ENDED_REMEMBERED = 64;
/** Device clocks before this are unset (no SNTP yet): the age check is skipped for them. */
const CLOCK_VALID_AFTER_MS = Date.UTC(2024, 0, 1);
/** Frame indexes remembered per stream for replay detection. */
const REPLAY_WINDOW = 1024;

/** The device as the opener needs it: its id and X25519 public key. */
export interface VideoDevice {
  id: string;
  publicKey: Uint8Array;
}

export interface StreamOpenerOptions {
  crypto: CryptoPort;
  /** The owner's X25519 secret. */
  ownerSecret: Uint8Array;
  sink: FrameSink;
  log: Logger;
  /** Logs a flood of refusals once per burst (bridge/burst-log.ts); without it each is logged. */
  burstLog?: BurstLog;
  timers: BridgeTimers;
  /** Wall clock, Unix ms. */
  now(): number;
  idleTimeoutMs?: number;
  /**
   * Where each device's last accepted `openSeq` is kept across restarts (the bridge's device state), so a
   * replayed open is refused after a restart too. `set` must be durable before it returns; when it throws the
   * open is not accepted. Without it the floor is kept in memory only.
   */
  openFloor?: OpenFloor;
}

/** The persisted replay floor of stream opens, per device. */
export interface OpenFloor {
  get(deviceId: string): number | undefined;
  set(deviceId: string, openSeq: number): void;
}

export interface StreamOpenerStats {
  streams: number;
  frames: number;
  /** Refusals by code, over all streams and devices (the per-stream ones are also in each StreamSummary). */
  refused: Record<string, number>;
}

export interface StreamOpener {
  /** A message on `device`'s video topic. Never throws on the received bytes. */
  onMessage(device: VideoDevice, topic: string, bytes: Uint8Array): void;
  readonly stats: StreamOpenerStats;
  /** The streams open now. */
  readonly active: number;
  /** Ends every open stream as cut short. */
  close(): void;
}

interface Stream {
  deviceId: string;
  id: string;
  open: OpenMessage;
  keys: StreamOpenerKeys;
  next: number;
  received: Set<number>;
  frames: number;
  gaps: number;
  refused: Record<string, number>;
  dropped: number;
  timer: unknown;
}

interface DeviceStreams {
  active: Map<string, Stream>;
  ended: string[];
  lastOpenSeq?: number;
}

/** The opener's state, shared by the steps below. */
interface Ctx {
  o: StreamOpenerOptions;
  idleMs: number;
  recipient: { privateKey: Uint8Array; publicKey: Uint8Array };
  stats: StreamOpenerStats;
  devices: Map<string, DeviceStreams>;
  /** Active stream id -> device id, to spot cross-device frames. */
  owners: Map<string, string>;
}

function streamsOf(ctx: Ctx, id: string): DeviceStreams {
  let d = ctx.devices.get(id);
  if (!d) ctx.devices.set(id, (d = { active: new Map(), ended: [], lastOpenSeq: ctx.o.openFloor?.get(id) }));
  return d;
}

function refuse(
  ctx: Ctx,
  deviceId: string,
  reason: StreamRefusal,
  fields: Record<string, string | number>,
  s?: Stream,
) {
  ctx.stats.refused[reason] = (ctx.stats.refused[reason] ?? 0) + 1;
  if (s) s.refused[reason] = (s.refused[reason] ?? 0) + 1;
  const message = `video refused: ${STREAM_REFUSAL_TEXT[reason]}`;
  const all = { device: deviceId, reason, ...fields };
  if (ctx.o.burstLog) ctx.o.burstLog.note(`video/${reason}/${deviceId}`, "warn", message, all);
  else ctx.o.log.warn(message, all);
}

/** Ends a stream once, complete (its last frame came) or cut short, and hands its summary to the sink. */
function end(ctx: Ctx, s: Stream, complete: boolean): void {
  const d = streamsOf(ctx, s.deviceId);
  if (!d.active.delete(s.id)) return;
  ctx.owners.delete(s.id);
  ctx.o.timers.clear(s.timer);
  d.ended.push(s.id);
  if (d.ended.length > ENDED_REMEMBERED) d.ended.shift();
  const fields = { device: s.deviceId, stream: s.id, frames: s.frames, gaps: s.gaps, droppedOnDevice: s.dropped };
  if (complete) ctx.o.log.info("video stream ended", fields);
  else ctx.o.log.warn("video stream cut short: no last frame", fields);
  const { deviceId, id: streamId, frames, gaps, refused, dropped: droppedOnDevice } = s;
  ctx.o.sink.streamEnded({ deviceId, streamId, kind: s.open.kind, frames, complete, gaps, refused, droppedOnDevice });
}

function idle(ctx: Ctx, s: Stream): void {
  ctx.o.timers.clear(s.timer);
  s.timer = ctx.o.timers.set(() => end(ctx, s, false), ctx.idleMs);
}

/** Checks an open message (sender, replay, age, then HPKE) and starts its stream. */
function onOpen(ctx: Ctx, device: VideoDevice, topic: string, m: OpenMessage, size: number): void {
  const d = streamsOf(ctx, device.id);
  const id = toHex(m.streamId);
  const fields = { stream: id, seq: m.openSeq, size };
  if (!sameBytes(m.senderKeyId, senderKeyId(ctx.o.crypto, device.publicKey)))
    return refuse(ctx, device.id, "other-device", fields);
  if (d.active.has(id) || d.ended.includes(id) || (d.lastOpenSeq !== undefined && m.openSeq <= d.lastOpenSeq))
    return refuse(ctx, device.id, "replay", fields);
  if (m.startMs > CLOCK_VALID_AFTER_MS && m.startMs < ctx.o.now() - MAX_OPEN_AGE_MS)
    return refuse(ctx, device.id, "stale", fields);
  const keys = acceptStreamOpen({
    crypto: ctx.o.crypto,
    recipient: ctx.recipient,
    senderPublicKey: device.publicKey,
    deviceId: device.id,
    topic,
    message: m,
  });
  if (!keys) return refuse(ctx, device.id, "forged", fields);
  try {
    ctx.o.openFloor?.set(device.id, m.openSeq);
  } catch (error) {
    // Accepting it unrecorded would let a replay of it through after a restart.
    return ctx.o.log.error("video stream not accepted: its open number could not be stored; check the state dir", {
      device: device.id,
      stream: id,
      reason: (error as Error).message,
    });
  }
  d.lastOpenSeq = m.openSeq;
  if (d.active.size >= MAX_STREAMS_PER_DEVICE) end(ctx, d.active.values().next().value!, false);
  const s: Stream = {
    ...{ deviceId: device.id, id, open: m, keys, next: 0, received: new Set<number>() },
    ...{ frames: 0, gaps: 0, refused: {}, dropped: 0, timer: undefined },
  };
  d.active.set(id, s);
  ctx.owners.set(id, device.id);
  ctx.stats.streams++;
  idle(ctx, s);
  ctx.o.log.info("video stream opened", { device: device.id, stream: id, kind: m.kind, trigger: m.trigger });
}

/** The stream a frame names, or the refusal when there is none to open it under. */
function streamFor(ctx: Ctx, device: VideoDevice, id: string): Stream | StreamRefusal {
  const d = streamsOf(ctx, device.id);
  const s = d.active.get(id);
  if (s) return s;
  const owner = ctx.owners.get(id);
  if (owner !== undefined && owner !== device.id) return "other-device";
  return d.ended.includes(id) ? "after-end" : "unknown-stream";
}

/**
 * Which refusal a frame that failed under the stream it names gets: "other-stream" when, with its stream id put
 * back to another open stream's of this device, it opens there (a frame moved between streams), else "forged".
 */
function forgedOrOther(ctx: Ctx, device: VideoDevice, topic: string, s: Stream, f: FrameMessage): StreamRefusal {
  for (const other of streamsOf(ctx, device.id).active.values()) {
    if (other === s) continue;
    const bound = f.bound.slice();
    bound.set(other.open.streamId, FRAME.streamId);
    if (other.keys.openFrame({ ...f, bound }, topic)) return "other-stream";
  }
  return "forged";
}

/** Opens a frame (one AEAD), checks its index, and passes it on in order. */
function onFrame(ctx: Ctx, device: VideoDevice, topic: string, f: FrameMessage, size: number): void {
  const id = toHex(f.streamId);
  const fields = { stream: id, index: f.index, size };
  const s = streamFor(ctx, device, id);
  if (typeof s === "string") return refuse(ctx, device.id, s, fields);
  const jpeg = s.keys.openFrame(f, topic);
  if (!jpeg) return refuse(ctx, device.id, forgedOrOther(ctx, device, topic, s, f), fields, s);
  if (s.received.has(f.index)) return refuse(ctx, device.id, "replay", fields, s);
  if (f.index < s.next) return refuse(ctx, device.id, "reordered", fields, s);
  if (jpeg.length === 0 && !f.last) return refuse(ctx, device.id, "malformed", fields, s);
  s.received.add(f.index);
  if (s.received.size > REPLAY_WINDOW) s.received.delete(s.received.values().next().value!);
  s.gaps += f.index - s.next;
  s.next = f.index + 1;
  s.dropped = Math.max(s.dropped, f.droppedOnDevice);
  if (jpeg.length > 0) deliver(ctx, s, f, jpeg);
  if (f.last) end(ctx, s, true);
  else idle(ctx, s);
}

function deliver(ctx: Ctx, s: Stream, f: FrameMessage, jpeg: Uint8Array): void {
  s.frames++;
  ctx.stats.frames++;
  const m = s.open;
  ctx.o.sink.frame({
    deviceId: s.deviceId,
    streamId: s.id,
    kind: m.kind,
    ...(m.trigger ? { trigger: m.trigger, eventSeq: m.eventSeq, triggerMs: m.triggerMs } : {}),
    index: f.index,
    captureMs: f.captureMs,
    last: f.last,
    jpeg,
    openedAtMs: ctx.o.now(),
  });
}

export function createStreamOpener(o: StreamOpenerOptions): StreamOpener {
  const ctx: Ctx = {
    o,
    idleMs: o.idleTimeoutMs ?? STREAM_IDLE_TIMEOUT_MS,
    recipient: { privateKey: o.ownerSecret, publicKey: o.crypto.x25519(o.ownerSecret) },
    stats: { streams: 0, frames: 0, refused: {} },
    devices: new Map(),
    owners: new Map(),
  };
  return {
    onMessage(device, topic, bytes) {
      const read = readVideoMessage(bytes);
      if (!read.ok) {
        const reason = read.reason === "too-large" ? "oversized" : "malformed";
        return refuse(ctx, device.id, reason, { format: read.reason, size: bytes.length });
      }
      if (read.message.type === "open") onOpen(ctx, device, topic, read.message, bytes.length);
      else onFrame(ctx, device, topic, read.message, bytes.length);
    },
    stats: ctx.stats,
    get active() {
      let n = 0;
      for (const d of ctx.devices.values()) n += d.active.size;
      return n;
    },
    close() {
      for (const d of ctx.devices.values()) for (const s of [...d.active.values()]) end(ctx, s, false);
    },
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
