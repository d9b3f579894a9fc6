// SPDX-License-Identifier: MIT
// The outbox's sender: publishes the head of the queue, one at a time, QoS 1, until its PUBACK; a publish with no
// PUBACK within `ackTimeoutMs`, or cut off by a reconnect, is sent again with DUP. The envelope is read from
// storage for each publish and not kept: only the index entry stays in RAM.
import type { Logger } from "./logger.js";
import { DROP_CLASS_NAMES, type DropClass, type DropClassName } from "./outbox-record.js";
import type { MqttPort, TimerHandle, TimerPort } from "./ports.js";

/** One queued event, as the outbox keeps it in RAM: a few numbers and, while queued this boot, its id. */
export interface OutboxEntry {
  /** The log record id; undefined while the event is held in RAM because storing it failed. */
  recordId: number | undefined;
  dropClass: DropClass;
  seq: number;
  /** The event id, when known (not after a reboot: only the envelope is stored). */
  id: string | undefined;
  /** Record bytes (envelope plus framing), counted against `maxBytes`. */
  size: number;
  /** Publishes so far in this boot. */
  attempts: number;
  /** Loaded from storage at boot: it may have reached the broker before the reset. */
  recovered: boolean;
  /** The whole record, only while storing it failed (at most one such entry; docs/delivery.md). */
  held: Uint8Array | undefined;
  /** The envelope just sealed, only for the duration of `send`: a publish then needs no read-back. */
  fresh: Uint8Array | undefined;
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
  /** Events that could not be written to storage since boot (each held in RAM, at most one at a time). */
  unpersisted: number;
  /** Stored records that were missing or failed their checksum when due, and were dropped. */
  unreadable: number;
}

/** What the sender needs from the outbox. */
export interface SenderDeps {
  mqtt: MqttPort;
  timers: TimerPort;
  log: Logger;
  topic: string;
  ackTimeoutMs: number;
  queue: OutboxEntry[];
  stats: OutboxStats;
  /**
   * The envelope of `entry`, read from storage now; undefined when the record is gone or corrupt (the outbox
   * has then dropped the entry); throws when storage cannot be read at the moment (tried again later).
   */
  load(entry: OutboxEntry): Uint8Array | undefined;
  onDelivered(entry: OutboxEntry): void;
}

export interface Sender {
  readonly inFlight: OutboxEntry | undefined;
  pump(): void;
  /** Forgets the publish in flight (dropped, or a new connection): its late callbacks are ignored. */
  abandon(): void;
  resume(): void;
  close(): void;
}

export function createSender(d: SenderDeps): Sender {
  const { mqtt, timers, log, queue, stats } = d;
  let inFlight: OutboxEntry | undefined;
  let attempt = 0; // identifies the current publish; a newer one makes older error callbacks stale
  let timer: TimerHandle | undefined; // the ack timeout, or the retry after a failed read
  let closed = false;

  const stopTimer = () => {
    if (timer) timers.clear(timer);
    timer = undefined;
  };

  function acknowledged(entry: OutboxEntry): void {
    if (inFlight === entry) {
      inFlight = undefined;
      stopTimer();
    }
    const at = queue.indexOf(entry);
    if (at < 0) return; // dropped meanwhile, or already acknowledged through an earlier copy
    queue.splice(at, 1);
    stats.published++;
    d.onDelivered(entry);
    const { id, seq, attempts, size } = entry;
    log.info("event delivered", { type: DROP_CLASS_NAMES[entry.dropClass], id, seq, size, attempts });
    pump();
  }

  /** The head's envelope; undefined when none can be published now. Bounded by the queue's length. */
  function headEnvelope(): Uint8Array | undefined {
    while (queue.length) {
      let envelope: Uint8Array | undefined;
      try {
        envelope = d.load(queue[0]);
      } catch (error) {
        log.warn("outbox record unreadable now; trying again", {
          seq: queue[0].seq,
          retryMs: d.ackTimeoutMs,
          reason: (error as Error).message,
        });
        timer = timers.set(() => {
          timer = undefined;
          pump();
        }, d.ackTimeoutMs);
        return undefined;
      }
      if (envelope) return envelope;
      // load() dropped the head: try the next one.
    }
    return undefined;
  }

  function pump(): void {
    if (closed || inFlight || timer || !mqtt.connected) return;
    const envelope = headEnvelope();
    if (!envelope) return;
    const entry = queue[0];
    inFlight = entry;
    entry.attempts++;
    const mine = ++attempt;
    const dup = entry.attempts > 1 || entry.recovered;
    timer = timers.set(() => {
      timer = undefined;
      if (mine !== attempt || inFlight !== entry) return;
      stats.retransmits++;
      const { seq, attempts } = entry;
      log.warn("no PUBACK in time; sending again with DUP", { seq, attempts, timeoutMs: d.ackTimeoutMs });
      inFlight = undefined;
      pump();
    }, d.ackTimeoutMs);
    mqtt.publish(d.topic, envelope, { qos: 1, retain: false, dup }, (error) => {
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
