// SPDX-License-Identifier: MIT
// The bridge's Home Assistant side: discovery and the last known states of every served device, published
// on connect and again after Home Assistant's birth (`homeassistant/status` `online`, after a random delay
// so many bridges do not burst at once, reference/home-assistant.md §1.6). Publishes go through one
// ordered, bounded publisher (ha-publisher.ts).
import type { MqttClient } from "mqtt";
import type { Logger } from "../modules/logger.js";
import type { BridgeStats } from "./bridge-stats.js";
import type { DeviceStateStore } from "./device-state.js";
import { deviceDiscovery } from "./discovery.js";
import type { HaPictures } from "./ha-pictures.js";
import { createHaPublisher } from "./ha-publisher.js";
import { type HaPublish, infoWithCounters } from "./ha-states.js";
import type { ServedDevice } from "./served-device.js";

/** §1.6: re-publish after a random delay of up to this, so many devices do not burst at once. */
export const BIRTH_JITTER_MAX_MS = 5000;

/** Timers for delays; injectable for tests. */
export interface BridgeTimers {
  set(callback: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
}

export const NODE_TIMERS: BridgeTimers = {
  set: (callback, delayMs) => setTimeout(callback, delayMs),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface HaSyncOptions {
  client: MqttClient;
  log: Logger;
  served: readonly ServedDevice[];
  state: DeviceStateStore;
  stats: BridgeStats;
  discoveryPrefix: string;
  motionOffDelayS: number;
  /** What the snapshot topic carries (ha-pictures.ts). */
  pictures: HaPictures;
  /** Discovery keeps the MQTT camera fed live stills (ha.liveStillsOverMqtt); default off. */
  liveStills?: boolean;
  /** [0, 1) for the birth jitter. */
  random01: () => number;
  timers: BridgeTimers;
}

export interface HaSync {
  /** Queues one message for Home Assistant, in order; `onDone` once the broker acknowledged it (or the error). */
  publish(p: HaPublish, onDone?: (error?: Error) => void): void;
  /** Publishes one device's discovery (after its firmware version changed, for `device.sw_version`). */
  publishDiscovery(served: ServedDevice): void;
  /** Publishes one device's info: its last diagnostics and the bridge's counters for it. */
  publishInfo(served: ServedDevice): void;
  /** Publishes discovery and the last known states for every device now. */
  republish(): void;
  /** Home Assistant said `online`: re-publish after a random delay of up to BIRTH_JITTER_MAX_MS. */
  onBirth(): void;
  close(): void;
}

export function createHaSync(o: HaSyncOptions): HaSync {
  const { log } = o;
  // In order, and never more unacknowledged than the broker admits (ha-publisher.ts).
  const haPublisher = createHaPublisher({ client: o.client, log });
  const publish = (p: HaPublish, onDone?: (error?: Error) => void) => haPublisher.publish(p, onDone);
  let birthTimer: unknown;
  let closed = false;

  function publishDiscovery(served: ServedDevice): void {
    const info = o.state.get(served.device.id).info;
    const fw = typeof info?.fw === "string" ? info.fw : undefined;
    const message = deviceDiscovery(served.device, {
      prefix: o.discoveryPrefix,
      motionOffDelayS: o.motionOffDelayS,
      firmwareVersion: fw,
      pictures: o.pictures.mode,
      liveStills: o.liveStills,
    });
    publish({ topic: message.topic, payload: JSON.stringify(message.payload), qos: 1, retain: true });
    o.stats.discoveryPublished++;
  }

  function publishInfo(served: ServedDevice): void {
    const info = infoWithCounters(o.state.get(served.device.id).info, served);
    publish({ topic: served.ha.info, payload: JSON.stringify(info), qos: 1, retain: true });
  }

  function republish(): void {
    for (const served of o.served) {
      publishDiscovery(served);
      if (o.state.get(served.device.id).info || served.replaysRefused) publishInfo(served);
      if (served.motionAttributes)
        publish({ topic: served.ha.motionAttributes, payload: served.motionAttributes, qos: 1, retain: true });
      if (served.motion) publish({ topic: served.ha.motion, payload: served.motion, qos: 1, retain: true });
      // After a restart in url mode: a fresh link to the newest stored picture, or an empty retained message that
      // clears what the broker kept (bytes from mqtt mode); once per run, then the link is re-published.
      if (served.lastPicture === undefined) {
        const restored = o.pictures.restored(served.device.id);
        if (restored !== undefined) served.lastPicture = restored;
        if (restored === "") publish({ topic: served.ha.snapshot, payload: "", qos: 1, retain: true });
      }
      if (served.lastPicture) publish({ topic: served.ha.snapshot, payload: served.lastPicture, qos: 1, retain: true });
    }
    log.info("discovery and states published", { devices: o.served.length });
  }

  return {
    publish,
    publishDiscovery,
    publishInfo,
    republish,
    onBirth() {
      if (birthTimer) o.timers.clear(birthTimer);
      const delayMs = Math.floor(o.random01() * BIRTH_JITTER_MAX_MS);
      log.info("Home Assistant is online; re-publishing discovery", { delayMs });
      birthTimer = o.timers.set(() => {
        birthTimer = undefined;
        if (!closed) republish();
      }, delayMs);
    },
    close() {
      closed = true;
      if (birthTimer) o.timers.clear(birthTimer);
    },
  };
}
