// SPDX-License-Identifier: MIT
// What one opened event becomes on Home Assistant's topics (reference/home-assistant.md §7): the picture
// first, then the event, so an automation that reads the image entity sees the new frame. The event is
// never retained (§1.7: MQTT event entities drop retained messages); states and the picture are.
// An event carries two times: `at`, the device's capture time (its clock is unauthenticated before SNTP),
// and `received_at`, the bridge's; `late` says it arrived more than LATE_AFTER_S after it was captured.
import type { HaTopics } from "./ha-topics.js";

export interface HaPublish {
  topic: string;
  payload: string | Uint8Array;
  qos: 0 | 1 | 2;
  retain: boolean;
}

/** The fields of an opened event header that the bridge reads. */
export interface OpenedEvent {
  type: string;
  id: string;
  seq: number;
  atMs: number;
  frameAgeMs?: number;
  heldMs?: number;
  of?: string;
  reason?: string;
  stats?: Record<string, unknown>;
}

export interface HaUpdate {
  publishes: HaPublish[];
  /** For a status event: the diagnostics now on the info topic. */
  info?: Record<string, unknown>;
  /** For a motion event: the binary sensor's new state. */
  motion?: "ON" | "OFF";
}

/** An event whose bridge receive time is more than this after its device capture time is marked `late`. */
export const LATE_AFTER_S = 30;

/** The bridge's own counters for one device, merged into its info (diagnostics) JSON. */
export interface BridgeCounters {
  /** Envelopes refused as replays (older than the last accepted sequence number) since the bridge started. */
  replaysRefused: number;
}

/** The info JSON as published: the device's diagnostics and the bridge's counters for it. */
export function infoWithCounters(
  info: Record<string, unknown> | undefined,
  c: BridgeCounters,
): Record<string, unknown> {
  return { ...info, replays_refused: c.replaysRefused };
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** The diagnostics JSON for the info topic, from a status event's `stats`. */
/** ISO 8601, or null for a time no Date can hold (a device clock gone wrong). */
function isoOrNull(ms: number): string | null {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function infoFromStatus(event: OpenedEvent): Record<string, unknown> {
  const s = event.stats ?? {};
  const uptimeS = num(s.uptimeS);
  const info: Record<string, unknown> = { fw: typeof s.fw === "string" ? s.fw : undefined };
  if (num(s.rssiDbm) !== undefined) info.rssi = s.rssiDbm;
  if (uptimeS !== undefined) {
    info.uptime_s = uptimeS;
    // Seconds resolution, so repeated reports of the same boot give the same timestamp.
    info.boot = new Date(Math.floor((event.atMs - uptimeS * 1000) / 1000) * 1000).toISOString();
  }
  if (num(s.outboxQueued) !== undefined) info.outbox_queued = s.outboxQueued;
  if (num(s.outboxDropped) !== undefined) info.outbox_dropped = s.outboxDropped;
  // Clip and live frames the doorbell dropped (docs/firmware.md, "Video memory budget").
  if (num(s.videoFramesDropped) !== undefined) info.video_frames_dropped = s.videoFramesDropped;
  return info;
}

/**
 * The messages for one opened event. `receivedAtMs` is the bridge's wall clock when it opened the event;
 * `counters` are merged into a status event's info. `picture` is what goes on the snapshot topic for the event's
 * picture (ha-pictures.ts): its link, or its bytes with ha.pictures = mqtt; undefined: nothing.
 */
export function haUpdateFor(
  topics: HaTopics,
  event: OpenedEvent,
  jpeg: Uint8Array | undefined,
  receivedAtMs: number,
  counters: BridgeCounters,
  picture?: Uint8Array | string,
): HaUpdate {
  const publishes: HaPublish[] = [];
  const pictureOut = () => {
    if (jpeg && picture !== undefined)
      publishes.push({ topic: topics.snapshot, payload: picture, qos: 1, retain: true });
  };
  switch (event.type) {
    case "ring":
    case "long_press": {
      pictureOut();
      const delayS = Math.round((receivedAtMs - event.atMs) / 100) / 10;
      const attributes: Record<string, unknown> = {
        event_type: event.type,
        id: event.id,
        seq: event.seq,
        at: isoOrNull(event.atMs),
        received_at: new Date(receivedAtMs).toISOString(),
        delay_s: Number.isFinite(delayS) ? delayS : null,
        late: !(delayS <= LATE_AFTER_S),
        has_snapshot: Boolean(jpeg),
      };
      if (event.frameAgeMs !== undefined) attributes.frame_age_ms = event.frameAgeMs;
      if (event.heldMs !== undefined) attributes.held_ms = event.heldMs;
      // QoS 2 [MQTT-4.3.3], as discovery asks Home Assistant to subscribe: a press fires its event once.
      publishes.push({ topic: topics.event, payload: JSON.stringify(attributes), qos: 2, retain: false });
      return { publishes };
    }
    case "snapshot":
      pictureOut();
      return { publishes };
    case "motion_start":
    case "motion_end": {
      const motion = event.type === "motion_start" ? "ON" : "OFF";
      publishes.push({ topic: topics.motion, payload: motion, qos: 1, retain: true });
      return { publishes, motion };
    }
    case "status": {
      const info = infoFromStatus(event);
      const payload = JSON.stringify(infoWithCounters(info, counters));
      publishes.push({ topic: topics.info, payload, qos: 1, retain: true });
      return { publishes, info };
    }
  }
  return { publishes };
}
