// SPDX-License-Identifier: MIT
// Opens devices' sealed events (docs/protocol.md): only that device's key, only a newer sequence number, each
// event id once. Events go through a group commit (group-commit.ts): each is opened and its state staged in
// RAM; a batch is made durable with one fdatasync (device-state.ts); only then are the broker's PUBACKs for it
// released (ack-gate.ts) and the events acted on (event-delivery.ts), in arrival order, so in order per device.
// Refusals are counted and logged once per burst (event-refusals.ts). With `openThreads`, the envelopes are opened
// on worker threads (open-threads.ts) and their replies put back in arrival order before they are staged.
// With `confirm`, each event is confirmed to its device once delivered (delivery-confirmer.ts), and an event the
// device sends again after that (it had no confirmation) is opened once more and confirmed again, after the commit
// of its batch, without being acted on twice.
import { createHash } from "node:crypto";
import {
  type OpenConstants,
  type OpenEnvelopeResult,
  openConstants,
  openEnvelope,
} from "../modules/envelope/open-envelope.js";
import { staticDh } from "../modules/hpke/dhkem-x25519.js";
import type { Logger } from "../modules/logger.js";
import type { CryptoPort } from "../modules/ports.js";
import type { AckGate } from "./ack-gate.js";
import type { BridgeStats } from "./bridge-stats.js";
import type { BurstLog } from "./burst-log.js";
import type { BridgeDevice } from "./devices.js";
import type { DeviceStateStore } from "./device-state.js";
import type { DeviceSync } from "./device-sync.js";
import { createEventDelivery } from "./event-delivery.js";
import type { HaPictures } from "./ha-pictures.js";
import { createEventRefusals } from "./event-refusals.js";
import { createGroupCommit } from "./group-commit.js";
import type { OpenedEvent } from "./ha-states.js";
import type { HaSync } from "./ha-sync.js";
import { type OpenReplies, type OpenReply, type OpenThreads, startOpenThreads } from "./open-threads.js";
import type { ServedDevice } from "./served-device.js";
import type { SnapshotStore } from "./snapshot-store.js";

export interface EventReceiverOptions {
  crypto: CryptoPort;
  /** The owner's X25519 secret. */
  ownerSecret: Uint8Array;
  state: DeviceStateStore;
  snapshots?: SnapshotStore;
  ha: HaSync;
  /** What the snapshot topic carries (ha-pictures.ts); default: links, none without a store. */
  pictures?: HaPictures;
  stats: BridgeStats;
  log: Logger;
  burstLog: BurstLog;
  /** Wall clock, Unix ms. */
  now: () => number;
  /** Sees each event opened and accepted, with its picture. */
  onEvent?(deviceId: string, header: Record<string, unknown>, jpeg: Uint8Array | undefined, sealedBytes: number): void;
  /** Holds the broker's PUBACK of each event until its batch is durable; absent, MQTT.js acks at once. */
  acks?: AckGate;
  /** Runs a slice of the queue on a later turn of the event loop (default setImmediate). */
  defer?: (run: () => void) => void;
  /**
   * Runs once per accepted event, in order, when it is durable and the broker has acknowledged every Home
   * Assistant publish it made (right after the commit for a duplicate id, which publishes nothing).
   */
  onDelivered?(event: DeliveredEvent): void;
  /**
   * Confirms an event to its device (delivery-confirmer.ts), with the event's confirmation key: right after
   * `onDelivered`, and for an authenticated event sent again after its first copy was accepted, right after the
   * commit of its batch. Absent: nothing is confirmed, and replays are refused without opening them.
   */
  confirm?(served: ServedDevice, seq: number, confirmKey: Uint8Array): void;
  /** A commit failed: nothing of its batch was acknowledged or acted on. Default: throw (the process stops). */
  onCommitError?(error: Error): void;
  /**
   * Worker threads that open the envelopes (open-threads.ts; Node's own crypto, not `crypto`), given the served
   * `devices`; 0 or absent: opened on the event loop.
   */
  openThreads?: number;
  devices?: readonly BridgeDevice[];
  /**
   * Each authentic event first goes here (device-sync.ts): a device's `sync` answer is used there and never
   * delivered, and a device's events are held there until its answer came. Absent: every event is delivered.
   */
  sync?: Pick<DeviceSync, "check">;
}

/** An event accepted from a device: durable, and published to Home Assistant unless a duplicate. */
export interface DeliveredEvent {
  served: ServedDevice;
  seq: number;
  id: string;
  header: Record<string, unknown>;
  /** The id was among the device's recent ones: nothing was published again. */
  duplicate: boolean;
}

export interface EventReceiver {
  /** Queues a message on a device's sealed event topic (`messageId` for QoS 1); it is handled with its batch. */
  receive(served: ServedDevice, topic: string, bytes: Uint8Array, messageId?: number): void;
  /** Handles everything queued now, commits it and acts on it before returning. */
  flush(): void;
  /** Flushes, then stops the opening threads. */
  close(): void;
}

interface Received {
  served: ServedDevice;
  topic: string;
  bytes: Uint8Array;
  messageId?: number;
  /** Opened by a thread already (without the replay check). */
  opened?: OpenReply;
}

interface Opened {
  served: ServedDevice;
  seq: number;
  id: string;
  event: OpenedEvent;
  jpeg?: Uint8Array;
  sealedBytes: number;
  duplicate: boolean;
  /** The event's confirmation key (envelope/confirmation.ts). Secret. */
  confirmKey?: Uint8Array;
  /** Sent again after it was accepted: only to be confirmed again. */
  reconfirm?: boolean;
}

/** Returns the receiver for messages on the devices' sealed event topics. */
export function createEventReceiver(o: EventReceiverOptions): EventReceiver {
  const { log } = o;
  const open = createOpener(o);
  const act = createActor(o);
  const commits = createGroupCommit<Received, Opened>({
    stage: (m) => {
      try {
        return open(m);
      } catch (error) {
        log.error("message not handled", { topic: m.topic, reason: (error as Error).message });
        return undefined;
      }
    },
    commit: (done) => o.state.commitAsync(done),
    commitNow: () => o.state.commit(),
    committed(items, opened) {
      o.acks?.release(items.flatMap((m) => (m.messageId === undefined ? [] : [m.messageId])));
      for (const a of opened) act(a);
    },
    onCommitError:
      o.onCommitError ??
      ((error) => {
        // Nothing of the batch was acknowledged: stop, so that the broker sends it again to a fresh start.
        log.error("state not written; stopping so that the broker sends the batch again", { reason: error.message });
        throw error;
      }),
    defer: o.defer,
  });
  const threads = o.openThreads ? createThreadedOpening(o, o.openThreads, (m) => commits.push(m)) : undefined;
  const flush = () => {
    threads?.takeBack();
    commits.flush();
  };
  return {
    receive(served, topic, bytes, messageId) {
      if (messageId !== undefined) o.acks?.hold(messageId);
      if (threads?.running) threads.push({ served, topic, bytes, messageId });
      else commits.push({ served, topic, bytes, messageId });
    },
    flush,
    close() {
      flush();
      threads?.close();
    },
  };
}

/**
 * Sends what arrives in one turn of the event loop to a thread as one batch, and hands the replies on (`next`)
 * in arrival order. `takeBack` hands on at once everything not yet answered, unopened: the event loop opens it.
 */
function createThreadedOpening(o: EventReceiverOptions, count: number, next: (m: Received) => void) {
  const defer = o.defer ?? setImmediate;
  let pending: Received[] = [];
  let scheduled = false;
  /** Batches sent and not yet handed on, oldest first. */
  let posted: { id: number; items: Received[]; replies?: OpenReply[] }[] = [];
  let lastId = 0;
  let threads: OpenThreads | undefined;

  const handOn = (batch: { items: Received[]; replies?: OpenReply[] }) =>
    batch.items.forEach((m, i) => next(batch.replies ? { ...m, opened: batch.replies[i] } : m));
  const takeBack = () => {
    for (const batch of posted) handOn(batch);
    posted = []; // replies still to come for these are ignored
    for (const m of pending) next(m);
    pending = [];
  };
  const onReplies = ({ id, replies }: OpenReplies) => {
    const batch = posted.find((b) => b.id === id);
    if (!batch) return;
    batch.replies = replies;
    let done = 0;
    while (done < posted.length && posted[done].replies) handOn(posted[done++]);
    if (done) posted = posted.slice(done);
  };
  const dispatch = () => {
    scheduled = false;
    if (!pending.length) return;
    if (!threads) return takeBack();
    const items = pending;
    pending = [];
    const id = ++lastId;
    posted.push({ id, items });
    // Copies of the payloads, moved to the thread: an MQTT.js payload is often a view into a larger read buffer.
    const jobs = items.map((m) => ({ device: m.served.device.id, topic: m.topic, bytes: m.bytes.slice() }));
    threads.post(
      { id, jobs },
      jobs.map((j) => j.bytes.buffer),
    );
  };
  threads = startOpenThreads({
    count,
    init: { ownerSecret: o.ownerSecret, devices: (o.devices ?? []).map((d) => ({ id: d.id, publicKey: d.publicKey })) },
    onReplies,
    onFailure(error) {
      o.log.error("opening thread failed; opening on the event loop from now on", { reason: error.message });
      threads = undefined;
      takeBack();
    },
  });
  return {
    get running() {
      return threads !== undefined;
    },
    push(m: Received) {
      pending.push(m);
      if (!scheduled) (scheduled = true), defer(dispatch);
    },
    takeBack,
    close() {
      threads?.close();
      threads = undefined;
    },
  };
}

/**
 * A thread's result with the replay check it could not make: openEnvelope checks the sequence number right
 * before the AEAD, so a result that got past that check (opened, auth-failed or bad-plaintext) gets it now.
 */
function withReplayCheck(r: OpenEnvelopeResult, lastAcceptedSeq: number | undefined): OpenEnvelopeResult {
  const pastReplayCheck = r.ok || r.reason === "auth-failed" || r.reason === "bad-plaintext";
  if (pastReplayCheck && lastAcceptedSeq !== undefined && r.seq !== undefined && r.seq <= lastAcceptedSeq)
    return r.ok
      ? { ok: false, reason: "replayed", seq: r.seq, confirmKey: r.confirmKey }
      : { ok: false, reason: "replayed", seq: r.seq };
  return r;
}

/** Opens one message and stages its state; the accepted event, or undefined when refused. */
function createOpener(o: EventReceiverOptions): (m: Received) => Opened | undefined {
  const ownerPublic = o.crypto.x25519(o.ownerSecret);
  const refuse = createEventRefusals(o);
  /** DH(owner secret, device key) per device: the static half of every open (RFC 9180 §4.1 AuthDecap). Secret, RAM only. */
  const staticDhs = new Map<string, Uint8Array | undefined>();
  const staticDhOf = (served: ServedDevice) => {
    const { id, publicKey } = served.device;
    if (!staticDhs.has(id)) {
      try {
        staticDhs.set(id, staticDh(o.crypto, { privateKey: o.ownerSecret, publicKey: ownerPublic }, publicKey));
      } catch {
        staticDhs.set(id, undefined); // a malformed or low-order device key: every open fails as without the cache
      }
    }
    return staticDhs.get(id);
  };
  /** Each device's public open constants (topic tag, key id, key schedule context): four HMACs fewer per open. */
  const constants = new Map<string, OpenConstants | undefined>();
  const constantsOf = ({ device }: ServedDevice, topic: string) => {
    if (!constants.has(device.id)) {
      try {
        constants.set(device.id, openConstants(o.crypto, device.id, topic, device.publicKey));
      } catch {
        constants.set(device.id, undefined); // openEnvelope throws the same error with its own message
      }
    }
    return constants.get(device.id);
  };
  const openHere = ({ served, topic, bytes }: Received, lastAcceptedSeq: number | undefined) => ({
    result: openEnvelope({
      crypto: o.crypto,
      recipientPrivateKey: o.ownerSecret,
      recipientPublicKey: ownerPublic,
      senderPublicKey: served.device.publicKey,
      staticDh: staticDhOf(served),
      constants: constantsOf(served, topic),
      deviceId: served.device.id,
      topic,
      lastAcceptedSeq,
      openReplayed: o.confirm !== undefined,
      bytes,
    }),
    digest: createHash("sha256").update(bytes).digest("hex"),
  });
  return (m) => {
    const { served, bytes } = m;
    const { device } = served;
    const state = o.state.peek(device.id);
    const opened = m.opened ?? openHere(m, state.lastEventSeq);
    if ("error" in opened) throw new Error(opened.error);
    const { digest } = opened;
    const r = withReplayCheck(opened.result, state.lastEventSeq);
    if (!r.ok) {
      const redelivery = r.reason === "replayed" && r.seq === state.lastEventSeq && digest === state.lastEventDigest;
      const reason = redelivery ? "redelivered" : r.reason;
      refuse({ served, reason, seq: r.seq, size: bytes.length, lastAccepted: state.lastEventSeq });
      // Authentic and accepted before (its seq is at most the last accepted one): the device had no confirmation.
      if (o.confirm && r.confirmKey && r.seq !== undefined)
        return {
          served,
          seq: r.seq,
          id: "",
          event: {} as OpenedEvent,
          sealedBytes: 0,
          duplicate: true,
          confirmKey: r.confirmKey,
          reconfirm: true,
        };
      return undefined;
    }
    // A `sync` answer is never an event for Home Assistant, even on a bridge that asks none (confirmations off).
    const verdict = o.sync ? o.sync.check(served, r.header, m) : r.header.type === "sync" ? "answer" : "deliver";
    if (verdict !== "deliver") {
      r.confirmKey?.fill(0); // held: confirmed when it is received again after the device's answer
      return undefined;
    }
    const event = r.header as unknown as OpenedEvent;
    const id = typeof event.id === "string" ? event.id : "";
    const duplicate = state.recentEventIds.includes(id);
    // Staged now, durable at the batch's commit, acted on only after it: a crash may lose this event (never
    // acknowledged, so the broker sends it again), but can never make it acceptable twice.
    o.state.stageEvent(device.id, { seq: r.seq, digest, ...(duplicate ? {} : { eventId: id }) });
    const { confirmKey } = r;
    return { served, seq: r.seq, id, event, jpeg: r.jpeg, sealedBytes: bytes.length, duplicate, confirmKey };
  };
}

/** Acts on one durable event: publishes it (unless a duplicate id), then `onDelivered` once acknowledged. */
function createActor(o: EventReceiverOptions): (a: Opened) => void {
  const { log, stats } = o;
  const deliver = createEventDelivery(o);
  return (a) => {
    const { device } = a.served;
    const header = a.event as unknown as Record<string, unknown>;
    const confirm = () => {
      if (o.confirm && a.confirmKey) o.confirm(a.served, a.seq, a.confirmKey);
    };
    const delivered = () => {
      o.onDelivered?.({ served: a.served, seq: a.seq, id: a.id, header, duplicate: a.duplicate });
      confirm();
    };
    if (a.reconfirm) return confirm(); // durable since an earlier batch, which this one's commit follows
    try {
      if (a.duplicate) {
        stats.duplicates++;
        log.info("event already delivered; ignored", { device: device.id, id: a.id, seq: a.seq });
        return delivered();
      }
      stats.opened++;
      log.info("event", {
        device: device.id,
        type: a.event.type,
        id: a.id,
        seq: a.seq,
        jpegBytes: a.jpeg?.length ?? 0,
      });
      deliver(a.served, a.event, a.id, a.jpeg, delivered);
      o.onEvent?.(device.id, header, a.jpeg, a.sealedBytes);
    } catch (error) {
      log.error("event not acted on", { device: device.id, id: a.id, reason: (error as Error).message });
    }
  };
}
