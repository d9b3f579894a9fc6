// SPDX-License-Identifier: MIT
// The seam between the owner's stream opener (which authenticates sealed video frames, docs/protocol.md)
// and what the owner does with them: the MJPEG live endpoint and the clip store. Only frames that
// authenticated ever cross it.

/** Why a stream exists: a live view the owner asked for, or an event clip around a ring or a motion start. */
export type StreamKind = "live" | "clip";

/** One frame that opened under its stream's HPKE context, in stream order. */
export interface OpenedFrame {
  deviceId: string;
  /** The stream id, 16 lowercase hex digits. */
  streamId: string;
  kind: StreamKind;
  /** For a clip: what triggered it. */
  trigger?: "ring" | "motion";
  /** For a clip: the sequence number of the sealed event (ring or motion) it belongs to. */
  eventSeq?: number;
  /** The frame's index in its stream, 0 first. */
  index: number;
  /** Capture time on the device's clock, in Unix ms. */
  captureMs: number;
  /** For a clip: the trigger instant, in Unix ms; frames with `captureMs` before it are pre-roll. */
  triggerMs?: number;
  /** The stream's last frame. */
  last: boolean;
  /** The JPEG, as the camera made it (after privacy redaction on the device). */
  jpeg: Uint8Array;
  /** When the bridge opened it, in Unix ms on the bridge's clock. */
  openedAtMs: number;
}

/** How a stream ended, with what the opener counted on it. */
export interface StreamSummary {
  deviceId: string;
  streamId: string;
  kind: StreamKind;
  /** Frames that authenticated and were passed on. */
  frames: number;
  /** `last` seen; false when the stream was cut short (timed out with no last frame). */
  complete: boolean;
  /** Frames missing between indexes that arrived. */
  gaps: number;
  /** Refused frames by reason (forged, other-stream, other-device, replay, reordered, oversized, ...). */
  refused: Record<string, number>;
  /** Frames the device reported it dropped (clip policy under memory or broker pressure). */
  droppedOnDevice: number;
}

/** Where opened frames go. Implementations must not block: the opener calls these in order per stream. */
export interface FrameSink {
  frame(frame: OpenedFrame): void;
  streamEnded(summary: StreamSummary): void;
}
