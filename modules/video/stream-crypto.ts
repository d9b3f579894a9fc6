// SPDX-License-Identifier: MIT
// One HPKE context per video stream (RFC 9180 mode_auth, as events), then one AEAD per frame with the context's
// sequence (RFC 9180 §5.2): message 0 is the open message's tag, frame i is sequence i + 1. No X25519 per frame.
import { utf8 } from "../bytes.js";
import { envelopeAad, senderKeyId } from "../envelope/binding.js";
import { AEAD_TAG_BYTES, chacha20Poly1305Aead } from "../hpke/aead.js";
import { computeNonce } from "../hpke/context.js";
import { decap, type Encapsulation, type KeyPair, wipe } from "../hpke/dhkem-x25519.js";
import { keySchedule, MODE_AUTH } from "../hpke/key-schedule.js";
import { setupSender } from "../hpke/setup.js";
import type { CryptoPort } from "../ports.js";
import {
  type FrameMessage,
  FRAME_HEADER_BYTES,
  MAX_VIDEO_MESSAGE_BYTES,
  type OpenMessage,
  type StreamMeta,
  writeFrameBound,
  writeOpenBound,
} from "./stream-format.js";

const EMPTY = new Uint8Array(0);

/** HPKE info of a video stream: "doorbell/1 video " and the device id, so no event context can open a frame. */
export function streamInfo(deviceId: string): Uint8Array {
  return utf8(`doorbell/1 video ${deviceId}`);
}

export interface StreamSenderOptions {
  crypto: CryptoPort;
  /** The device's static key pair (the mode_auth sender). Secret. */
  sender: KeyPair;
  /** The owner's X25519 public key. */
  recipientPublicKey: Uint8Array;
  deviceId: string;
  /** The topic the stream is published on; bound into every message's AAD. */
  topic: string;
  /** 8 random bytes. */
  streamId: Uint8Array;
  /** From the device's event sequence: strictly increasing, so the owner refuses a replayed open. */
  openSeq: number;
  meta: StreamMeta;
  /** The KEM step made ahead (modules/seal-ahead.ts), as for events; otherwise made now (3 X25519). */
  encapsulate?: () => Encapsulation;
}

export interface StreamSender {
  /** The open message: publish it before the first frame. */
  readonly openMessage: Uint8Array;
  /** The index the next frame gets. */
  readonly nextIndex: number;
  /**
   * Seals one frame (a JPEG starting FF D8), or a bare end marker (no JPEG, `last` set). One AEAD, no X25519.
   * Throws a RangeError when the message would exceed MAX_VIDEO_MESSAGE_BYTES or after the last frame.
   */
  sealFrame(f: { jpeg?: Uint8Array; captureMs: number; last: boolean; droppedOnDevice: number }): Uint8Array;
}

/** Sets up the stream's sender context (RFC 9180 §5.1.3 SetupAuthS) and seals its open message at sequence 0. */
export function createStreamSender(o: StreamSenderOptions): StreamSender {
  const { crypto, deviceId, topic, streamId } = o;
  const aead = chacha20Poly1305Aead(crypto);
  const { enc, context } = setupSender({
    crypto,
    aead,
    recipientPublicKey: o.recipientPublicKey,
    info: streamInfo(deviceId),
    sender: o.sender,
    encapsulate: o.encapsulate,
  });
  const bound = writeOpenBound({
    streamId,
    openSeq: o.openSeq,
    senderKeyId: senderKeyId(crypto, o.sender.publicKey),
    ...o.meta,
  });
  const openMessage = new Uint8Array(bound.length + enc.length + AEAD_TAG_BYTES);
  openMessage.set(bound);
  openMessage.set(enc, bound.length);
  openMessage.set(context.seal(envelopeAad(bound, topic, deviceId), EMPTY), bound.length + enc.length);
  let ended = false;
  return {
    openMessage,
    get nextIndex() {
      return context.seq - 1;
    },
    sealFrame(f) {
      if (ended) throw new RangeError("video: the stream has ended; open a new one");
      const jpeg = f.jpeg ?? EMPTY;
      if (!f.last && jpeg.length === 0) throw new RangeError("video: only the last message may carry no JPEG");
      if (jpeg.length > 0 && (jpeg.length < 2 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8))
        throw new TypeError(`video: frame (${jpeg.length} bytes) does not start with FF D8`);
      const size = FRAME_HEADER_BYTES + jpeg.length + AEAD_TAG_BYTES;
      if (size > MAX_VIDEO_MESSAGE_BYTES)
        throw new RangeError(`video: a ${size}-byte frame message would exceed ${MAX_VIDEO_MESSAGE_BYTES}`);
      const head = writeFrameBound({ streamId, index: context.seq - 1, ...f });
      const out = new Uint8Array(size);
      out.set(head);
      out.set(context.seal(envelopeAad(head, topic, deviceId), jpeg), head.length);
      ended = f.last;
      return out;
    },
  };
}

export interface StreamOpenerKeys {
  /**
   * RFC 9180 §5.2 Open at sequence `frame.index + 1`, with the topic the frame arrived on bound into the AAD:
   * the JPEG (empty for an end marker), or undefined.
   */
  openFrame(frame: FrameMessage, topic: string): Uint8Array | undefined;
}

/**
 * The owner's side of an open message: SetupAuthR (two X25519) and the open tag at sequence 0. Returns undefined
 * when the message does not authenticate (wrong sender, device, topic, or any altered byte). Throws only on the
 * caller's own malformed keys.
 */
export function acceptStreamOpen(o: {
  crypto: CryptoPort;
  recipient: KeyPair;
  senderPublicKey: Uint8Array;
  deviceId: string;
  topic: string;
  message: OpenMessage;
}): StreamOpenerKeys | undefined {
  const { crypto, deviceId, topic, message } = o;
  const aead = chacha20Poly1305Aead(crypto);
  let shared: Uint8Array;
  try {
    shared = decap(crypto, message.enc, o.recipient, o.senderPublicKey);
  } catch {
    return undefined; // RFC 9180 §7.1.4: a low-order enc gives no shared secret
  }
  const schedule = keySchedule(crypto, aead, MODE_AUTH, shared, streamInfo(deviceId));
  wipe(shared);
  const aad = (bound: Uint8Array, on: string) => envelopeAad(bound, on, deviceId);
  const openTag = aead.open(schedule.key, computeNonce(schedule.baseNonce, 0), aad(message.bound, topic), message.tag);
  if (!openTag) return undefined;
  return {
    openFrame: (frame, on) =>
      aead.open(
        schedule.key,
        computeNonce(schedule.baseNonce, frame.index + 1),
        aad(frame.bound, on),
        frame.ciphertext,
      ),
  };
}
