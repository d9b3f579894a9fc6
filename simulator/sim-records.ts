// SPDX-License-Identifier: MIT
// What the simulation reports on its bus, as plain JSON-able records: the page receives them over
// Server-Sent Events and a scenario writes them to its JSONL artifact. Times `t` are wall-clock Unix ms.
import type { MotionReason } from "../modules/events.js";
import type { Zone } from "../modules/privacy/zone.js";
import type { Engine, PowerState } from "./device-runner.js";
import type { MotionOverlay } from "./motion-overlay.js";
import type { Light } from "./scene/porch-scene.js";

export interface LogRecord {
  t: number;
  source: "firmware" | "simulator" | "owner";
  level: "debug" | "info" | "warn" | "error";
  tag: string;
  message: string;
}

/**
 * One PUBLISH as the broker saw it. The device's events and the owner's commands are ciphertext, of which only
 * the size and a prefix are shown; `status` is the device's plain availability flag; `bridge` is what the owner's
 * bridge publishes in the clear for Home Assistant (discovery, states, the last picture; see docs/security.md).
 */
export interface TrafficRecord {
  t: number;
  topic: string;
  kind: "event" | "command" | "status" | "bridge" | "other";
  size: number;
  /** The first 16 bytes, hex. */
  hex: string;
  qos: number;
  retain: boolean;
  /** The publishing client, when it was one (a last will is published by the broker). */
  from?: string;
  /** The envelope's clear sequence number (it is bound into the AAD, not secret). */
  seq?: number;
  /** The start of a plain message: the availability flag, or what the bridge publishes for Home Assistant. */
  text?: string;
}

/** An event the owner's side opened. */
export interface EventRecord {
  t: number;
  id: string;
  type: string;
  seq: number;
  /** The event instant on the device's wall clock. */
  atMs: number;
  sealedBytes: number;
  /** Size of the opened snapshot, when the event carried one (served at /api/snapshots/<id>.jpg). */
  snapshotBytes?: number;
  /** The picture was withheld: it could not be redacted for the privacy zones (the redactor's code). */
  pictureWithheld?: string;
  frameAgeMs?: number;
  of?: string;
  reason?: string;
  box?: [number, number, number, number];
  /** For motion: why the firmware's detector fired (cells, area, lighting state, gain), as its event says. */
  motion?: MotionReason;
  stats?: Record<string, number | string>;
}

export interface FrameRecord {
  /** Frame number, served at /api/camera/<n>.jpg while it is recent. */
  n: number;
  t: number;
  width: number;
  height: number;
  motion?: MotionOverlay;
}

export interface SimStatus {
  engine: Engine;
  deviceId: string;
  firmwareVersion: string;
  power: PowerState;
  wifi: boolean;
  broker: boolean;
  /** The retained availability flag the device last set (online on connect, offline as its last will). */
  deviceOnline: boolean;
  camera: string;
  light: Light;
  lamp: boolean;
  ownerSide: string;
  brokerUrl: string;
  motionDetector: string;
  /** The privacy zones last sent to the device (`privacy.zones`), in image pixels. */
  zones: Zone[];
  bootedAt?: number;
  /** The firmware's own counters (ring, delivery), polled while it runs. */
  stats?: Record<string, unknown>;
  /** The virtual flash's slot the device runs from (docs/ota.md). */
  firmwareSlot?: string;
  /** The last update progress the device reported to the bridge: want (next of chunks), installed or refused. */
  update?: { state: string; id?: string; next?: number; chunks?: number; version?: string; reason?: string };
}

/** What the owner's stream opener passed on (bridge/video/opened-frame.ts): a frame's facts (not its bytes), or a stream's end. */
export type VideoRecord =
  | {
      t: number;
      record: "frame";
      streamId: string;
      kind: "live" | "clip";
      trigger?: "ring" | "motion";
      index: number;
      captureMs: number;
      triggerMs?: number;
      last: boolean;
      jpegBytes: number;
    }
  | {
      t: number;
      record: "ended";
      streamId: string;
      kind: "live" | "clip";
      frames: number;
      complete: boolean;
      gaps: number;
      droppedOnDevice: number;
      refused: Record<string, number>;
    };

export interface SimEvents {
  video: VideoRecord;
  log: LogRecord;
  traffic: TrafficRecord;
  event: EventRecord;
  frame: FrameRecord;
  status: SimStatus;
  chime: { t: number };
}
