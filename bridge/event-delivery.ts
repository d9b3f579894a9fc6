// SPDX-License-Identifier: MIT
// Acts on an event the bridge accepted and made durable (event-receiver.ts): keeps the picture (dated by the
// bridge's receive time), remembers the last states for Home Assistant's birth, records the diagnostics of a
// status event, and queues the event's Home Assistant states (ha-states.ts) in order.
import type { Logger } from "../modules/logger.js";
import type { DeviceStateStore } from "./device-state.js";
import { createHaPictures, type HaPictures } from "./ha-pictures.js";
import { haUpdateFor, type OpenedEvent } from "./ha-states.js";
import type { HaSync } from "./ha-sync.js";
import type { ServedDevice } from "./served-device.js";
import type { SavedSnapshot, SnapshotStore } from "./snapshot-store.js";

export interface EventDeliveryOptions {
  state: DeviceStateStore;
  snapshots?: SnapshotStore;
  ha: HaSync;
  /** What the snapshot topic carries (ha-pictures.ts); default: links, none without a store. */
  pictures?: HaPictures;
  log: Logger;
  /** Wall clock, Unix ms. */
  now: () => number;
}

/**
 * Returns `deliver`: `onPublished` runs once the broker has acknowledged every Home Assistant publish of the
 * event (at once when it makes none); a publish that failed because the client was ended counts as done.
 */
export function createEventDelivery(o: EventDeliveryOptions) {
  const { log } = o;
  const pictures = o.pictures ?? createHaPictures({ snapshots: o.snapshots });
  return function deliver(
    served: ServedDevice,
    event: OpenedEvent,
    id: string,
    jpeg: Uint8Array | undefined,
    onPublished: () => void,
  ): void {
    const { device } = served;
    const receivedAtMs = o.now();
    let saved: SavedSnapshot | undefined;
    if (jpeg && o.snapshots) {
      try {
        saved = o.snapshots.save(device.id, { type: String(event.type), id, receivedAtMs }, jpeg);
      } catch (error) {
        log.error("snapshot not saved", { device: device.id, id, reason: (error as Error).message });
      }
    }
    const picture = jpeg ? pictures.opened(jpeg, saved) : undefined;
    const update = haUpdateFor(served.ha, event, jpeg, receivedAtMs, served, picture);
    if (picture !== undefined && (event.type === "ring" || event.type === "long_press" || event.type === "snapshot"))
      served.lastPicture = picture;
    if (update.motion) served.motion = update.motion;
    if (update.motionAttributes) served.motionAttributes = update.motionAttributes;
    if (update.info) {
      const before = o.state.get(device.id).info?.fw;
      o.state.update(device.id, (s) => {
        s.info = update.info;
      });
      if (update.info.fw !== before) o.ha.publishDiscovery(served); // device.sw_version follows the firmware
    }
    let waiting = update.publishes.length + 1;
    const done = () => void (--waiting === 0 && onPublished());
    for (const p of update.publishes) o.ha.publish(p, done);
    done();
  };
}
