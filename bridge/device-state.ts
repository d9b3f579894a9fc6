// SPDX-License-Identifier: MIT
// What the bridge must remember per device across restarts: the last event sequence number it accepted
// (docs/protocol.md, replay rule), the last command number it used, the ids of recent events (dedupe),
// and the last diagnostics. One JSON file per device, mode 0600, replaced atomically on every change.
import { mkdirSync, readFileSync } from "node:fs";
import { writeDurably } from "../hosts/node/file-storage.js";
import { join } from "node:path";

/** How many recent event ids are kept per device for deduplication. */
export const RECENT_EVENT_IDS = 256;

export interface DeviceState {
  /** The last event `seq` accepted from the device; absent before the first. */
  lastEventSeq?: number;
  /** SHA-256 (hex) of the last accepted envelope's bytes: a byte-identical copy is a QoS 1 redelivery. */
  lastEventDigest?: string;
  /** The last command `seq` sealed to the device. */
  lastCommandSeq?: number;
  /** Ids of the most recent events, oldest first; at most RECENT_EVENT_IDS. */
  recentEventIds: string[];
  /** The diagnostics last published on the device's info topic. */
  info?: Record<string, unknown>;
}

export interface DeviceStateStore {
  get(deviceId: string): DeviceState;
  /**
   * Applies `change` and writes the result durably before returning it. `change` sees the file's
   * lastCommandSeq when another process (`doorbell command`) raised it, so command numbers never collide.
   */
  update(deviceId: string, change: (state: DeviceState) => void): DeviceState;
}

/** The store under `dir` (created mode 0700). A file that cannot be parsed is an error, never a silent reset. */
export function createDeviceStateStore(dir: string): DeviceStateStore {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const cache = new Map<string, DeviceState>();
  const file = (id: string) => {
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(id))
      throw new RangeError(`device id ${JSON.stringify(id)} cannot name a state file`);
    return join(dir, `${id}.json`);
  };
  const load = (id: string): DeviceState => cache.get(id) ?? cacheFromDisk(id);
  const cacheFromDisk = (id: string): DeviceState => {
    const state = readState(id);
    cache.set(id, state);
    return state;
  };
  const readState = (id: string): DeviceState => {
    let state: DeviceState = { recentEventIds: [] };
    let text: string | undefined;
    try {
      text = readFileSync(file(id), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    if (text !== undefined) {
      try {
        const raw = JSON.parse(text) as DeviceState;
        if (!Array.isArray(raw.recentEventIds)) throw new Error("no recentEventIds");
        state = raw;
      } catch {
        // Resetting would reopen the replay window, so stop and say what to do instead.
        throw new Error(
          `${file(id)}: the bridge's state for ${id} is unreadable; ` +
            "restore it from a backup, or delete it to accept any sequence number once",
        );
      }
    }
    return state;
  };
  return {
    get: (id) => structuredClone(load(id)),
    update(id, change) {
      const next = structuredClone(load(id));
      // `doorbell command` numbers commands in this file too, maybe while this process runs: never go below it.
      const onDisk = readState(id).lastCommandSeq;
      if (onDisk !== undefined && onDisk > (next.lastCommandSeq ?? 0)) next.lastCommandSeq = onDisk;
      change(next);
      if (next.recentEventIds.length > RECENT_EVENT_IDS)
        next.recentEventIds.splice(0, next.recentEventIds.length - RECENT_EVENT_IDS);
      writeDurably(file(id), `${JSON.stringify(next)}\n`);
      cache.set(id, next);
      return structuredClone(next);
    },
  };
}
