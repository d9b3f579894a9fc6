// SPDX-License-Identifier: MIT
// The sealed video stream's byte layout, version 1 (docs/protocol.md, "Sealed video streams"): one open message
// (the HPKE enc and the stream's metadata), then frame messages. Writes them, and reads them with the structural
// checks before any crypto; never throws on received bytes.
import { concat, readUintBE } from "../bytes.js";
import { MAX_ENVELOPE_BYTES } from "../envelope/layout.js";
import { AEAD_TAG_BYTES } from "../hpke/aead.js";
import { KEM_ENC_BYTES } from "../hpke/dhkem-x25519.js";
import { i2osp } from "../hpke/i2osp.js";

export const VIDEO_VERSION = 0x01;
export const TYPE_OPEN = 0x01;
export const TYPE_FRAME = 0x02;
/** Largest video message, as for envelopes: one VGA JPEG with headroom (docs/protocol.md, "Maximum size"). */
export const MAX_VIDEO_MESSAGE_BYTES = MAX_ENVELOPE_BYTES;
export const STREAM_ID_BYTES = 8;
/** The frame index is a u32: a stream ends before 2^32 - 2 frames (a live view of 300 s at 30 fps is 9,000). */
export const MAX_FRAME_INDEX = 0xffff_fffe;
/** Frame flag bit 0: the stream's last message. The other bits are reserved and must be 0. */
export const FLAG_LAST = 0x01;

/** Byte offsets of the open message: [0, OPEN.enc) is bound into the AAD; the tag seals an empty plaintext. */
export const OPEN = Object.freeze({
  type: 0,
  version: 1,
  streamId: 2,
  openSeq: 10,
  senderKeyId: 18,
  kind: 26,
  trigger: 27,
  eventSeq: 28,
  triggerMs: 36,
  startMs: 44,
  enc: 52,
  tag: 84,
});
export const OPEN_BYTES = OPEN.tag + AEAD_TAG_BYTES;

/** Byte offsets of a frame message: [0, FRAME.ciphertext) is bound into the AAD. */
export const FRAME = Object.freeze({
  type: 0,
  version: 1,
  streamId: 2,
  index: 10,
  captureMs: 14,
  flags: 22,
  dropped: 23,
  ciphertext: 27,
});
export const FRAME_HEADER_BYTES = FRAME.ciphertext;

export type StreamKind = "live" | "clip";
export type StreamTrigger = "ring" | "motion";
const KINDS: readonly StreamKind[] = ["live", "clip"];
const TRIGGERS: readonly (StreamTrigger | undefined)[] = [undefined, "ring", "motion"];

/** What a stream's open message says about it, all of it authenticated once the open tag verifies. */
export interface StreamMeta {
  kind: StreamKind;
  trigger?: StreamTrigger;
  /** The sealed event (ring or motion start) a clip belongs to. */
  eventSeq?: number;
  /** A clip's trigger instant, Unix ms on the device's clock. */
  triggerMs?: number;
  /** When the stream opened, Unix ms on the device's clock. */
  startMs: number;
}

export interface OpenMessage extends StreamMeta {
  type: "open";
  streamId: Uint8Array;
  /** A number from the device's event sequence, strictly increasing per device: refuses a replayed open. */
  openSeq: number;
  senderKeyId: Uint8Array;
  enc: Uint8Array;
  /** Bytes [0, OPEN.enc), as bound into the AAD. */
  bound: Uint8Array;
  tag: Uint8Array;
}

export interface FrameMessage {
  type: "frame";
  streamId: Uint8Array;
  index: number;
  captureMs: number;
  last: boolean;
  /** Frames of this stream the device dropped so far (docs/firmware.md, "Video memory budget"). */
  droppedOnDevice: number;
  /** Bytes [0, FRAME.ciphertext), as bound into the AAD. */
  bound: Uint8Array;
  /** The JPEG (empty for a bare end marker) and the 16-byte tag. */
  ciphertext: Uint8Array;
}

/** Why a video message was refused before any crypto. */
export type VideoFormatReason = "truncated" | "too-large" | "bad-version" | "bad-type" | "bad-field";

export type ReadVideoResult =
  | { ok: true; message: OpenMessage | FrameMessage }
  | { ok: false; reason: VideoFormatReason };

const u64 = (v: number) => i2osp(v, 8);

/** Bytes [0, OPEN.enc) of an open message. Throws a RangeError naming the field on a bad value. */
export function writeOpenBound(f: { streamId: Uint8Array; openSeq: number; senderKeyId: Uint8Array } & StreamMeta) {
  if (f.streamId.length !== STREAM_ID_BYTES) throw new RangeError(`video: streamId must be ${STREAM_ID_BYTES} bytes`);
  for (const [name, v] of [
    ["openSeq", f.openSeq],
    ["eventSeq", f.eventSeq ?? 0],
    ["triggerMs", f.triggerMs ?? 0],
    ["startMs", f.startMs],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`video: ${name} must be a non-negative safe integer`);
  }
  return concat(
    Uint8Array.of(TYPE_OPEN, VIDEO_VERSION),
    f.streamId,
    u64(f.openSeq),
    f.senderKeyId,
    Uint8Array.of(KINDS.indexOf(f.kind) + 1, TRIGGERS.indexOf(f.trigger)),
    u64(f.eventSeq ?? 0),
    u64(f.triggerMs ?? 0),
    u64(f.startMs),
  );
}

/** Bytes [0, FRAME.ciphertext) of a frame message. Throws a RangeError naming the field on a bad value. */
export function writeFrameBound(f: {
  streamId: Uint8Array;
  index: number;
  captureMs: number;
  last: boolean;
  droppedOnDevice: number;
}): Uint8Array {
  if (!Number.isInteger(f.index) || f.index < 0 || f.index > MAX_FRAME_INDEX)
    throw new RangeError(`video: frame index ${f.index} outside 0..${MAX_FRAME_INDEX}`);
  if (!Number.isSafeInteger(f.captureMs) || f.captureMs < 0) throw new RangeError("video: captureMs must be Unix ms");
  return concat(
    Uint8Array.of(TYPE_FRAME, VIDEO_VERSION),
    f.streamId,
    i2osp(f.index, 4),
    u64(f.captureMs),
    Uint8Array.of(f.last ? FLAG_LAST : 0),
    i2osp(Math.min(f.droppedOnDevice, 0xffff_ffff), 4),
  );
}

function readOpen(bytes: Uint8Array): ReadVideoResult {
  if (bytes.length < OPEN_BYTES) return { ok: false, reason: "truncated" };
  if (bytes.length > OPEN_BYTES) return { ok: false, reason: "bad-field" };
  const kind = KINDS[bytes[OPEN.kind] - 1];
  const triggerCode = bytes[OPEN.trigger];
  const openSeq = readUintBE(bytes, OPEN.openSeq, 8);
  const eventSeq = readUintBE(bytes, OPEN.eventSeq, 8);
  const triggerMs = readUintBE(bytes, OPEN.triggerMs, 8);
  const startMs = readUintBE(bytes, OPEN.startMs, 8);
  const numbers = [openSeq, eventSeq, triggerMs, startMs].every(Number.isSafeInteger);
  // A clip names its trigger; a live view has none.
  if (!kind || triggerCode >= TRIGGERS.length || (kind === "clip") !== (triggerCode !== 0) || !numbers)
    return { ok: false, reason: "bad-field" };
  const trigger = TRIGGERS[triggerCode];
  const message: OpenMessage = {
    type: "open",
    streamId: bytes.subarray(OPEN.streamId, OPEN.streamId + STREAM_ID_BYTES),
    openSeq,
    senderKeyId: bytes.subarray(OPEN.senderKeyId, OPEN.kind),
    kind,
    startMs,
    enc: bytes.subarray(OPEN.enc, OPEN.enc + KEM_ENC_BYTES),
    bound: bytes.subarray(0, OPEN.enc),
    tag: bytes.subarray(OPEN.tag),
  };
  if (trigger) Object.assign(message, { trigger, eventSeq, triggerMs });
  return { ok: true, message };
}

function readFrame(bytes: Uint8Array): ReadVideoResult {
  if (bytes.length < FRAME_HEADER_BYTES + AEAD_TAG_BYTES) return { ok: false, reason: "truncated" };
  const flags = bytes[FRAME.flags];
  const index = readUintBE(bytes, FRAME.index, 4);
  const captureMs = readUintBE(bytes, FRAME.captureMs, 8);
  if ((flags & ~FLAG_LAST) !== 0 || index > MAX_FRAME_INDEX || !Number.isSafeInteger(captureMs))
    return { ok: false, reason: "bad-field" };
  return {
    ok: true,
    message: {
      type: "frame",
      streamId: bytes.subarray(FRAME.streamId, FRAME.streamId + STREAM_ID_BYTES),
      index,
      captureMs,
      last: (flags & FLAG_LAST) !== 0,
      droppedOnDevice: readUintBE(bytes, FRAME.dropped, 4),
      bound: bytes.subarray(0, FRAME.ciphertext),
      ciphertext: bytes.subarray(FRAME.ciphertext),
    },
  };
}

/** Reads a video message's clear fields, checking size, version, type and field ranges. Views share `bytes`. */
export function readVideoMessage(bytes: Uint8Array): ReadVideoResult {
  if (bytes.length < 2) return { ok: false, reason: "truncated" };
  if (bytes.length > MAX_VIDEO_MESSAGE_BYTES) return { ok: false, reason: "too-large" };
  if (bytes[OPEN.version] !== VIDEO_VERSION) return { ok: false, reason: "bad-version" };
  if (bytes[OPEN.type] === TYPE_OPEN) return readOpen(bytes);
  if (bytes[OPEN.type] === TYPE_FRAME) return readFrame(bytes);
  return { ok: false, reason: "bad-type" };
}
