// SPDX-License-Identifier: MIT
// Opens one device's sealed event (docs/protocol.md): only that device's key, only a newer sequence
// number, each event id once. The state is persisted before anything is acted on; then the picture is
// kept (dated by the bridge's receive time) and Home Assistant gets the event's states (ha-states.ts).
// A refusal is logged once per burst with a count (burst-log.ts). An envelope with the last accepted
// sequence number and the same bytes is a QoS 1 redelivery (info); any other is a replay (a warning, counted
// in `replays_refused`), so an attack cannot pass for ordinary redelivery.
import { createHash } from "node:crypto";
import { openEnvelope } from "../modules/envelope/open-envelope.js";
import { REJECT_REASON_TEXT, type RejectReason } from "../modules/envelope/reasons.js";
import type { Logger } from "../modules/logger.js";
import type { CryptoPort } from "../modules/ports.js";
import type { BridgeStats } from "./bridge-stats.js";
import type { BurstLog } from "./burst-log.js";
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
  burstLog: BurstLog;
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
    const receivedAtMs = o.now();
    if (jpeg && o.snapshots) {
      try {
        o.snapshots.save(device.id, { type: String(event.type), id, receivedAtMs }, jpeg);
      } catch (error) {
        log.error("snapshot not saved", { device: device.id, id, reason: (error as Error).message });
      }
    }
    const update = haUpdateFor(served.ha, event, jpeg, receivedAtMs, served);
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

  /** `redelivered`: a byte-identical copy of the last accepted envelope. */
  function refuse(
    served: ServedDevice,
    reason: RejectReason | "redelivered",
    seq: number | undefined,
    size: number,
    last?: number,
  ) {
    const device = served.device.id;
    const fields = { device, reason, seq, lastAccepted: last, size };
    if (reason === "redelivered") {
      stats.redelivered++;
      o.burstLog.note(`redelivered/${device}`, "info", "duplicate delivery of the last accepted event ignored", fields);
      return;
    }
    stats.refused[reason] = (stats.refused[reason] ?? 0) + 1;
    if (reason !== "replayed") {
      o.burstLog.note(`refused/${reason}/${device}`, "warn", `event refused: ${REJECT_REASON_TEXT[reason]}`, fields);
      return;
    }
    served.replaysRefused++;
    const message =
      "replayed event refused: sequence number not newer than the last accepted one, and not a redelivery";
    const first = o.burstLog.note(`replayed/${device}`, "warn", message, fields, () => o.ha.publishInfo(served));
    if (first) o.ha.publishInfo(served);
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
    const digest = createHash("sha256").update(bytes).digest("hex");
    if (!r.ok) {
      const redelivery = r.reason === "replayed" && r.seq === state.lastEventSeq && digest === state.lastEventDigest;
      return refuse(served, redelivery ? "redelivered" : r.reason, r.seq, bytes.length, state.lastEventSeq);
    }
    const event = r.header as unknown as OpenedEvent;
    const id = typeof event.id === "string" ? event.id : "";
    const seen = state.recentEventIds.includes(id);
    // Persist before acting: a crash may lose this event, but can never make it acceptable twice.
    o.state.update(device.id, (s) => {
      s.lastEventSeq = r.seq;
      s.lastEventDigest = digest;
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
