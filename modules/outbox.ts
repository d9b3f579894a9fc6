// SPDX-License-Identifier: MIT
// The persistent outbox: a sealed event is appended to storage before it is published, and leaves
// only on its PUBACK, so it survives a reboot or a power cut. QoS 1, in order, one in flight; a publish
// not acknowledged within `ackTimeoutMs`, or cut off by a reconnect, is sent again with DUP set.
// Bounded by count and bytes; when full, the lowest drop class goes first (docs/delivery.md).
// Limit: queued envelopes are held in RAM too (PSRAM on the device), up to `maxBytes`.
import type { Logger } from "./logger.js";
import {
  decodeOutboxRecord,
  DROP_CLASS_NAMES,
  dropClassOf,
  encodeOutboxRecord,
  OUTBOX_RECORD_HEADER_BYTES,
  OUTBOX_RECORD_TRAILER_BYTES,
  type DropClass,
  type DropClassName,
  type RecordChecksum,
} from "./outbox-record.js";
import type { AppendLogPort, MqttPort, TimerHandle, TimerPort } from "./ports.js";

export interface OutboxOptions {
  mqtt: MqttPort;
  /** Where the records live (littlefs on the device). Records already there are loaded, in order. */
  store: AppendLogPort;
  timers: TimerPort;
  log: Logger;
  /** The sealed-event topic. */
  topic: string;
  /** Detects torn records; `recordChecksum(host.crypto)` (native on the device). */
  checksum: RecordChecksum;
  /** Most events held; beyond it one is dropped by the drop policy. */
  maxEvents: number;
  /** Most record bytes held (envelopes plus 6 bytes each: header and checksum). */
  maxBytes: number;
  /** A publish with no PUBACK after this long is sent again with DUP [MQTT-3.3.1-1]. */
  ackTimeoutMs: number;
}

export interface OutboxStats {
  /** Events acknowledged by the broker since boot. */
  published: number;
  /** Events dropped by the bound since boot, all classes. */
  dropped: number;
  droppedByClass: Record<DropClassName, number>;
  queued: number;
  queuedBytes: number;
  /** Publishes sent again: after an ack timeout or a reconnect. */
  retransmits: number;
  /** Events that could not be written to storage and are held in RAM only. */
  unpersisted: number;
}

export interface Outbox {
  /** Stores one sealed event (ciphertext only), then publishes it when its turn comes. */
  send(sealed: Uint8Array, meta: { id: string; seq: number; type: string }): void;
  /** Call on every (re)connect: what was in flight is sent again with DUP. */
  resume(): void;
  readonly stats: OutboxStats;
  close(): void;
}

interface Entry {
  /** The log record id; undefined when storing it failed. */
  recordId: number | undefined;
  dropClass: DropClass;
  seq: number;
  /** The event id, when known (not after a reboot: only the envelope is stored). */
  id: string | undefined;
  envelope: Uint8Array;
  size: number;
  /** Publishes so far in this boot. */
  attempts: number;
  /** Loaded from storage at boot: it may have reached the broker before the reset. */
  recovered: boolean;
}

export function createOutbox(o: OutboxOptions): Outbox {
  const { mqtt, store, timers, log, topic } = o;
  const queue: Entry[] = [];
  const stats: OutboxStats = {
    published: 0,
    dropped: 0,
    droppedByClass: { status: 0, snapshot: 0, motion: 0, long_press: 0, ring: 0 },
    queued: 0,
    queuedBytes: 0,
    retransmits: 0,
    unpersisted: 0,
  };
  let inFlight: Entry | undefined;
  let attempt = 0; // identifies the current publish; a newer one makes older error callbacks stale
  let ackTimer: TimerHandle | undefined;
  let closed = false;

  const count = () => {
    stats.queued = queue.length;
    stats.queuedBytes = queue.reduce((n, e) => n + e.size, 0);
  };

  const forget = (entry: Entry) => {
    if (entry.recordId === undefined) return;
    try {
      store.remove(entry.recordId);
    } catch (error) {
      log.error("outbox record not removed; it may be sent again after a reboot", {
        seq: entry.seq,
        reason: (error as Error).message,
      });
    }
  };

  const stopTimer = () => {
    if (ackTimer) timers.clear(ackTimer);
    ackTimer = undefined;
  };

  // Records left by the previous boot, oldest first; their sequence numbers are lower than any new one.
  for (const record of store.records()) {
    const decoded = decodeOutboxRecord(record.bytes, o.checksum);
    if (!decoded) {
      store.remove(record.id);
      log.warn("outbox record torn or in an unknown format; removed unpublished", {
        record: record.id,
        size: record.bytes.length,
      });
      continue;
    }
    queue.push({
      recordId: record.id,
      dropClass: decoded.dropClass,
      seq: decoded.seq,
      id: undefined,
      envelope: decoded.envelope,
      size: record.bytes.length,
      attempts: 0,
      recovered: true,
    });
  }
  count();
  if (queue.length)
    log.info("outbox recovered events from storage", { queued: stats.queued, bytes: stats.queuedBytes });

  function acknowledged(entry: Entry): void {
    if (inFlight === entry) {
      inFlight = undefined;
      stopTimer();
    }
    const at = queue.indexOf(entry);
    if (at < 0) return; // dropped meanwhile, or already acknowledged through an earlier copy
    queue.splice(at, 1);
    forget(entry);
    stats.published++;
    count();
    log.info("event delivered", {
      type: DROP_CLASS_NAMES[entry.dropClass],
      id: entry.id,
      seq: entry.seq,
      size: entry.envelope.length,
      attempts: entry.attempts,
    });
    pump();
  }

  function pump(): void {
    if (closed || inFlight || !mqtt.connected || queue.length === 0) return;
    const entry = queue[0];
    inFlight = entry;
    entry.attempts++;
    const mine = ++attempt;
    const dup = entry.attempts > 1 || entry.recovered;
    ackTimer = timers.set(() => {
      ackTimer = undefined;
      if (mine !== attempt || inFlight !== entry) return;
      stats.retransmits++;
      log.warn("no PUBACK in time; sending again with DUP", {
        seq: entry.seq,
        attempts: entry.attempts,
        timeoutMs: o.ackTimeoutMs,
      });
      inFlight = undefined;
      pump();
    }, o.ackTimeoutMs);
    mqtt.publish(topic, entry.envelope, { qos: 1, retain: false, dup }, (error) => {
      if (!error) return acknowledged(entry);
      if (mine !== attempt) return;
      inFlight = undefined;
      stopTimer();
      log.warn("publish not acknowledged; kept for the next connection", { seq: entry.seq, reason: error });
    });
  }

  /** Removes the entry the drop policy picks to make room for `incoming`; returns false when that is `incoming` itself. */
  function dropOne(incoming: { dropClass: DropClass; seq: number; size: number }, why: string): boolean {
    let victim: Entry | undefined;
    for (const e of queue) {
      if (e === inFlight) continue; // the broker may already have it; drop it only as the last resort
      if (!victim || e.dropClass < victim.dropClass) victim = e;
    }
    if (!victim && inFlight) victim = inFlight;
    if (!victim || incoming.dropClass < victim.dropClass) {
      recordDrop(incoming.dropClass, incoming.seq, incoming.size, why);
      return false;
    }
    queue.splice(queue.indexOf(victim), 1);
    if (victim === inFlight) {
      inFlight = undefined;
      stopTimer();
    }
    forget(victim);
    recordDrop(victim.dropClass, victim.seq, victim.size, why);
    return true;
  }

  function recordDrop(dropClass: DropClass, seq: number, size: number, why: string): void {
    const name = DROP_CLASS_NAMES[dropClass];
    stats.dropped++;
    stats.droppedByClass[name]++;
    log.warn(`outbox full (${why}); dropped a ${name} event`, { seq, size, dropped: stats.dropped });
  }

  return {
    send(sealed, meta) {
      const dropClass = dropClassOf(meta.type);
      const record = encodeOutboxRecord(dropClass, sealed, o.checksum);
      const incoming = { dropClass, seq: meta.seq, size: record.length };
      count();
      while (queue.length + 1 > o.maxEvents || stats.queuedBytes + record.length > o.maxBytes) {
        const why = queue.length + 1 > o.maxEvents ? `${o.maxEvents} events` : `${o.maxBytes} bytes`;
        const made = dropOne(incoming, why);
        count();
        if (!made) return pump();
      }
      let recordId: number | undefined;
      try {
        recordId = store.append(record);
      } catch (error) {
        stats.unpersisted++;
        log.error("event not stored; held in RAM only, lost on a reset", {
          seq: meta.seq,
          size: record.length,
          reason: (error as Error).message,
        });
      }
      queue.push({
        recordId,
        dropClass,
        seq: meta.seq,
        id: meta.id,
        envelope: record.subarray(OUTBOX_RECORD_HEADER_BYTES, record.length - OUTBOX_RECORD_TRAILER_BYTES),
        size: record.length,
        attempts: 0,
        recovered: false,
      });
      count();
      pump();
    },
    resume() {
      attempt++;
      inFlight = undefined;
      stopTimer();
      pump();
    },
    get stats() {
      count();
      return stats;
    },
    close() {
      closed = true;
      stopTimer();
    },
  };
}
