// SPDX-License-Identifier: MIT
// Decides when a device streams its live view: while anyone watches (HTTP viewers) or a Home Assistant
// press holds it. The first viewer sends `live-view start`, a start again renews it before the device's own
// expiry, and a stop follows the last viewer after a short grace (a page reload must not stop and restart).
import type { LiveViewRequest } from "../../modules/commands.js";
import type { BridgeTimers } from "../ha-sync.js";

/** Seconds a start asks for when not configured: the device stops by itself after that. */
export const LIVE_SECONDS_DEFAULT = 60;
/** A renew is sent when this fraction of the asked time has passed. */
export const RENEW_AT_FRACTION = 2 / 3;
/** After the last viewer leaves, the stop waits this long for one to come back. */
export const STOP_GRACE_MS = 3000;
/** After the device's stream ended while still wanted, a fresh start waits this long (at most one per period). */
export const RESTART_AFTER_END_MS = 1000;

export interface LiveDemandOptions {
  /** Seals and sends a live-view command to the device; errors are the caller's to log. */
  send(deviceId: string, live: LiveViewRequest): void;
  /** Seconds each start asks for, 1..300; default LIVE_SECONDS_DEFAULT. */
  seconds?: number;
  stopGraceMs?: number;
  /** Wall clock, Unix ms. */
  now?: () => number;
  timers: BridgeTimers;
}

export interface LiveDemand {
  /** The number of viewers of `deviceId` changed (LiveHub's onViewers). */
  viewers(deviceId: string, count: number): void;
  /** Keeps the live view running for `seconds` from now, with or without viewers (Home Assistant's button). */
  hold(deviceId: string, seconds: number): void;
  /** The device's live stream ended (its own expiry, a restart): the next demand sends a fresh start. */
  streamEnded(deviceId: string): void;
  /** Whether a start is in force for `deviceId` as far as the bridge knows. */
  running(deviceId: string): boolean;
  /** Sends a stop to every device with a start in force (the bridge is going away), and stops the timers. */
  close(): void;
}

interface DeviceDemand {
  viewers: number;
  holdUntilMs: number;
  /** When the last start was sent; undefined when stopped. */
  startedAtMs?: number;
  /** When the demand last went away; the stop is due STOP_GRACE_MS later. */
  idleSinceMs?: number;
  timer?: unknown;
}

export function createLiveDemand(o: LiveDemandOptions): LiveDemand {
  const now = o.now ?? Date.now;
  const seconds = o.seconds ?? LIVE_SECONDS_DEFAULT;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 300)
    throw new RangeError(`live view seconds ${seconds} is not accepted; expected an integer 1..300`);
  const renewAfterMs = Math.max(500, Math.floor(seconds * 1000 * RENEW_AT_FRACTION));
  const graceMs = o.stopGraceMs ?? STOP_GRACE_MS;
  const devices = new Map<string, DeviceDemand>();
  let closed = false;
  const entry = (deviceId: string) => {
    let d = devices.get(deviceId);
    if (!d) devices.set(deviceId, (d = { viewers: 0, holdUntilMs: 0 }));
    return d;
  };

  /** Sends what the demand calls for now, and sets the one timer for the next decision. */
  function evaluate(deviceId: string): void {
    if (closed) return;
    const d = entry(deviceId);
    const t = now();
    if (d.timer !== undefined) o.timers.clear(d.timer);
    d.timer = undefined;
    const wanted = d.viewers > 0 || t < d.holdUntilMs;
    let nextMs: number | undefined;
    if (wanted) {
      d.idleSinceMs = undefined;
      if (d.startedAtMs === undefined || t - d.startedAtMs >= renewAfterMs) {
        d.startedAtMs = t;
        o.send(deviceId, { action: "start", seconds });
      }
      nextMs = d.startedAtMs + renewAfterMs;
      if (d.viewers === 0) nextMs = Math.min(nextMs, d.holdUntilMs);
    } else if (d.startedAtMs !== undefined) {
      d.idleSinceMs ??= t;
      if (t - d.idleSinceMs >= graceMs) {
        d.startedAtMs = undefined;
        d.idleSinceMs = undefined;
        o.send(deviceId, { action: "stop" });
      } else nextMs = d.idleSinceMs + graceMs;
    }
    if (nextMs !== undefined) d.timer = o.timers.set(() => evaluate(deviceId), Math.max(1, nextMs - t));
  }

  return {
    viewers(deviceId, count) {
      entry(deviceId).viewers = count;
      evaluate(deviceId);
    },
    hold(deviceId, holdSeconds) {
      const d = entry(deviceId);
      d.holdUntilMs = Math.max(d.holdUntilMs, now() + holdSeconds * 1000);
      evaluate(deviceId);
    },
    streamEnded(deviceId) {
      const d = devices.get(deviceId);
      if (!d || d.startedAtMs === undefined) return;
      d.startedAtMs = undefined;
      d.idleSinceMs = undefined;
      if (d.timer !== undefined) o.timers.clear(d.timer);
      d.timer = o.timers.set(() => evaluate(deviceId), RESTART_AFTER_END_MS);
    },
    running: (deviceId) => devices.get(deviceId)?.startedAtMs !== undefined,
    close() {
      closed = true;
      for (const [deviceId, d] of devices) {
        if (d.timer !== undefined) o.timers.clear(d.timer);
        if (d.startedAtMs !== undefined) o.send(deviceId, { action: "stop" });
        d.startedAtMs = undefined;
      }
    },
  };
}
