// SPDX-License-Identifier: MIT
// Opens sealed video streams and publishes their messages on the device's video topic, counting what is in
// flight and what was lost. The open message and the end marker go QoS 1; frames go at the stream's QoS.
import { toHex } from "../bytes.js";
import type { Encapsulation, KeyPair } from "../hpke/dhkem-x25519.js";
import type { Logger } from "../logger.js";
import type { ClockPort, CryptoPort, MqttPort, QoS } from "../ports.js";
import { createStreamSender, type StreamSender } from "./stream-crypto.js";
import { STREAM_ID_BYTES, type StreamMeta } from "./stream-format.js";

export interface VideoPublisherOptions {
  crypto: CryptoPort;
  clock: ClockPort;
  mqtt: MqttPort;
  log: Logger;
  deviceId: string;
  /** The device's video topic (modules/topics.ts). */
  topic: string;
  /** The device's static key pair. Secret. */
  sender: KeyPair;
  /** The owner key in force, or undefined when none is configured (then no stream opens). */
  ownerPublic(): Uint8Array | undefined;
  /** The KEM made ahead when idle (modules/seal-ahead.ts), shared with the event sealer. */
  encapsulate?(owner: Uint8Array): Encapsulation;
  /** The next number of the device's event sequence (modules/sequence.ts): numbers each open. */
  nextSeq(): number;
}

/** One open stream. */
export interface VideoStream {
  /** 16 lowercase hex digits. */
  readonly id: string;
  readonly meta: StreamMeta;
  /** Messages handed to MQTT and not yet acknowledged (PUBACK for QoS 1, written for QoS 0). */
  readonly inFlight: number;
  /** The open message or the session was lost: nothing more of this stream is sent. */
  readonly lost: boolean;
  readonly ended: boolean;
  /** A frame handed to `send` now would be sealed and published (not ended, not lost, a session up). */
  readonly sendable: boolean;
  /** Frames of this stream dropped on the device so far; each frame message carries the running count. */
  dropped: number;
  readonly framesSent: number;
  /** Seals and publishes one frame captured at monotonic `capturedAtMs`; false (counted as dropped) when it cannot. */
  send(jpeg: Uint8Array | undefined, capturedAtMs: number, last: boolean): boolean;
}

export interface VideoPublisher {
  /** Opens a stream and publishes its open message (QoS 1); undefined when there is no owner key or no session. */
  open(meta: StreamMeta, frameQos: QoS, onAck?: () => void): VideoStream | undefined;
}

export function createVideoPublisher(o: VideoPublisherOptions): VideoPublisher {
  const { clock, mqtt, log } = o;
  const wallAt = (monoMs: number) => o.clock.wallMs() - (clock.monotonicMs() - monoMs);

  function stream(sender: StreamSender, id: string, meta: StreamMeta, frameQos: QoS, onAck?: () => void) {
    let inFlight = 0;
    let lost = false;
    let ended = false;
    let framesSent = 0;
    const publish = (bytes: Uint8Array, qos: QoS, what: string) => {
      inFlight++;
      mqtt.publish(o.topic, bytes, { qos, retain: false }, (error) => {
        inFlight--;
        if (error) {
          if (what === "open") lost = true;
          else s.dropped++;
          if (!lost || what === "open") log.warn("video message lost", { stream: id, what, reason: error });
        }
        onAck?.();
      });
    };
    const s: VideoStream = {
      id,
      meta,
      get inFlight() {
        return inFlight;
      },
      get lost() {
        return lost;
      },
      get ended() {
        return ended;
      },
      get sendable() {
        return !ended && !lost && mqtt.connected;
      },
      dropped: 0,
      get framesSent() {
        return framesSent;
      },
      send(jpeg, capturedAtMs, last) {
        if (ended) return false;
        if (lost || !mqtt.connected) {
          // A session drop loses the stream: the owner may have timed it out meanwhile, so a live view opens a
          // new one once the session is back, and a clip's remaining frames are dropped and counted.
          lost = true;
          s.dropped++;
          return false;
        }
        let bytes: Uint8Array;
        try {
          bytes = sender.sealFrame({ jpeg, captureMs: wallAt(capturedAtMs), last, droppedOnDevice: s.dropped });
        } catch (error) {
          s.dropped++;
          log.warn("video frame not sealed", { stream: id, size: jpeg?.length ?? 0, reason: (error as Error).message });
          return false;
        }
        ended = last;
        if (jpeg) framesSent++;
        publish(bytes, last ? 1 : frameQos, last ? "end" : "frame");
        return true;
      },
    };
    publish(sender.openMessage, 1, "open");
    return s;
  }

  return {
    open(meta, frameQos, onAck) {
      const owner = o.ownerPublic();
      if (!owner || !mqtt.connected) return undefined;
      const streamId = o.crypto.randomBytes(STREAM_ID_BYTES);
      const id = toHex(streamId);
      let sender: StreamSender;
      try {
        sender = createStreamSender({
          crypto: o.crypto,
          sender: o.sender,
          recipientPublicKey: owner,
          deviceId: o.deviceId,
          topic: o.topic,
          streamId,
          openSeq: o.nextSeq(),
          meta,
          encapsulate: o.encapsulate && (() => o.encapsulate!(owner)),
        });
      } catch (error) {
        log.error("video stream not opened", { kind: meta.kind, reason: (error as Error).message });
        return undefined;
      }
      log.info("video stream open", { stream: id, kind: meta.kind, trigger: meta.trigger, eventSeq: meta.eventSeq });
      return stream(sender, id, meta, frameQos, onAck);
    },
  };
}
