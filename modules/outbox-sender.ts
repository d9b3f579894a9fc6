// SPDX-License-Identifier: MIT
// The outbox's sender: publishes the head of the queue, one at a time, QoS 1, until its PUBACK; a publish with no
// PUBACK within `ackTimeoutMs`, or cut off by a reconnect, is sent again with DUP. The envelope is read from
// storage for each publish and not kept: only the index entry stays in RAM.
// With `confirm`, a PUBACK no longer ends an event that has a confirmation key: it stays queued until the owner's
// bridge confirms it (outbox.ts), and the sender goes on with the next one, up to `window` unconfirmed events.
// When no confirmation comes for `timeoutMs` (doubling per silent round, up to `maxTimeoutMs`), or on a reconnect,
// every published, unconfirmed event is sent again, oldest first, so the bridge still sees them in order.
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
  /**
   * The event's delivery confirmation key (envelope/confirmation.ts), kept in its record's tag and read back at
   * boot; undefined for an event the owner does not confirm (then its PUBACK ends it). Secret.
   */
  confirmKey: Uint8Array | undefined;
  /** PUBACKed and waiting for the owner's confirmation (only with a `confirmKey` and `confirm` on). */
  pubacked: boolean;
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
  /** Events the owner's bridge confirmed (and so left the outbox) since boot. */
  confirmed: number;
  /** Confirmations refused since boot: malformed, a wrong MAC, or for no queued event. */
  refusedConfirmations: number;
}

/** Waiting for the owner's confirmations (docs/delivery.md). */
export interface ConfirmTiming {
  /** First wait for a confirmation after a PUBACK before everything unconfirmed is sent again. */
  timeoutMs: number;
  /** The wait doubles per round without any confirmation, up to this. */
  maxTimeoutMs: number;
  /** Most events published and waiting for their confirmation at once. */
  window: number;
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
  /** When given, events with a confirmation key stay queued after their PUBACK until `confirmed`. */
  confirm?: ConfirmTiming;
}

export interface Sender {
  readonly inFlight: OutboxEntry | undefined;
  pump(): void;
  /** Forgets the publish in flight (dropped, or a new connection): its late callbacks are ignored. */
  abandon(): void;
  /**
   * A new connection: what was in flight goes again, and so does everything PUBACKed but unconfirmed, oldest first
   * (the broker may have lost it: a crash before it saved it), before anything newer.
   */
  resume(): void;
  /** The owner confirmed `entry` (its MAC checked by the outbox): it leaves the queue now. */
  confirmed(entry: OutboxEntry): void;
  close(): void;
}

/** On a reconnect, what was in flight and what waits for a confirmation go again: each counts as a retransmit. */
function goingAgain(queue: OutboxEntry[], inFlight: OutboxEntry | undefined): number {
  return queue.filter((e) => e === inFlight || e.pubacked).length;
}

/** Go-back-N: every published, unconfirmed event is due again, oldest first. */
function goBack(queue: OutboxEntry[]): void {
  for (const e of queue) e.pubacked = false;
}

/**
 * The wait for the owner's confirmations: armed while some event is PUBACKed and unconfirmed; when it runs out,
 * `resend` sends them all again and the next wait doubles, up to `maxTimeoutMs`. A confirmation restarts it.
 */
function createConfirmWait(d: SenderDeps, resend: () => void) {
  const { timers, log, queue, stats } = d;
  let timer: TimerHandle | undefined;
  let silentRounds = 0; // rounds without any confirmation: the backoff's exponent
  const waitMsOf = (c: ConfirmTiming) => Math.min(c.maxTimeoutMs, c.timeoutMs * 2 ** Math.min(silentRounds, 20));
  const stop = () => {
    if (timer) timers.clear(timer);
    timer = undefined;
  };
  const expired = (c: ConfirmTiming, waitedMs: number) => {
    timer = undefined;
    const waiting = queue.filter((e) => e.pubacked);
    if (!waiting.length) return;
    silentRounds++;
    stats.retransmits += waiting.length;
    log.warn("no confirmation from the owner in time; sending the unconfirmed events again", {
      seq: waiting[0].seq,
      events: waiting.length,
      waitedMs,
      nextWaitMs: waitMsOf(c),
    });
    resend();
  };
  return {
    /** Starts the wait unless one is running or nothing waits for a confirmation. */
    arm() {
      const c = d.confirm;
      if (!c || timer || !queue.some((e) => e.pubacked)) return;
      const waitMs = waitMsOf(c);
      timer = timers.set(() => expired(c, waitMs), waitMs);
    },
    stop,
    /** A confirmation came: the backoff starts over. */
    progress() {
      silentRounds = 0;
      stop();
    },
  };
}

/** The next entry to publish: the oldest not yet PUBACKed, within the confirmation window. */
function dueEntry(d: SenderDeps): OutboxEntry | undefined {
  const { queue } = d;
  const limit = Math.min(queue.length, d.confirm ? d.confirm.window : 1);
  for (let i = 0; i < limit; i++) if (!queue[i].pubacked) return queue[i];
  return undefined;
}

/**
 * The due entry and its envelope; undefined when none is due; `retry` when storage cannot be read now (the caller
 * tries again after `ackTimeoutMs`). Bounded by the queue's length: each failed load drops an entry.
 */
function loadDue(d: SenderDeps): { entry: OutboxEntry; envelope: Uint8Array } | "retry" | undefined {
  for (let entry = dueEntry(d); entry; entry = dueEntry(d)) {
    let envelope: Uint8Array | undefined;
    try {
      envelope = d.load(entry);
    } catch (error) {
      d.log.warn("outbox record unreadable now; trying again", {
        seq: entry.seq,
        retryMs: d.ackTimeoutMs,
        reason: (error as Error).message,
      });
      return "retry";
    }
    if (envelope) return { entry, envelope };
    // load() dropped it: try the next one.
  }
  return undefined;
}

function logDelivered(log: Logger, entry: OutboxEntry, confirmed: boolean): void {
  const { id, seq, attempts, size } = entry;
  log.info("event delivered", { type: DROP_CLASS_NAMES[entry.dropClass], id, seq, size, attempts, confirmed });
}

/** Takes a confirmed entry out of the queue; false when it is gone already. */
function takeConfirmed(d: SenderDeps, entry: OutboxEntry): boolean {
  const at = d.queue.indexOf(entry);
  if (at < 0) return false;
  d.queue.splice(at, 1);
  d.stats.confirmed++;
  d.onDelivered(entry);
  logDelivered(d.log, entry, true);
  return true;
}

export function createSender(d: SenderDeps): Sender {
  const { mqtt, timers, log, queue, stats } = d;
  let inFlight: OutboxEntry | undefined;
  let attempt = 0; // identifies the current publish; a newer one makes older error callbacks stale
  let timer: TimerHandle | undefined; // the ack timeout, or the retry after a failed read
  let closed = false;
  const confirmWait = createConfirmWait(d, () => {
    goBack(queue);
    pump();
  });
  const stopTimer = () => {
    if (timer) timers.clear(timer);
    timer = undefined;
  };
  const forgetInFlight = () => {
    inFlight = undefined;
    stopTimer();
  };

  function acknowledged(entry: OutboxEntry): void {
    if (inFlight === entry) forgetInFlight();
    const at = queue.indexOf(entry);
    if (at < 0) return; // dropped meanwhile, or already acknowledged through an earlier copy
    if (!entry.pubacked) stats.published++;
    if (d.confirm && entry.confirmKey) {
      entry.pubacked = true; // it waits for the owner's confirmation
      if (!closed) confirmWait.arm();
      return pump();
    }
    queue.splice(at, 1);
    d.onDelivered(entry);
    logDelivered(log, entry, false);
    pump();
  }

  function ackTimedOut(entry: OutboxEntry, mine: number): void {
    timer = undefined;
    if (mine !== attempt || inFlight !== entry) return;
    stats.retransmits++;
    const { seq, attempts } = entry;
    log.warn("no PUBACK in time; sending again with DUP", { seq, attempts, timeoutMs: d.ackTimeoutMs });
    inFlight = undefined;
    pump();
  }

  function pump(): void {
    if (closed || inFlight || timer || !mqtt.connected) return;
    const next = loadDue(d);
    if (next === "retry") {
      timer = timers.set(() => {
        timer = undefined;
        pump();
      }, d.ackTimeoutMs);
    }
    if (!next || next === "retry") return;
    const { entry, envelope } = next;
    inFlight = entry;
    entry.attempts++;
    const mine = ++attempt;
    const dup = entry.attempts > 1 || entry.recovered;
    timer = timers.set(() => ackTimedOut(entry, mine), d.ackTimeoutMs);
    mqtt.publish(d.topic, envelope, { qos: 1, retain: false, dup }, (error) => {
      if (!error) return acknowledged(entry);
      if (mine !== attempt) return;
      forgetInFlight();
      log.warn("publish not acknowledged; kept for the next connection", { seq: entry.seq, reason: error });
    });
  }

  return {
    get inFlight() {
      return inFlight;
    },
    pump,
    abandon: forgetInFlight,
    resume() {
      stats.retransmits += goingAgain(queue, inFlight);
      attempt++;
      forgetInFlight();
      confirmWait.stop();
      goBack(queue);
      pump();
    },
    confirmed(entry) {
      if (!takeConfirmed(d, entry)) return;
      if (inFlight === entry) attempt++, forgetInFlight(); // its late PUBACK is for an event already gone
      confirmWait.progress(); // the wait starts again for the oldest still unconfirmed
      confirmWait.arm();
      pump();
    },
    close() {
      closed = true;
      stopTimer();
      confirmWait.stop();
    },
  };
}
