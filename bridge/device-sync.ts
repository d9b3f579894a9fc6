// SPDX-License-Identifier: MIT
// Recovers each device's replay floor from the device itself (docs/delivery.md, "A bridge that lost its state"). A
// bridge whose state file was lost or restored from an old backup would otherwise accept, as new, every event newer
// than the stale `lastEventSeq`: a copy the device sends again, or an old envelope someone recorded and replays on
// the broker. So, from its start, the bridge asks each device with a sealed, signed `sync` command; the device answers
// with a sealed `sync` event naming that command (a fresh random id: an old answer does not fit) and its delivery
// floor `done`, below which it never sends anything again. The bridge raises the device's `lastEventSeq` to `done`,
// durably, and from then on opens that device's events as before. It asks when the first authentic event of a device
// that answers `sync` (the `resync` mark in its sealed header) arrives after its start, and holds each such event
// (not delivered, not confirmed) until the answer is in; then it hands the held ones back to the receiver. A device
// without the mark (`outbox.confirm` off) is served as before and never asked.
import type { Logger } from "../modules/logger.js";
import type { CommandPublisher } from "./command-sender.js";
import type { DeviceStateStore } from "./device-state.js";
import type { ServedDevice } from "./served-device.js";

/** The first wait for an answer before the bridge asks again; it doubles up to SYNC_RETRY_MAX_MS. */
export const SYNC_RETRY_MS = 5_000;
export const SYNC_RETRY_MAX_MS = 300_000;
/**
 * The first event held after a question, and any held this long after it, asks (again) at once: the device is
 * sending, so it is probably online.
 */
export const SYNC_REASK_MS = 1_000;
/** The last questions whose answers count: each names a fresh random command id of this process. */
const ASKS_KEPT = 4;
/** Envelopes held per device while its answer is awaited; beyond it the oldest goes (the device sends it again). */
export const SYNC_MAX_HELD = 64;

/** An envelope held until its device's answer: handed back to the receiver as it arrived. */
export interface HeldEnvelope {
  topic: string;
  bytes: Uint8Array;
}

export interface DeviceSyncOptions {
  /** Seals, signs and publishes a command (command-sender.ts). */
  publish: CommandPublisher;
  state: DeviceStateStore;
  log: Logger;
  /** The held envelopes of a device that just answered, oldest first, to be received again. */
  release(served: ServedDevice, held: HeldEnvelope[]): void;
  timers?: { set(run: () => void, ms: number): unknown; clear(handle: unknown): void };
  retryMs?: number;
  retryMaxMs?: number;
  maxHeld?: number;
  /** Monotonic ms; default performance.now. */
  now?: () => number;
}

/** What to do with an authentic event (event-receiver.ts). */
export type SyncVerdict = "deliver" | "held" | "answer";

export interface DeviceSync {
  /**
   * For an authentic event: `answer` for a `sync` event (used here, never delivered), `held` for an event of a
   * device that answers `sync` and has not yet answered since the start (asking it, and again with backoff while
   * unanswered), `deliver` otherwise.
   */
  check(served: ServedDevice, header: Record<string, unknown>, envelope: HeldEnvelope): SyncVerdict;
  /** True once `deviceId` has answered since the start. */
  synced(deviceId: string): boolean;
  close(): void;
}

interface PerDevice {
  /** The ids of the last `sync` commands sent (at most ASKS_KEPT): only an answer naming one counts. */
  asked: string[];
  askedAt: number;
  /** An event was held since the last question. */
  heldSinceAsk: boolean;
  synced: boolean;
  held: HeldEnvelope[];
  timer?: unknown;
  waitMs: number;
}

const NODE_TIMERS = {
  set: (run: () => void, ms: number) => setTimeout(run, ms).unref(),
  clear: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
};

export function createDeviceSync(o: DeviceSyncOptions): DeviceSync {
  const { log } = o;
  const timers = o.timers ?? NODE_TIMERS;
  const retryMs = o.retryMs ?? SYNC_RETRY_MS;
  const retryMaxMs = o.retryMaxMs ?? SYNC_RETRY_MAX_MS;
  const maxHeld = o.maxHeld ?? SYNC_MAX_HELD;
  const now = o.now ?? (() => performance.now());
  const devices = new Map<string, PerDevice>();
  let closed = false;
  const of = (id: string) => {
    let d = devices.get(id);
    if (!d)
      devices.set(id, (d = { synced: false, held: [], waitMs: retryMs, asked: [], askedAt: 0, heldSinceAsk: false }));
    return d;
  };

  const ask = (served: ServedDevice) => {
    const d = of(served.device.id);
    if (closed || d.synced) return;
    if (d.timer !== undefined) timers.clear(d.timer);
    d.askedAt = now();
    d.heldSinceAsk = false;
    try {
      const { id } = o.publish(served, { cmd: "sync" });
      d.asked = [...d.asked.slice(1 - ASKS_KEPT), id];
      log.info("sync asked", { device: served.device.id, id, retryMs: d.waitMs });
    } catch (error) {
      log.warn("sync not asked; trying again", { device: served.device.id, reason: (error as Error).message });
    }
    d.timer = timers.set(() => ask(served), d.waitMs);
    d.waitMs = Math.min(retryMaxMs, d.waitMs * 2);
  };

  const answered = (served: ServedDevice, d: PerDevice, header: Record<string, unknown>): void => {
    const device = served.device.id;
    const { of: answers, done } = header;
    if (d.synced || typeof answers !== "string" || !d.asked.includes(answers)) {
      log.warn("sync answer ignored: not the one asked for", { device, of: String(answers).slice(0, 16) });
      return;
    }
    if (typeof done !== "number" || !Number.isSafeInteger(done) || done < -1) {
      log.warn("sync answer ignored: no valid floor", { device });
      return;
    }
    // Durable before anything held is received again: a restart in between asks again.
    const state = o.state.update(device, (s) => {
      if (done >= 0 && (s.lastEventSeq === undefined || s.lastEventSeq < done)) s.lastEventSeq = done;
    });
    d.synced = true;
    if (d.timer !== undefined) timers.clear(d.timer);
    d.timer = undefined;
    const held = d.held;
    d.held = [];
    log.info("device in sync", { device, done, lastAccepted: state.lastEventSeq, held: held.length });
    if (held.length) o.release(served, held);
  };

  return {
    check(served, header, envelope) {
      const d = of(served.device.id);
      if (header.type === "sync") {
        answered(served, d, header);
        return "answer";
      }
      if (d.synced || header.resync !== true) return "deliver";
      if (d.held.length >= maxHeld) d.held.shift();
      d.held.push({ topic: envelope.topic, bytes: envelope.bytes.slice() });
      if (d.held.length === 1) log.info("event held until the device answers sync", { device: served.device.id });
      if (!d.heldSinceAsk || now() - d.askedAt >= SYNC_REASK_MS) ask(served);
      d.heldSinceAsk = true;
      return "held";
    },
    synced: (id) => devices.get(id)?.synced === true,
    close() {
      closed = true;
      for (const d of devices.values()) if (d.timer !== undefined) timers.clear(d.timer);
    },
  };
}
