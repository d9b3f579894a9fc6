// SPDX-License-Identifier: MIT
// The device's diagnostics as a sealed `status` event: firmware version, Wi-Fi RSSI, uptime and the
// outbox counters. Sent on every connect and then every `intervalS` while connected; never queued up
// while offline (a stale status is worth nothing, and it would only take room in the outbox).
import { toHex } from "./bytes.js";
import type { Logger } from "./logger.js";
import type { ClockPort, CryptoPort, MqttPort, SystemPort, TimerHandle, TimerPort } from "./ports.js";
import type { DraftEvent } from "./ring-flow.js";

export interface StatusReportOptions {
  clock: ClockPort;
  timers: TimerPort;
  crypto: Pick<CryptoPort, "randomBytes">;
  system: Pick<SystemPort, "rssiDbm">;
  mqtt: Pick<MqttPort, "connected">;
  log: Logger;
  deviceId: string;
  firmwareVersion: string;
  /** Time between periodic reports; 0 reports on connect only. */
  intervalS: number;
  /** Extra counters to include (the outbox's), read at report time. */
  counters(): Record<string, number>;
  emit(draft: DraftEvent): void;
}

export interface StatusReport {
  /** Call on every CONNACK: reports now and restarts the period. */
  connected(): void;
  close(): void;
}

export function createStatusReport(o: StatusReportOptions): StatusReport {
  const bootMs = o.clock.monotonicMs();
  let timer: TimerHandle | undefined;

  function report(): void {
    const now = o.clock.monotonicMs();
    const stats: Record<string, number | string> = {
      fw: o.firmwareVersion,
      uptimeS: Math.floor((now - bootMs) / 1000),
      ...o.counters(),
    };
    const rssi = o.system.rssiDbm();
    if (rssi !== undefined) stats.rssiDbm = rssi;
    const draft: DraftEvent = {
      v: 1,
      type: "status",
      id: toHex(o.crypto.randomBytes(8)),
      device: o.deviceId,
      atMs: o.clock.wallMs(),
      stats,
    };
    o.log.debug("status", { id: draft.id, uptimeS: stats.uptimeS as number });
    o.emit(draft);
  }

  function schedule(): void {
    if (timer) o.timers.clear(timer);
    timer = undefined;
    if (o.intervalS <= 0) return;
    timer = o.timers.set(() => {
      timer = undefined;
      if (o.mqtt.connected) report();
      schedule();
    }, o.intervalS * 1000);
  }

  return {
    connected() {
      report();
      schedule();
    },
    close() {
      if (timer) o.timers.clear(timer);
      timer = undefined;
    },
  };
}
