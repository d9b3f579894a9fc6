// SPDX-License-Identifier: MIT
// The trial of a newly installed firmware (docs/ota.md): it keeps itself only once it has reached the broker
// and its first status event was delivered (PUBACK); if that does not happen within `confirmS`, it rolls back
// to the previous slot. A restart before then also rolls back: the slots' rule (ESP-IDF app rollback).
import type { Logger } from "../logger.js";
import type { FirmwareSlotsPort, TimerHandle, TimerPort } from "../ports.js";

/** Default trial: 5 minutes, room for Wi-Fi, DNS, a TLS handshake and a few backoff rounds. */
export const DEFAULT_CONFIRM_S = 300;

export interface UpdateConfirm {
  /** True while the running image is on trial. */
  readonly pending: boolean;
  /** The first status event was delivered: keep this firmware. */
  statusDelivered(): void;
  close(): void;
}

export function createUpdateConfirm(o: {
  slots: FirmwareSlotsPort | undefined;
  timers: TimerPort;
  log: Logger;
  runningVersion: string;
  confirmS?: number;
  /** Told once the firmware is kept, for the progress topic. */
  onConfirmed?(): void;
}): UpdateConfirm {
  const confirmS = o.confirmS ?? DEFAULT_CONFIRM_S;
  let pending = o.slots?.runningState() === "pending";
  let timer: TimerHandle | undefined;
  if (pending) {
    o.log.info("new firmware on trial: kept once its first status event reaches the broker", {
      version: o.runningVersion,
      confirmS,
    });
    timer = o.timers.set(() => {
      timer = undefined;
      if (!pending) return;
      o.log.error("new firmware did not reach its broker in time; rolling back", {
        version: o.runningVersion,
        confirmS,
      });
      o.slots?.rollback(`no status event delivered within ${confirmS} s`);
    }, confirmS * 1000);
  }
  return {
    get pending() {
      return pending;
    },
    statusDelivered() {
      if (!pending) return;
      pending = false;
      if (timer) o.timers.clear(timer);
      timer = undefined;
      o.slots?.markValid();
      o.log.info("new firmware confirmed: it reached the broker", { version: o.runningVersion });
      o.onConfirmed?.();
    },
    close() {
      if (timer) o.timers.clear(timer);
      timer = undefined;
    },
  };
}
