// SPDX-License-Identifier: MIT
// Defence in depth against a flood of snapshot commands (the bridge rate-limits too): a `snapshot` command is
// refused while MAX_COMMAND_SNAPSHOTS_QUEUED snapshots that commands caused are still waiting for a frame or in
// the outbox, so a flood can never fill the outbox ahead of a ring. Refusals are logged once per burst.
import type { Logger } from "./logger.js";

/** Command snapshots that may be outstanding (waiting for their frame, or queued in the outbox) at once. */
export const MAX_COMMAND_SNAPSHOTS_QUEUED = 2;

export interface SnapshotGateOptions {
  log: Logger;
  /** True while the outbox still holds the event with this id (not yet acknowledged nor dropped). */
  queued(id: string): boolean;
  /** Default MAX_COMMAND_SNAPSHOTS_QUEUED. */
  limit?: number;
}

export interface SnapshotGate {
  /** Runs `take` (which starts a snapshot and returns its event id) unless the limit is reached; false when refused. */
  request(take: () => string): boolean;
  /** Call with every event id handed to the outbox: a command snapshot stops waiting for its frame. */
  emitted(id: string): void;
  /** Command snapshots refused since boot. */
  readonly refused: number;
}

export function createSnapshotGate(o: SnapshotGateOptions): SnapshotGate {
  const limit = o.limit ?? MAX_COMMAND_SNAPSHOTS_QUEUED;
  // Outstanding command snapshots; `waiting` until their event reaches the outbox.
  let outstanding: { id: string; waiting: boolean }[] = [];
  let refused = 0;
  let burst = 0;
  // Ids emitted while `take` runs: a frame already in the pre-roll ring is emitted before `take` returns.
  let during: string[] | undefined;
  return {
    request(take) {
      outstanding = outstanding.filter((s) => s.waiting || o.queued(s.id));
      if (outstanding.length >= limit) {
        refused++;
        // The first of a burst now, the burst's count when it ends: two lines per flood, not one per message.
        if (++burst === 1)
          o.log.warn("snapshot command refused: earlier command snapshots still queued", { queued: limit });
        return false;
      }
      if (burst) o.log.warn("snapshot commands refused while the outbox held command snapshots", { count: burst });
      burst = 0;
      during = [];
      try {
        const id = take();
        outstanding.push({ id, waiting: !during.includes(id) });
      } finally {
        during = undefined;
      }
      return true;
    },
    emitted(id) {
      during?.push(id);
      for (const s of outstanding) if (s.id === id) s.waiting = false;
    },
    get refused() {
      return refused;
    },
  };
}
