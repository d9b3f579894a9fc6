// SPDX-License-Identifier: MIT
// The sidecar JSON beside each stored clip: where it came from and what the stream opener counted on it
// (bridge/video/opened-frame.ts StreamSummary), so a clip with gaps or cut short says so.
import type { ClipFormat, ClipFrame } from "./clip-encoder.js";
import type { OpenedFrame, StreamSummary } from "./opened-frame.js";

export interface ClipSidecar {
  v: 1;
  device: string;
  streamId: string;
  trigger?: "ring" | "motion";
  eventSeq?: number;
  format: ClipFormat;
  /** The clip's files beside the sidecar; for a JPEG directory, the directory. */
  files: string[];
  /** Their bytes. */
  bytes: number;
  /** The bridge's receive time of the first frame, ISO 8601 (names the file). */
  receivedAt: string;
  /** The device's clock: the trigger, the first and last capture (Unix ms). */
  triggerMs?: number;
  firstCaptureMs: number;
  lastCaptureMs: number;
  /** Frames in the file, and those captured before the trigger (pre-roll). */
  storedFrames: number;
  preRollFrames: number;
  /** Frames the bridge could not hold (its per-clip byte bound). */
  droppedByBridge: number;
  /** What the stream opener said when the stream ended. */
  summary: Pick<StreamSummary, "frames" | "complete" | "gaps" | "droppedOnDevice" | "refused">;
}

export function clipSidecar(o: {
  first: OpenedFrame;
  frames: readonly ClipFrame[];
  droppedByBridge: number;
  written: Pick<ClipSidecar, "format" | "files" | "bytes">;
  receivedAt: string;
  summary: StreamSummary;
}): ClipSidecar {
  const { first, frames, summary } = o;
  const triggerMs = first.triggerMs;
  return {
    v: 1,
    device: first.deviceId,
    streamId: first.streamId,
    trigger: first.trigger,
    eventSeq: first.eventSeq,
    ...o.written,
    receivedAt: o.receivedAt,
    triggerMs,
    firstCaptureMs: frames[0].captureMs,
    lastCaptureMs: frames[frames.length - 1].captureMs,
    storedFrames: frames.length,
    preRollFrames: triggerMs === undefined ? 0 : frames.filter((f) => f.captureMs < triggerMs).length,
    droppedByBridge: o.droppedByBridge,
    summary: {
      frames: summary.frames,
      complete: summary.complete,
      gaps: summary.gaps,
      droppedOnDevice: summary.droppedOnDevice,
      refused: summary.refused,
    },
  };
}
