// SPDX-License-Identifier: MIT
// The persistent outbox: a sealed event is appended to storage before it is published, and leaves
// only on its PUBACK, so it survives a reboot or a power cut. QoS 1, in order, one in flight (outbox-sender.ts).
// Bounded by count and bytes; when full, the lowest drop class goes first (docs/delivery.md).
// With `confirm`, an event sealed with a confirmation key leaves only when the owner's bridge confirms it
// (`confirmations`, envelope/confirmation.ts): its PUBACK no longer ends it. The key is the record's tag.
// RAM holds only an index entry per event (outbox-sender.ts, OutboxEntry); the envelope is read from storage
// when it is due. Limit: when storing fails, at most one event is held in RAM, lost on a reset.
import { CONFIRM_KEY_BYTES, confirmationMac, decodeConfirmations, sameMac } from "./envelope/confirmation.js";
import type { Logger } from "./logger.js";
import {
  DROP_CLASS_NAMES,
  decodeOutboxRecord,
  dropClassOf,
  encodeOutboxRecord,
  OUTBOX_RECORD_TRAILER_BYTES,
  type DropClass,
  type RecordChecksum,
} from "./outbox-record.js";
import { createSender, type OutboxEntry, type OutboxStats, type Sender } from "./outbox-sender.js";
import type { AppendLogPort, CryptoPort, MqttPort, TimerPort } from "./ports.js";

export type { OutboxStats } from "./outbox-sender.js";

export interface OutboxOptions {
  mqtt: MqttPort;
  /** Where the records live (littlefs on the device). Records already there are indexed at boot, in order. */
  store: AppendLogPort;
  timers: TimerPort;
  log: Logger;
  /** The sealed-event topic. */
  topic: string;
  /** The one integrity check per record; `recordChecksum(host.crypto)` (native on the device). */
  checksum: RecordChecksum;
  /** Most events held; beyond it one is dropped by the drop policy. */
  maxEvents: number;
  /** Most record bytes held (envelopes plus 7 bytes each: header and checksum). */
  maxBytes: number;
  /** A publish with no PUBACK after this long is sent again with DUP [MQTT-3.3.1-1]. */
  ackTimeoutMs: number;
  /**
   * The owner confirms delivery (docs/delivery.md): an event sent with a `tag` of CONFIRM_KEY_BYTES (its
   * confirmation key) stays queued after its PUBACK until a confirmation with a valid MAC arrives.
   */
  confirm?: {
    timeoutMs: number;
    /** Default CONFIRM_BACKOFF_FACTOR times `timeoutMs`. */
    maxTimeoutMs?: number;
    crypto: Pick<CryptoPort, "hmacSha256">;
    deviceId: string;
  };
}

/** The wait for a confirmation grows, by default, to this many times the first. */
export const CONFIRM_BACKOFF_FACTOR = 16;
/**
 * Events published and waiting for their confirmation at once: one. The bridge accepts each device's sequence
 * numbers only upwards, so a later event must never reach it while an earlier one may still be lost between the
 * broker and the bridge (a broker crash, a stolen session): it would make the earlier one a replay (docs/delivery.md).
 */
export const CONFIRM_WINDOW = 1;

export interface Outbox {
  /**
   * Stores one sealed event (ciphertext only), then publishes it when its turn comes. `tag`: an optional
   * per-record tag (at most MAX_RECORD_TAG_BYTES) stored beside the envelope, read back with the record.
   */
  send(sealed: Uint8Array, meta: { id: string; seq: number; type: string; tag?: Uint8Array }): void;
  /**
   * A message from the owner's bridge on the device's confirmation topic: each confirmation whose MAC checks
   * under its event's key removes that event; anything else is refused, logged with its reason, and changes nothing.
   */
  confirmations(payload: Uint8Array): void;
  /** Call on every (re)connect: what was in flight is sent again with DUP. */
  resume(): void;
  /** True while the event with this id is queued (not yet acknowledged nor dropped). Ids are not kept over a reboot. */
  holds(id: string): boolean;
  /** The lowest sequence number still queued (may still be sent); undefined when the outbox is empty. */
  readonly lowestSeq: number | undefined;
  readonly stats: OutboxStats;
  close(): void;
}

/** The outbox's RAM: the index, the stats, and the sender that publishes the index's head. */
interface State {
  o: OutboxOptions;
  queue: OutboxEntry[];
  stats: OutboxStats;
  sender: Sender;
}

export function createOutbox(o: OutboxOptions): Outbox {
  const { store, log } = o;
  const st: State = {
    o,
    queue: recoverRecords(o),
    stats: emptyStats(),
    sender: undefined as unknown as Sender, // set just below: the sender needs the state
  };
  const { queue, stats } = st;
  st.sender = createSender({
    mqtt: o.mqtt,
    timers: o.timers,
    log,
    topic: o.topic,
    ackTimeoutMs: o.ackTimeoutMs,
    queue,
    stats,
    load: (entry) => loadEnvelope(st, entry),
    onDelivered(entry) {
      forgetRecord(store, log, entry);
      entry.confirmKey?.fill(0);
      storeHeld(st);
      count(st);
    },
    confirm: o.confirm && {
      timeoutMs: o.confirm.timeoutMs,
      maxTimeoutMs: o.confirm.maxTimeoutMs ?? o.confirm.timeoutMs * CONFIRM_BACKOFF_FACTOR,
      window: CONFIRM_WINDOW,
    },
  });
  count(st);
  if (queue.length)
    log.info("outbox recovered events from storage", { queued: stats.queued, bytes: stats.queuedBytes });

  return {
    send(sealed, meta) {
      const dropClass = dropClassOf(meta.type);
      const record = encodeOutboxRecord(dropClass, sealed, o.checksum, meta.tag);
      const entry: OutboxEntry = {
        recordId: undefined,
        dropClass,
        seq: meta.seq,
        id: meta.id,
        size: record.length,
        attempts: 0,
        recovered: false,
        held: undefined,
        confirmKey: confirmKeyOf(o, meta.tag),
        pubacked: false,
        // A view of our own copy: the caller may reuse `sealed`, the MQTT port may still be writing this.
        fresh: record.subarray(
          record.length - OUTBOX_RECORD_TRAILER_BYTES - sealed.length,
          record.length - OUTBOX_RECORD_TRAILER_BYTES,
        ),
      };
      if (!makeRoom(st, entry)) return st.sender.pump();
      entry.recordId = appendRecord(store, log, record, meta.seq);
      if (entry.recordId === undefined) {
        stats.unpersisted++;
        if (!holdInRam(st, entry, record)) return st.sender.pump();
      }
      queue.push(entry);
      count(st);
      st.sender.pump();
      entry.fresh = undefined; // from here on the envelope is read from storage when due
    },
    confirmations: (payload) => handleConfirmations(st, payload),
    resume: () => st.sender.resume(),
    holds: (id) => queue.some((e) => e.id === id),
    get lowestSeq() {
      return queue.reduce<number | undefined>((low, e) => (low === undefined || e.seq < low ? e.seq : low), undefined);
    },
    get stats() {
      count(st);
      return stats;
    },
    close: () => st.sender.close(),
  };
}

/** The confirmation key among `tag`, when confirmations are on and the tag is one. */
function confirmKeyOf(o: OutboxOptions, tag: Uint8Array | undefined): Uint8Array | undefined {
  return o.confirm && tag?.length === CONFIRM_KEY_BYTES ? tag.slice() : undefined;
}

/** Checks each confirmation of a message against its queued event's key; only a valid one removes it. */
function handleConfirmations(st: State, payload: Uint8Array): void {
  const { o, queue, stats } = st;
  const { log } = o;
  if (!o.confirm) return log.debug("confirmation ignored: confirmations are off", { size: payload.length });
  const decoded = decodeConfirmations(payload);
  if (!decoded.ok) {
    stats.refusedConfirmations++;
    return log.warn("confirmation refused", { reason: decoded.reason, size: payload.length });
  }
  for (const { seq, mac } of decoded.items) {
    const entry = queue.find((e) => e.seq === seq && e.confirmKey);
    if (!entry?.confirmKey) {
      // Already confirmed (a repeated or replayed confirmation), dropped by the bound, or never sent.
      stats.refusedConfirmations++;
      log.info("confirmation refused", { reason: "not-queued", seq });
      continue;
    }
    if (!sameMac(mac, confirmationMac(o.confirm.crypto, entry.confirmKey, o.confirm.deviceId, seq))) {
      stats.refusedConfirmations++;
      log.warn("confirmation refused", { reason: "bad-mac", seq });
      continue;
    }
    st.sender.confirmed(entry);
  }
  count(st);
}

function count({ stats, queue }: State): void {
  stats.queued = queue.length;
  stats.queuedBytes = queue.reduce((n, e) => n + e.size, 0);
}

/** The envelope of `entry`: read from storage (or the held record) and checked; drops the entry when it is gone. */
function loadEnvelope(st: State, entry: OutboxEntry): Uint8Array | undefined {
  const { store, log, checksum } = st.o;
  if (entry.fresh) return entry.fresh;
  const bytes = entry.held ?? (entry.recordId === undefined ? undefined : store.read(entry.recordId));
  const decoded = bytes && decodeOutboxRecord(bytes, checksum);
  if (decoded && decoded.seq === entry.seq) return decoded.envelope;
  st.queue.splice(st.queue.indexOf(entry), 1);
  forgetRecord(store, log, entry);
  st.stats.unreadable++;
  count(st);
  log.error("outbox record missing or failing its checksum when due; dropped unpublished", {
    record: entry.recordId,
    seq: entry.seq,
    type: DROP_CLASS_NAMES[entry.dropClass],
  });
  return undefined;
}

/** Tries again to store the event held in RAM (after a delivery has freed room). */
function storeHeld({ o, queue }: State): void {
  const entry = queue.find((e) => e.held);
  if (!entry?.held) return;
  try {
    entry.recordId = o.store.append(entry.held);
    entry.held = undefined;
    o.log.info("event held in RAM now stored", { seq: entry.seq, record: entry.recordId });
  } catch {
    // still failing: it stays held, and the next delivery tries again
  }
}

/** Removes `victim`, counting the drop. */
function dropEntry(st: State, victim: OutboxEntry, why: string): void {
  st.queue.splice(st.queue.indexOf(victim), 1);
  if (victim === st.sender.inFlight) st.sender.abandon();
  forgetRecord(st.o.store, st.o.log, victim);
  recordDrop(st.stats, st.o.log, victim, why);
  count(st);
}

/** Makes room for `incoming` by the drop policy; false when `incoming` itself is the one to drop. */
function makeRoom(st: State, incoming: OutboxEntry): boolean {
  const { o, queue, stats } = st;
  count(st);
  // Bounded: each turn removes one entry or returns.
  while (queue.length + 1 > o.maxEvents || stats.queuedBytes + incoming.size > o.maxBytes) {
    const why =
      queue.length + 1 > o.maxEvents ? `outbox full (${o.maxEvents} events)` : `outbox full (${o.maxBytes} bytes)`;
    const victim = pickVictim(queue, st.sender.inFlight);
    if (!victim || incoming.dropClass < victim.dropClass) {
      recordDrop(stats, o.log, incoming, why);
      return false;
    }
    dropEntry(st, victim, why);
  }
  return true;
}

/**
 * Storing failed: the event is held in RAM, but only one at a time. With one already held, the drop policy
 * picks between the two (the lower class goes; of the same class, the older). False when `incoming` goes.
 */
function holdInRam(st: State, incoming: OutboxEntry, record: Uint8Array): boolean {
  const why = "storage failing, one event already held in RAM";
  const already = st.queue.find((e) => e.held);
  if (already && incoming.dropClass < already.dropClass) {
    recordDrop(st.stats, st.o.log, incoming, why);
    return false;
  }
  if (already) dropEntry(st, already, why);
  incoming.held = record;
  return true;
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
  log.warn(`${why}; dropped a ${name} event`, {
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
    unreadable: 0,
    confirmed: 0,
    refusedConfirmations: 0,
  };
}

/**
 * The index of the records left by the previous boot, in sequence order (their sequence numbers are lower than
 * any new one). Each record is read and checked once, then let go: only its index entry stays in RAM.
 */
function recoverRecords(o: OutboxOptions): OutboxEntry[] {
  const { store, checksum, log } = o;
  const entries: OutboxEntry[] = [];
  for (const id of store.ids()) {
    let bytes: Uint8Array | undefined;
    try {
      bytes = store.read(id);
    } catch (error) {
      log.warn("outbox record unreadable now; left in storage for the next boot", {
        record: id,
        reason: (error as Error).message,
      });
      continue;
    }
    if (!bytes) continue; // removed meanwhile
    const decoded = decodeOutboxRecord(bytes, checksum);
    if (!decoded) {
      store.remove(id);
      log.warn("outbox record torn or in an unknown format; removed unpublished", { record: id, size: bytes.length });
      continue;
    }
    entries.push({
      recordId: id,
      dropClass: decoded.dropClass,
      seq: decoded.seq,
      id: undefined,
      size: bytes.length,
      attempts: 0,
      recovered: true,
      held: undefined,
      fresh: undefined,
      // Read from flash: a confirmation for an event sealed before the reboot is still checked.
      confirmKey: confirmKeyOf(o, decoded.tag),
      pubacked: false,
    });
  }
  // In sequence order, which is the bridge's order: an event held in RAM and stored later has a newer record id.
  return entries.sort((a, b) => a.seq - b.seq);
}

/** Stores `record`; returns its id, or undefined when storing failed (the event may then be held in RAM). */
function appendRecord(store: AppendLogPort, log: Logger, record: Uint8Array, seq: number): number | undefined {
  try {
    return store.append(record);
  } catch (error) {
    log.error("event not stored; held in RAM only (one at most), lost on a reset", {
      seq,
      size: record.length,
      reason: (error as Error).message,
    });
    return undefined;
  }
}

function forgetRecord(store: AppendLogPort, log: Logger, entry: OutboxEntry): void {
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
function pickVictim(queue: readonly OutboxEntry[], inFlight: OutboxEntry | undefined): OutboxEntry | undefined {
  let victim: OutboxEntry | undefined;
  for (const e of queue) {
    if (e === inFlight) continue;
    if (!victim || e.dropClass < victim.dropClass) victim = e;
  }
  return victim ?? inFlight;
}
