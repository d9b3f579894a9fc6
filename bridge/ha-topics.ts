// SPDX-License-Identifier: MIT
// The plain topics the bridge publishes for Home Assistant, beside the device's own (modules/topics.ts),
// laid out as in reference/home-assistant.md §7. Availability is the device's own `status` topic, so
// Home Assistant follows the device's will and `online` directly.
import { deviceTopics } from "../modules/topics.js";

/** Prefix of the discovery object id and every unique_id: `esp32db_<device id>` (§7). */
export const OBJECT_ID_PREFIX = "esp32db";

export interface HaTopics {
  /** The device's retained `online` / will `offline`. */
  availability: string;
  /** Ring and long-press events as JSON; QoS 2, never retained. */
  event: string;
  /** `ON` / `OFF`, retained. */
  motion: string;
  /**
   * Why the last motion event fired (the firmware's own reason: cells, area, lighting, gain, box), JSON, retained:
   * the motion sensor's attributes (`json_attributes_topic`).
   */
  motionAttributes: string;
  /**
   * The last snapshot, retained: a link to it on the bridge's video endpoint (ha.pictures = url, the default), or its
   * raw JPEG bytes (ha.pictures = mqtt).
   */
  snapshot: string;
  /** Diagnostics JSON (`fw`, `rssi`, `boot`, ...), retained. */
  info: string;
  /** The "Take snapshot" button; the bridge turns a press into a sealed command. Never retained. */
  snapshotCommand: string;
  /**
   * The latest opened live frame, raw JPEG, at most one a second (the MQTT camera, §2.3), with
   * ha.liveStillsOverMqtt only. Never retained.
   */
  live: string;
  /** The "Start live view" button; the bridge holds the live view and seals its start. Never retained. */
  liveCommand: string;
  /** The `update` entity's state JSON (installed and latest version, progress in the summary), retained. */
  firmware: string;
  /** The `update` entity's Install: the bridge publishes the owner's update for the device (docs/ota.md). */
  updateCommand: string;
}

export function haTopics(topicRoot: string, deviceId: string): HaTopics {
  const base = `${topicRoot}/${deviceId}`;
  return {
    availability: deviceTopics(topicRoot, deviceId).status,
    event: `${base}/event`,
    motion: `${base}/motion`,
    motionAttributes: `${base}/motion/attributes`,
    snapshot: `${base}/snapshot`,
    info: `${base}/info`,
    snapshotCommand: `${base}/cmd/snapshot`,
    live: `${base}/live`,
    liveCommand: `${base}/cmd/live`,
    firmware: `${base}/firmware`,
    updateCommand: `${base}/cmd/update`,
  };
}

/** The discovery object id for a device: only `[a-zA-Z0-9_-]`, as HA's TOPIC_MATCHER requires (§1.1). */
export function objectId(deviceId: string): string {
  return `${OBJECT_ID_PREFIX}_${deviceId}`;
}
