// SPDX-License-Identifier: MIT
// Sealed video on the device: every camera frame (at the clip rate) is copied into the bounded clip ring, which
// feeds event clips; live view takes frames straight from the camera. Clips go before live frames, and both come
// after the ring and motion events, which the firmware handles before it hands the frame here.
import type { Config } from "../config.js";
import type { Encapsulation, KeyPair } from "../hpke/dhkem-x25519.js";
import type { Logger } from "../logger.js";
import type { ClockPort, CryptoPort, Frame, MqttPort, TimerPort } from "../ports.js";
import { createClipRecorder, type ClipStats, type RedactFrame } from "./clip-recorder.js";
import { createFrameRing, type FrameRing } from "./frame-ring.js";
import { createLiveView, type LiveView } from "./live-view.js";
import { createVideoPublisher } from "./video-publisher.js";

export interface VideoFlowOptions {
  clock: ClockPort;
  timers: TimerPort;
  crypto: CryptoPort;
  mqtt: MqttPort;
  log: Logger;
  deviceId: string;
  /** The device's video topic (modules/topics.ts). */
  topic: string;
  sender: KeyPair;
  ownerPublic(): Uint8Array | undefined;
  encapsulate?(owner: Uint8Array): Encapsulation;
  nextSeq(): number;
  /** The privacy zones, applied to every frame exactly as to snapshots (modules/privacy/picture-privacy.ts). */
  redact: RedactFrame;
  params: Config["video"];
}

export interface VideoStats extends ClipStats {
  liveFramesSent: number;
  liveFramesDropped: number;
  ringEvicted: number;
  /** Frames the ring refused (larger than the ring). */
  ringRefused: number;
}

export interface VideoFlow {
  /** One camera frame, after the ring and motion handling; keeps nothing of the camera's buffer. */
  frame(frame: Frame): void;
  /** An event was sealed and queued: a ring or a motion start begins a clip. */
  eventSent(event: { type: string; seq: number; atMs: number }): void;
  readonly live: LiveView;
  readonly ring: FrameRing;
  /** Every frame dropped on the device, clip and live: reported in the sealed status (videoFramesDropped). */
  readonly dropped: number;
  readonly stats: VideoStats;
  close(): void;
}

/** Frames the ring may hold: a whole clip at the clip rate, plus one. */
export function ringFrames(p: Config["video"]): number {
  return Math.ceil(((p.clipPreRollMs + p.clipPostMs) * p.clipFps) / 1000) + 1;
}

export function createVideoFlow(o: VideoFlowOptions): VideoFlow {
  const p = o.params;
  const ring = createFrameRing({ capacityBytes: p.ringKiB * 1024, maxFrames: ringFrames(p) });
  const publisher = createVideoPublisher(o);
  const clips = createClipRecorder({
    clock: o.clock,
    timers: o.timers,
    log: o.log,
    ring,
    publisher,
    redact: o.redact,
    preRollMs: p.clipPreRollMs,
    postMs: p.clipPostMs,
    maxInFlight: p.maxInFlight,
  });
  const live = createLiveView({
    clock: o.clock,
    timers: o.timers,
    mqtt: o.mqtt,
    log: o.log,
    publisher,
    redact: o.redact,
    fps: p.liveFps,
  });
  const clipPeriodMs = 1000 / p.clipFps;
  let lastKeptAtMs = -Infinity;
  const wallToMono = (wallMs: number) => o.clock.monotonicMs() - (o.clock.wallMs() - wallMs);

  return {
    frame(frame) {
      if (p.clips && frame.capturedAtMs - lastKeptAtMs >= clipPeriodMs * 0.75) {
        lastKeptAtMs = frame.capturedAtMs;
        ring.push(frame.jpeg, frame.capturedAtMs);
      }
      clips.pump();
      live.frame(frame, clips.busy);
    },
    eventSent(event) {
      if (!p.clips || (event.type !== "ring" && event.type !== "motion_start")) return;
      const trigger = event.type === "ring" ? "ring" : "motion";
      clips.trigger(trigger, event.seq, wallToMono(event.atMs), event.atMs);
    },
    live,
    ring,
    get dropped() {
      return clips.stats.framesDropped + live.stats.framesDropped;
    },
    get stats() {
      return {
        ...clips.stats,
        liveFramesSent: live.stats.framesSent,
        liveFramesDropped: live.stats.framesDropped,
        ringEvicted: ring.stats.evicted,
        ringRefused: ring.stats.refused,
      };
    },
    close() {
      clips.close();
      live.close();
      ring.clear();
    },
  };
}
