// SPDX-License-Identifier: MIT
// Opens one device's sealed event (docs/protocol.md): only that device's key, only a newer sequence
// number, each event id once. The state is persisted before anything is acted on; then the picture is
// kept and Home Assistant gets the event's states (ha-states.ts).
import { openEnvelope } from "../modules/envelope/open-envelope.js";
import { REJECT_REASON_TEXT } from "../modules/envelope/reasons.js";
import type { Logger } from "../modules/logger.js";
import type { CryptoPort } from "../modules/ports.js";
import type { BridgeStats } from "./bridge-stats.js";
import type { DeviceStateStore } from "./device-state.js";
import { haUpdateFor, type OpenedEvent } from "./ha-states.js";
import type { HaSync } from "./ha-sync.js";
import type { ServedDevice } from "./served-device.js";
import type { SnapshotStore } from "./snapshot-store.js";

export interface EventReceiverOptions {
  crypto: CryptoPort;
  /** The owner's X25519 secret. */
  ownerSecret: Uint8Array;
  state: DeviceStateStore;
  snapshots?: SnapshotStore;
  ha: HaSync;
  stats: BridgeStats;
  log: Logger;
  /** Wall clock, Unix ms. */
  now: () => number;
  /** Sees each event opened and accepted, with its picture. */
  onEvent?(deviceId: string, header: Record<string, unknown>, jpeg: Uint8Array | undefined, sealedBytes: number): void;
}

/** Returns the handler for a message on a device's sealed event topic. */
export function createEventReceiver(o: EventReceiverOptions) {
  const { log, stats } = o;
  const ownerPublic = o.crypto.x25519(o.ownerSecret);

  /** Keeps the picture and publishes the states of an event that was opened and accepted. */
  function deliver(served: ServedDevice, event: OpenedEvent, id: string, jpeg: Uint8Array | undefined): void {
    const { device } = served;
    if (jpeg && o.snapshots) {
      try {
        o.snapshots.save(device.id, { type: String(event.type), id, atMs: Number(event.atMs) || o.now() }, jpeg);
      } catch (error) {
        log.error("snapshot not saved", { device: device.id, id, reason: (error as Error).message });
      }
    }
    const update = haUpdateFor(served.ha, event, jpeg);
    if (jpeg && (event.type === "ring" || event.type === "long_press" || event.type === "snapshot"))
      served.lastJpeg = jpeg;
    if (update.motion) served.motion = update.motion;
    if (update.info) {
      const before = o.state.get(device.id).info?.fw;
      o.state.update(device.id, (s) => {
        s.info = update.info;
      });
      if (update.info.fw !== before) o.ha.publishDiscovery(served); // device.sw_version follows the firmware
    }
    for (const p of update.publishes) o.ha.publish(p);
  }

  return function onSealedEvent(served: ServedDevice, topic: string, bytes: Uint8Array): void {
    const { device } = served;
    const state = o.state.get(device.id);
    const r = openEnvelope({
      crypto: o.crypto,
      recipientPrivateKey: o.ownerSecret,
      recipientPublicKey: ownerPublic,
      senderPublicKey: device.publicKey,
      deviceId: device.id,
      topic,
      lastAcceptedSeq: state.lastEventSeq,
      bytes,
    });
    if (!r.ok) {
      stats.refused[r.reason] = (stats.refused[r.reason] ?? 0) + 1;
      const fields = { device: device.id, reason: r.reason, seq: r.seq, size: bytes.length };
      if (r.reason === "replayed") log.info("duplicate delivery ignored", fields);
      else log.warn(`event refused: ${REJECT_REASON_TEXT[r.reason]}`, fields);
      return;
    }
    const event = r.header as unknown as OpenedEvent;
    const id = typeof event.id === "string" ? event.id : "";
    const seen = state.recentEventIds.includes(id);
    // Persist before acting: a crash may lose this event, but can never make it acceptable twice.
    o.state.update(device.id, (s) => {
      s.lastEventSeq = r.seq;
      if (!seen) s.recentEventIds.push(id);
    });
    if (seen) {
      stats.duplicates++;
      log.info("event already delivered; ignored", { device: device.id, id, seq: r.seq });
      return;
    }
    stats.opened++;
    log.info("event", { device: device.id, type: event.type, id, seq: r.seq, jpegBytes: r.jpeg?.length ?? 0 });
    deliver(served, event, id, r.jpeg);
    o.onEvent?.(device.id, r.header as unknown as Record<string, unknown>, r.jpeg, bytes.length);
  };
}
