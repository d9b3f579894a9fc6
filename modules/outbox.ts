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
  /** True while the event with this id is queued (not yet acknowledged nor dropped). Ids are not kept over a reboot. */
  holds(id: string): boolean;
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
  const { store, log } = o;
  const queue: Entry[] = recoverRecords(store, o.checksum, log);
  const stats = emptyStats();
  const count = () => {
    stats.queued = queue.length;
    stats.queuedBytes = queue.reduce((n, e) => n + e.size, 0);
  };
  const sender = createSender(o, queue, stats, (entry) => {
    forgetRecord(store, log, entry);
    count();
  });
  count();
  if (queue.length)
    log.info("outbox recovered events from storage", { queued: stats.queued, bytes: stats.queuedBytes });

  /** Removes the entry the drop policy picks to make room for `incoming`; returns false when that is `incoming` itself. */
  function dropOne(incoming: { dropClass: DropClass; seq: number; size: number }, why: string): boolean {
    const victim = pickVictim(queue, sender.inFlight);
    if (!victim || incoming.dropClass < victim.dropClass) {
      recordDrop(stats, log, incoming, why);
      return false;
    }
    queue.splice(queue.indexOf(victim), 1);
    if (victim === sender.inFlight) sender.abandon();
    forgetRecord(store, log, victim);
    recordDrop(stats, log, victim, why);
    return true;
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
        if (!made) return sender.pump();
      }
      const recordId = appendRecord(store, log, record, meta.seq);
      if (recordId === undefined) stats.unpersisted++;
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
      sender.pump();
    },
    resume: () => sender.resume(),
    holds: (id) => queue.some((e) => e.id === id),
    get stats() {
      count();
      return stats;
    },
    close: () => sender.close(),
  };
}

/** Publishes the head of the queue, one at a time, until its acknowledgement; resends on a timeout with DUP. */
interface Sender {
  readonly inFlight: Entry | undefined;
  pump(): void;
  /** Forgets the publish in flight (dropped, or a new connection): its late callbacks are ignored. */
  abandon(): void;
  resume(): void;
  close(): void;
}

function createSender(
  o: OutboxOptions,
  queue: Entry[],
  stats: OutboxStats,
  onDelivered: (entry: Entry) => void,
): Sender {
  const { mqtt, timers, log } = o;
  let inFlight: Entry | undefined;
  let attempt = 0; // identifies the current publish; a newer one makes older error callbacks stale
  let ackTimer: TimerHandle | undefined;
  let closed = false;

  const stopTimer = () => {
    if (ackTimer) timers.clear(ackTimer);
    ackTimer = undefined;
  };

  function acknowledged(entry: Entry): void {
    if (inFlight === entry) {
      inFlight = undefined;
      stopTimer();
    }
    const at = queue.indexOf(entry);
    if (at < 0) return; // dropped meanwhile, or already acknowledged through an earlier copy
    queue.splice(at, 1);
    stats.published++;
    onDelivered(entry);
    const { id, seq, attempts } = entry;
    log.info("event delivered", {
      type: DROP_CLASS_NAMES[entry.dropClass],
      id,
      seq,
      size: entry.envelope.length,
      attempts,
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
      const { seq, attempts } = entry;
      log.warn("no PUBACK in time; sending again with DUP", { seq, attempts, timeoutMs: o.ackTimeoutMs });
      inFlight = undefined;
      pump();
    }, o.ackTimeoutMs);
    mqtt.publish(o.topic, entry.envelope, { qos: 1, retain: false, dup }, (error) => {
      if (!error) return acknowledged(entry);
      if (mine !== attempt) return;
      inFlight = undefined;
      stopTimer();
      log.warn("publish not acknowledged; kept for the next connection", { seq: entry.seq, reason: error });
    });
  }

  return {
    get inFlight() {
      return inFlight;
    },
    pump,
    abandon() {
      inFlight = undefined;
      stopTimer();
    },
    resume() {
      attempt++;
      inFlight = undefined;
      stopTimer();
      pump();
    },
    close() {
      closed = true;
      stopTimer();
    },
  };
}

function recordDrop(
  stats: OutboxStats,
  log: Logger,
  dropped: { dropClass: DropClass; seq: number; size: number },
  why: string,
): void {
  const name = DROP_CLASS_NAMES[dropped.dropClass];
  stats.dropped++;
  stats.droppedByClass[name]++;
  log.warn(`outbox full (${why}); dropped a ${name} event`, {
    seq: dropped.seq,
    size: dropped.size,
    dropped: stats.dropped,
  });
}

function emptyStats(): OutboxStats {
  return {
    published: 0,
    dropped: 0,
    droppedByClass: { status: 0, snapshot: 0, motion: 0, long_press: 0, ring: 0 },
    queued: 0,
    queuedBytes: 0,
    retransmits: 0,
    unpersisted: 0,
  };
}

/** Records left by the previous boot, oldest first; their sequence numbers are lower than any new one. */
function recoverRecords(store: AppendLogPort, checksum: OutboxOptions["checksum"], log: Logger): Entry[] {
  const entries: Entry[] = [];
  for (const record of store.records()) {
    const decoded = decodeOutboxRecord(record.bytes, checksum);
    if (!decoded) {
      store.remove(record.id);
      log.warn("outbox record torn or in an unknown format; removed unpublished", {
        record: record.id,
        size: record.bytes.length,
      });
      continue;
    }
    entries.push({
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
  return entries;
}

/** Stores `record`; returns its id, or undefined when storing failed (the event is then held in RAM only). */
function appendRecord(store: AppendLogPort, log: Logger, record: Uint8Array, seq: number): number | undefined {
  try {
    return store.append(record);
  } catch (error) {
    log.error("event not stored; held in RAM only, lost on a reset", {
      seq,
      size: record.length,
      reason: (error as Error).message,
    });
    return undefined;
  }
}

function forgetRecord(store: AppendLogPort, log: Logger, entry: Entry): void {
  if (entry.recordId === undefined) return;
  try {
    store.remove(entry.recordId);
  } catch (error) {
    log.error("outbox record not removed; it may be sent again after a reboot", {
      seq: entry.seq,
      reason: (error as Error).message,
    });
  }
}

/** The drop policy: the lowest drop class first, the oldest of a class first; the event in flight only as the last
 * resort, since the broker may already have it. */
function pickVictim(queue: readonly Entry[], inFlight: Entry | undefined): Entry | undefined {
  let victim: Entry | undefined;
  for (const e of queue) {
    if (e === inFlight) continue;
    if (!victim || e.dropClass < victim.dropClass) victim = e;
  }
  return victim ?? inFlight;
}
