// SPDX-License-Identifier: MIT
// Confirms delivery to the devices (docs/delivery.md, docs/protocol.md "Delivery confirmations"): for each event the
// receiver (event-receiver.ts) holds durably and has published to Home Assistant, and for each event a device sends
// again after that, an HMAC of the device id and sequence number under the event's confirmation key. Confirmations
// made in one turn of the event loop go out together, up to MAX_CONFIRMATIONS per message, QoS 1, on the device's
// `sealed/ack` topic, which only the bridges may write. The keys are zero-filled once used; nothing is logged of them.
import {
  type Confirmation,
  confirmationMac,
  encodeConfirmations,
  MAX_CONFIRMATIONS,
} from "../modules/envelope/confirmation.js";
import type { Logger } from "../modules/logger.js";
import type { CryptoPort } from "../modules/ports.js";
import type { ServedDevice } from "./served-device.js";

export interface DeliveryConfirmerOptions {
  client: {
    publish(topic: string, payload: Buffer, options: { qos: 1; retain: false }, cb?: (error?: Error) => void): unknown;
  };
  crypto: Pick<CryptoPort, "hmacSha256">;
  log: Logger;
  /** Runs the batch's sending on a later turn of the event loop; default setImmediate. */
  defer?: (run: () => void) => void;
}

export interface DeliveryConfirmerStats {
  /** Confirmations sent (one per event and sending). */
  confirmations: number;
  /** Messages published, each with up to MAX_CONFIRMATIONS confirmations. */
  messages: number;
}

export interface DeliveryConfirmer {
  /** Confirms event `seq` of `served` with its `confirmKey` (zero-filled here once used). */
  confirm(served: ServedDevice, seq: number, confirmKey: Uint8Array): void;
  /** Sends what is waiting now. */
  flush(): void;
  readonly stats: Readonly<DeliveryConfirmerStats>;
}

export function createDeliveryConfirmer(o: DeliveryConfirmerOptions): DeliveryConfirmer {
  const defer = o.defer ?? setImmediate;
  const stats: DeliveryConfirmerStats = { confirmations: 0, messages: 0 };
  let pending = new Map<ServedDevice, Confirmation[]>();
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const batch = pending;
    pending = new Map();
    for (const [served, items] of batch) {
      const topic = served.topics.ack;
      for (let at = 0; at < items.length; at += MAX_CONFIRMATIONS) {
        const chunk = items.slice(at, at + MAX_CONFIRMATIONS);
        stats.messages++;
        stats.confirmations += chunk.length;
        o.client.publish(topic, Buffer.from(encodeConfirmations(chunk)), { qos: 1, retain: false }, (error) => {
          // The device sends the event again when no confirmation reaches it, and is confirmed again then.
          if (error) o.log.warn("confirmation not sent", { device: served.device.id, reason: error.message });
        });
      }
    }
  };
  return {
    confirm(served, seq, confirmKey) {
      const mac = confirmationMac(o.crypto, confirmKey, served.device.id, seq).slice();
      confirmKey.fill(0);
      const items = pending.get(served) ?? [];
      items.push({ seq, mac });
      pending.set(served, items);
      if (!scheduled) {
        scheduled = true;
        defer(flush);
      }
    },
    flush,
    stats,
  };
}
