// SPDX-License-Identifier: MIT
// Seals the owner's commands for a device (modules/commands.ts) and publishes them: a press of Home Assistant's
// "Take snapshot" button, and the live-view start/stop the video endpoint asks for (bridge/video/live-demand.ts).
// Retained presses and unknown payloads are ignored, and snapshot presses beyond a per-device rate (SNAPSHOT_BURST
// at once, one more every SNAPSHOT_REFILL_MS) are refused, logged once per burst with a count: a flood of presses
// must not fill the doorbell's outbox ahead of a real ring.
import type { MqttClient } from "mqtt";
import { fromUtf8, toHex } from "../modules/bytes.js";
import { type LiveViewRequest, sealCommand } from "../modules/commands.js";
import type { Logger } from "../modules/logger.js";
import type { CryptoPort } from "../modules/ports.js";
import type { BridgeStats } from "./bridge-stats.js";
import type { BurstLog } from "./burst-log.js";
import type { DeviceStateStore } from "./device-state.js";
import { createTokenBucket, type TokenBucket } from "./rate-limit.js";
import type { ServedDevice } from "./served-device.js";

/** Snapshot commands a device may get at once. */
export const SNAPSHOT_BURST = 3;
/** Then one more every this many ms. */
export const SNAPSHOT_REFILL_MS = 10_000;

export interface CommandSenderOptions {
  client: MqttClient;
  crypto: CryptoPort;
  /** The owner's X25519 secret. */
  ownerSecret: Uint8Array;
  signCommand(message: Uint8Array): Uint8Array;
  state: DeviceStateStore;
  stats: BridgeStats;
  log: Logger;
  /** Wall clock, Unix ms. */
  now: () => number;
  burstLog: BurstLog;
  /** Default SNAPSHOT_BURST and SNAPSHOT_REFILL_MS. */
  snapshotRate?: { burst: number; refillMs: number };
}

/**
 * Numbers and records the next command for `deviceId`: max(last + 1, nowMs), durably, before it is sealed.
 * Time-based, so a bridge that lost its state still numbers above what the device accepted; read inside the
 * update, so the bridge and `doorbell command` (bridge/cli/command.ts) never use the same number.
 */
export function nextCommandSeq(state: DeviceStateStore, deviceId: string, nowMs: number): number {
  let seq = 0;
  state.update(deviceId, (s) => {
    seq = Math.max((s.lastCommandSeq ?? 0) + 1, nowMs);
    s.lastCommandSeq = seq;
  });
  return seq;
}

/** A command the bridge seals by itself, without its envelope fields (v, id, atMs are filled in). */
export type OwnerCommand = { cmd: "snapshot" } | { cmd: "live-view"; live: LiveViewRequest } | { cmd: "sync" };

/** Seals and publishes one command; returns its id and sequence number. */
export type CommandPublisher = (served: ServedDevice, command: OwnerCommand) => { id: string; seq: number };

/**
 * Numbers, seals, signs and publishes `command` to the device's command topic (QoS 1, never retained), and counts
 * it in `stats.commands`. No rate limit here: the callers limit what they send.
 */
export function createCommandPublisher(
  o: Pick<CommandSenderOptions, "client" | "crypto" | "ownerSecret" | "signCommand" | "state" | "stats" | "now">,
): CommandPublisher {
  return (served, command) => {
    const { device } = served;
    const seq = nextCommandSeq(o.state, device.id, o.now());
    const id = toHex(o.crypto.randomBytes(8));
    const sealed = sealCommand({
      crypto: o.crypto,
      ownerSecret: o.ownerSecret,
      sign: o.signCommand,
      devicePublicKey: device.publicKey,
      deviceId: device.id,
      topic: served.topics.command,
      seq,
      command:
        command.cmd === "live-view"
          ? { v: 1, cmd: "live-view", id, atMs: o.now(), live: command.live }
          : { v: 1, cmd: command.cmd, id, atMs: o.now() },
    });
    o.client.publish(served.topics.command, Buffer.from(sealed), { qos: 1, retain: false });
    o.stats.commands++;
    return { id, seq };
  };
}

/** Returns the handler for a message on a device's Home Assistant snapshot button topic. */
export function createCommandSender(o: CommandSenderOptions) {
  const { log } = o;
  const publish = createCommandPublisher(o);
  const rate = o.snapshotRate ?? { burst: SNAPSHOT_BURST, refillMs: SNAPSHOT_REFILL_MS };
  const buckets = new Map<string, TokenBucket>();
  const allowed = (deviceId: string) => {
    let bucket = buckets.get(deviceId);
    if (!bucket) buckets.set(deviceId, (bucket = createTokenBucket({ ...rate, now: o.now })));
    return bucket.take();
  };
  return function onSnapshotButton(served: ServedDevice, payload: Uint8Array, retained: boolean): void {
    const { device } = served;
    if (retained) {
      log.warn("retained command ignored; commands must not be retained", { device: device.id });
      return;
    }
    if (fromUtf8(payload) !== "snapshot") {
      log.warn("unknown button payload ignored", { device: device.id, size: payload.length });
      return;
    }
    if (!allowed(device.id)) {
      o.stats.rateLimited++;
      o.burstLog.note(`rate-limited/${device.id}`, "warn", "snapshot press refused: rate limit", {
        device: device.id,
        burst: rate.burst,
        refillS: rate.refillMs / 1000,
      });
      return;
    }
    const { id, seq } = publish(served, { cmd: "snapshot" });
    log.info("snapshot command sealed and sent", { device: device.id, id, seq });
  };
}
