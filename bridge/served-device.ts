// SPDX-License-Identifier: MIT
// One device as the bridge serves it: its provisioned identity, its sealed topics and its Home Assistant
// topics, and the last states the bridge re-publishes on Home Assistant's birth.
import { deviceTopics, type DeviceTopics } from "../modules/topics.js";
import type { BridgeDevice } from "./devices.js";
import { haTopics, type HaTopics } from "./ha-topics.js";

export interface ServedDevice {
  device: BridgeDevice;
  topics: DeviceTopics;
  ha: HaTopics;
  /**
   * The last picture's snapshot-topic payload (its link, or its bytes with ha.pictures = mqtt), re-published on
   * Home Assistant's birth (it is retained anyway).
   */
  lastPicture?: Uint8Array | string;
  motion?: "ON" | "OFF";
  /** The last motion event's attributes JSON (ha-states.ts), re-published with the state on Home Assistant's birth. */
  motionAttributes?: string;
  /** Envelopes refused as replays since the bridge started (`replays_refused` in the info JSON). */
  replaysRefused: number;
}

export function serveDevice(device: BridgeDevice): ServedDevice {
  const topics = deviceTopics(device.topicRoot, device.id);
  return { device, topics, ha: haTopics(device.topicRoot, device.id), replaysRefused: 0 };
}
