// SPDX-License-Identifier: MIT
// Feeds Home Assistant's MQTT `camera` entity (reference/home-assistant.md §2.3: images only, no stream) with the
// latest opened live frame, at most one per interval per device, never retained: a still that follows the live
// view, beside the full-rate MJPEG endpoint. Each still crosses the broker in the clear, so the bridge feeds it only
// when the owner opts in (ha.liveStillsOverMqtt); by default the live view is the MJPEG endpoint alone.
import type { OpenedFrame } from "./opened-frame.js";

/** One image per device per this many ms at most. */
export const CAMERA_FEED_INTERVAL_MS = 1000;

export function createCameraFeed(o: {
  /** Publishes raw JPEG bytes on the device's camera topic (QoS 0, not retained). */
  publish(deviceId: string, jpeg: Uint8Array): void;
  intervalMs?: number;
  /** The bridge's wall clock, Unix ms. */
  now?: () => number;
}): (frame: OpenedFrame) => void {
  const now = o.now ?? Date.now;
  const intervalMs = o.intervalMs ?? CAMERA_FEED_INTERVAL_MS;
  const lastMs = new Map<string, number>();
  return (frame) => {
    if (frame.kind !== "live") return;
    const t = now();
    const last = lastMs.get(frame.deviceId);
    if (last !== undefined && t - last < intervalMs && !frame.last) return;
    lastMs.set(frame.deviceId, t);
    o.publish(frame.deviceId, frame.jpeg);
  };
}
