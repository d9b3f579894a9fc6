// SPDX-License-Identifier: MIT
// Event headers: what the device reports. Each event has a random id and a device sequence number,
// and is sealed on its own; the header never holds image bytes (the JPEG travels beside it).

export type EventType = "ring" | "long_press" | "motion_start" | "motion_end" | "snapshot" | "status" | "sync";

export interface EventHeader {
  /** Header format version. */
  v: 1;
  type: EventType;
  /** 16 hex digits, random; the bridge dedupes on it. */
  id: string;
  /** Device sequence number; strictly increasing across reboots. */
  seq: number;
  device: string;
  /** Wall-clock time of the event instant (the press, not the publish), Unix ms. */
  atMs: number;
  /** How long before the event instant the attached JPEG was captured (negative: after). */
  frameAgeMs?: number;
  /** For a follow-up snapshot: the id of the event it belongs to; for `sync`, the id of the command it answers. */
  of?: string;
  /**
   * Set on every event of a device with `outbox.confirm`: it keeps its events until the owner confirms them and
   * answers the bridge's `sync` command, so a bridge that has not heard its answer since it started holds the event
   * (docs/delivery.md, "A bridge that lost its state").
   */
  resync?: true;
  /**
   * For `sync`: the device's delivery floor. Every event with a `seq` up to this one has left the outbox for good
   * (confirmed by the owner, or dropped) and is never sent again.
   */
  done?: number;
  /**
   * The event's picture was not sent because it could not be redacted for the privacy zones: the redactor's
   * code (docs/privacy.md). Never set together with a picture.
   */
  pictureWithheld?: string;
  /** Why a snapshot was taken: "follow-up", "command". */
  reason?: string;
  /** For long_press: how long the button had been held. */
  heldMs?: number;
  /** For motion: the bounding box in frame pixels [x, y, w, h]. */
  box?: [number, number, number, number];
  /**
   * For motion_start and motion_end: why the detector fired (docs/motion.md): the thumbnail cells seen moving in
   * that frame, their share of the watched cells in percent, the lighting state ("steady", "step", "settling",
   * "ramp") and the global gain against the background.
   */
  motion?: MotionReason;
  /** Extra diagnostic numbers (status events). */
  stats?: Record<string, number | string>;
}

/** The reason a motion event fired, carried in its header. */
export interface MotionReason {
  cells: number;
  areaPct: number;
  light: string;
  gain: number;
}
