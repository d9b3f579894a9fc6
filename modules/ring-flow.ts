// SPDX-License-Identifier: MIT
// What a press does: cooldown check, chime, a ring event with the snapshot of the press instant,
// and a follow-up snapshot about a second later. Every press is logged, published or not.
import { toHex } from "./bytes.js";
import type { Chime } from "./chime.js";
import type { EventHeader, EventType } from "./events.js";
import type { Logger } from "./logger.js";
import type { ClockPort, CryptoPort, Frame, TimerHandle, TimerPort } from "./ports.js";
import type { PreRoll } from "./pre-roll.js";

/** An event before sealing: the sequence number is assigned at sealing time, so seq order is send order. */
export type DraftEvent = Omit<EventHeader, "seq">;

/** Hands a finished event (and its JPEG, valid only during the call) to sealing and delivery. */
export type EmitEvent = (draft: DraftEvent, jpeg: Uint8Array | undefined) => void;

export interface RingFlowOptions {
  clock: ClockPort;
  timers: TimerPort;
  crypto: Pick<CryptoPort, "randomBytes">;
  log: Logger;
  chime: Chime;
  preRoll: PreRoll;
  deviceId: string;
  cooldownS: number;
  followUpMs: number;
  emit: EmitEvent;
  /**
   * Where a snapshot comes from when the pre-roll has no frame for the instant (the camera's buffers went back while
   * the event loop was busy): the clip ring's copies (modules/video/frame-ring.ts), by the same freshness rule.
   */
  fallbackFrame?(atMs: number): Pick<Frame, "jpeg" | "capturedAtMs"> | undefined;
}

export interface RingStats {
  presses: number;
  rings: number;
  suppressed: number;
  longPresses: number;
  snapshotsMissing: number;
  /** Snapshots taken from the clip ring because the pre-roll had none for the instant. */
  snapshotsFromClipRing: number;
}

export interface RingFlow {
  /** A debounced press at monotonic instant `atMs`. */
  press(atMs: number): void;
  longPress(pressAtMs: number, heldMs: number): void;
  /** A snapshot event of the newest frame (the owner's "snapshot now"). */
  /** Takes a snapshot of the frame at this instant (or the next one); returns the snapshot event's id. */
  snapshotNow(reason: string): string;
  readonly stats: RingStats;
  close(): void;
}

export function createRingFlow(o: RingFlowOptions): RingFlow {
  const stats: RingStats = {
    presses: 0,
    rings: 0,
    suppressed: 0,
    longPresses: 0,
    snapshotsMissing: 0,
    snapshotsFromClipRing: 0,
  };
  let lastRingAtMs: number | undefined;
  const followUps = new Set<TimerHandle>();

  const wallAt = (monoMs: number) => o.clock.wallMs() - (o.clock.monotonicMs() - monoMs);

  function header(type: EventType, atMs: number, extra?: Partial<DraftEvent>): DraftEvent {
    return { v: 1, type, id: toHex(o.crypto.randomBytes(8)), device: o.deviceId, atMs: wallAt(atMs), ...extra };
  }

  function emitWithFrame(h: DraftEvent, atMs: number, camera: Frame | undefined): void {
    const fallback = camera ? undefined : o.fallbackFrame?.(atMs);
    if (fallback) stats.snapshotsFromClipRing++;
    const frame = camera ?? fallback;
    if (frame) h.frameAgeMs = atMs - frame.capturedAtMs;
    else {
      stats.snapshotsMissing++;
      o.log.warn("no fresh frame for the event; sent without a snapshot", { type: h.type, id: h.id });
    }
    o.emit(h, frame?.jpeg);
  }

  return {
    press(atMs) {
      stats.presses++;
      const sinceMs = lastRingAtMs === undefined ? Infinity : atMs - lastRingAtMs;
      if (sinceMs < o.cooldownS * 1000) {
        stats.suppressed++;
        o.log.info("press during cooldown; not published", {
          sinceMs,
          cooldownS: o.cooldownS,
          suppressed: stats.suppressed,
        });
        return;
      }
      lastRingAtMs = atMs;
      stats.rings++;
      o.chime.ring();
      const ring = header("ring", atMs);
      o.log.info("ring", { id: ring.id });
      o.preRoll.frameAt(atMs, (frame) => emitWithFrame(ring, atMs, frame));
      if (o.followUpMs > 0) {
        const followAtMs = atMs + o.followUpMs;
        const timer = o.timers.set(
          () => {
            followUps.delete(timer);
            const h = header("snapshot", followAtMs, { of: ring.id, reason: "follow-up" });
            o.preRoll.frameAt(followAtMs, (frame) => emitWithFrame(h, followAtMs, frame));
          },
          Math.max(0, followAtMs - o.clock.monotonicMs()),
        );
        followUps.add(timer);
      }
    },
    longPress(pressAtMs, heldMs) {
      stats.longPresses++;
      const h = header("long_press", pressAtMs, { heldMs });
      o.log.info("long press", { id: h.id, heldMs });
      o.emit(h, undefined);
    },
    snapshotNow(reason) {
      const now = o.clock.monotonicMs();
      const h = header("snapshot", now, { reason });
      o.preRoll.frameAt(now, (frame) => emitWithFrame(h, now, frame));
      return h.id;
    },
    get stats() {
      return stats;
    },
    close() {
      for (const t of followUps) o.timers.clear(t);
      followUps.clear();
    },
  };
}
