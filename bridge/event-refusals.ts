// SPDX-License-Identifier: MIT
// What the bridge does with an envelope it does not accept (event-receiver.ts): counts it by reason and logs it
// once per burst with a count (burst-log.ts). An envelope with the last accepted sequence number and the same
// bytes is a QoS 1 redelivery (info); any other older one is a replay (a warning, counted in `replays_refused`
// on the device's info topic), so an attack cannot pass for ordinary redelivery.
import { REJECT_REASON_TEXT, type RejectReason } from "../modules/envelope/reasons.js";
import type { BridgeStats } from "./bridge-stats.js";
import type { BurstLog } from "./burst-log.js";
import type { HaSync } from "./ha-sync.js";
import type { ServedDevice } from "./served-device.js";

export interface Refusal {
  served: ServedDevice;
  /** `redelivered`: a byte-identical copy of the last accepted envelope. */
  reason: RejectReason | "redelivered";
  /** The clear (unauthenticated) sequence number, when it could be read. */
  seq: number | undefined;
  size: number;
  lastAccepted?: number;
}

/** Returns `refuse`, which counts and logs one refused envelope. */
export function createEventRefusals(o: { stats: BridgeStats; burstLog: BurstLog; ha: HaSync }) {
  const { stats } = o;
  return function refuse(r: Refusal): void {
    const device = r.served.device.id;
    const { reason } = r;
    const fields = { device, reason, seq: r.seq, lastAccepted: r.lastAccepted, size: r.size };
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
    r.served.replaysRefused++;
    const message =
      "replayed event refused: sequence number not newer than the last accepted one, and not a redelivery";
    const first = o.burstLog.note(`replayed/${device}`, "warn", message, fields, () => o.ha.publishInfo(r.served));
    if (first) o.ha.publishInfo(r.served);
  };
}
