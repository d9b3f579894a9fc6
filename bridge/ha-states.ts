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
  /** The redactor's code when the event's picture was withheld for the privacy zones (docs/privacy.md). */
  pictureWithheld?: unknown;
  /** For motion: why the firmware's detector fired (modules/events.ts MotionReason), and the box in frame pixels. */
  motion?: unknown;
  box?: unknown;
}

export interface HaUpdate {
  publishes: HaPublish[];
  /** For a status event: the diagnostics now on the info topic. */
  info?: Record<string, unknown>;
  /** For a motion event: the binary sensor's new state. */
  motion?: "ON" | "OFF";
  /** For a motion event: the JSON now on the motion sensor's attributes topic. */
  motionAttributes?: string;
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

/** A short code from a device header (a redactor's code, a lighting state): printable ASCII, at most 32 characters. */
const code = (v: unknown) => (typeof v === "string" && /^[\x20-\x7e]{1,32}$/.test(v) ? v : undefined);

/**
 * The motion sensor's attributes for a motion event: the firmware's own reason (cells seen moving in the frame that
 * fired, their share of the watched area, the lighting state and gain) and box, as the sealed header carried them.
 * A field the header lacks, or carries malformed, is left out: the device is authenticated, not trusted to be right.
 */
export function motionAttributesFor(event: OpenedEvent, receivedAtMs: number): Record<string, unknown> {
  const why = (typeof event.motion === "object" && event.motion !== null ? event.motion : {}) as Record<
    string,
    unknown
  >;
  const a: Record<string, unknown> = {
    event_type: event.type,
    id: event.id,
    seq: event.seq,
    at: isoOrNull(event.atMs),
  };
  a.received_at = new Date(receivedAtMs).toISOString();
  if (num(why.cells) !== undefined) a.cells = why.cells;
  if (num(why.areaPct) !== undefined) a.area_pct = why.areaPct;
  if (code(why.light) !== undefined) a.light = why.light;
  if (num(why.gain) !== undefined) a.gain = why.gain;
  const box = event.box;
  if (Array.isArray(box) && box.length === 4 && box.every((v) => num(v) !== undefined)) a.box = box;
  return a;
}

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
      // No picture because the privacy zones could not be applied to it: say why, rather than a silent gap.
      if (code(event.pictureWithheld) !== undefined) attributes.picture_withheld = event.pictureWithheld;
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
      // The attributes first, so an automation triggered by the state reads this event's reason, not the last one's.
      const motionAttributes = JSON.stringify(motionAttributesFor(event, receivedAtMs));
      publishes.push({ topic: topics.motionAttributes, payload: motionAttributes, qos: 1, retain: true });
      publishes.push({ topic: topics.motion, payload: motion, qos: 1, retain: true });
      return { publishes, motion, motionAttributes };
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
