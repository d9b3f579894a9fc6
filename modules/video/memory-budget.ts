// SPDX-License-Identifier: MIT
// The ESP32-CAM's PSRAM budget for video (docs/firmware.md, "Video memory budget"): what each part may hold at
// most for a config, so the schema's ranges can be checked against the board's 4 MiB. Allowances, not measurements.
import type { Config } from "../config.js";
import { MAX_ENVELOPE_BYTES } from "../envelope/layout.js";
import { MAX_VIDEO_MESSAGE_BYTES } from "./stream-format.js";

/** The AI-Thinker ESP32-CAM's PSRAM. */
export const PSRAM_BYTES = 4 * 1024 * 1024;
/** esp32-camera's three frame buffers (fb_count = 3), allowed 120 KiB each: VGA JPEG with room to spare. */
export const CAMERA_BUFFERS_BYTES = 3 * 120 * 1024;
/** The XS heaps and stacks, allowed whole to PSRAM although part of them lives in internal RAM. */
export const XS_HEAPS_BYTES = 512 * 1024;

export interface PsramBudget {
  cameraBuffers: number;
  clipRing: number;
  /** An event seal's peak: plaintext, ciphertext and envelope (docs/protocol.md, "Maximum size"). */
  eventSeal: number;
  /** One frame's seal: the redacted copy, the ciphertext and the message. */
  frameSeal: number;
  /** Video messages handed to MQTT and not yet acknowledged: the clip's bound and one live frame. */
  inFlight: number;
  xsHeaps: number;
  total: number;
}

/** The most each part may hold under `video` (and the fixed parts), in bytes. */
export function psramBudget(video: Config["video"]): PsramBudget {
  const parts = {
    cameraBuffers: CAMERA_BUFFERS_BYTES,
    clipRing: video.ringKiB * 1024,
    eventSeal: 3 * MAX_ENVELOPE_BYTES,
    frameSeal: 3 * MAX_VIDEO_MESSAGE_BYTES,
    inFlight: (video.maxInFlight + 1) * MAX_VIDEO_MESSAGE_BYTES,
    xsHeaps: XS_HEAPS_BYTES,
  };
  return { ...parts, total: Object.values(parts).reduce((a, b) => a + b, 0) };
}
