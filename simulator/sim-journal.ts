// SPDX-License-Identifier: MIT
// The simulation's memory (simulation.ts): the recent events, broker traffic and logs a page that connects late is
// sent, the last snapshots and the sequence numbers seen; and how one broker message or opened event is recorded.
// Ciphertext is kept only as its size and first bytes.
import { fromUtf8, toHex } from "../modules/bytes.js";
import { readEnvelopeHeader } from "../modules/envelope/layout.js";
import type { LogLevel } from "../modules/ports.js";
import type { deviceTopics } from "../modules/topics.js";
import type { Bus } from "./bus.js";
import { BRIDGE_CLIENT_ID, type OwnerEvent } from "./owner-side.js";
import type { BrokerPublish } from "./restartable-broker.js";
import type { EventRecord, LogRecord, SimEvents, TrafficRecord, VideoRecord } from "./sim-records.js";

const KEEP = { events: 200, traffic: 400, logs: 600, snapshots: 100 };

export type Journal = ReturnType<typeof createJournal>;

/** The simulation's memory: recent records for a page that connects late, snapshots and sequence numbers.
 * Each record also goes on the bus. */
export function createJournal(bus: Bus<SimEvents>) {
  const events: EventRecord[] = [];
  const traffic: TrafficRecord[] = [];
  const logs: LogRecord[] = [];
  const snapshots = new Map<string, Uint8Array>();
  const brokerSeqs = new Set<number>();
  const openedSeqs = new Set<number>();
  const keep = <T>(list: T[], max: number, item: T) => {
    list.push(item);
    if (list.length > max) list.splice(0, list.length - max);
  };
  const sorted = (seqs: Set<number>) => [...seqs].sort((a, b) => a - b);
  return {
    snapshots: snapshots as ReadonlyMap<string, Uint8Array>,
    log(source: LogRecord["source"], level: LogLevel, tag: string, message: string): void {
      const record: LogRecord = { t: Date.now(), source, level, tag, message };
      keep(logs, KEEP.logs, record);
      bus.emit("log", record);
    },
    traffic(record: TrafficRecord): TrafficRecord {
      if (record.kind === "event" && record.seq !== undefined) brokerSeqs.add(record.seq);
      keep(traffic, KEEP.traffic, record);
      bus.emit("traffic", record);
      return record;
    },
    event(e: OwnerEvent): void {
      openedSeqs.add(e.seq);
      if (e.jpeg) {
        snapshots.set(e.id, e.jpeg);
        if (snapshots.size > KEEP.snapshots) snapshots.delete(snapshots.keys().next().value!);
      }
      const record = eventRecord(e);
      keep(events, KEEP.events, record);
      bus.emit("event", record);
    },
    video(record: VideoRecord): void {
      bus.emit("video", record);
    },
    history: () => ({ events: [...events], traffic: [...traffic], logs: [...logs] }),
    seqs: () => ({ broker: sorted(brokerSeqs), opened: sorted(openedSeqs) }),
  };
}

/** What the page shows of one message the broker carried: ciphertext only as its size and first bytes. */
export function trafficRecord(m: BrokerPublish, topics: ReturnType<typeof deviceTopics>): TrafficRecord {
  const kind: TrafficRecord["kind"] =
    m.topic === topics.event
      ? "event"
      : m.topic === topics.command
        ? "command"
        : m.topic === topics.status
          ? "status"
          : m.clientId === BRIDGE_CLIENT_ID
            ? "bridge"
            : "other";
  const record: TrafficRecord = {
    t: Date.now(),
    topic: m.topic,
    size: m.payload.length,
    hex: toHex(m.payload.subarray(0, 16)),
    qos: m.qos,
    retain: m.retain,
    from: m.clientId,
    kind,
  };
  if (kind === "event" || kind === "command") {
    const clear = readEnvelopeHeader(m.payload);
    if (clear.ok) record.seq = clear.header.seq;
  } else if (kind === "status") {
    record.text = fromUtf8(m.payload).slice(0, 16);
  } else {
    const jpeg = m.payload[0] === 0xff && m.payload[1] === 0xd8;
    record.text = jpeg ? "(a JPEG picture)" : fromUtf8(m.payload.subarray(0, 60));
  }
  return record;
}

/** The timeline's record of an event the owner's side opened. */
function eventRecord(e: OwnerEvent): EventRecord {
  const h = e.header;
  return {
    t: Date.now(),
    id: e.id,
    type: e.type,
    seq: e.seq,
    atMs: Number(h.atMs),
    sealedBytes: e.sealedBytes,
    snapshotBytes: e.jpeg?.length,
    pictureWithheld: h.pictureWithheld as string | undefined,
    frameAgeMs: h.frameAgeMs as number | undefined,
    of: h.of as string | undefined,
    reason: h.reason as string | undefined,
    box: h.box as EventRecord["box"],
    motion: h.motion as EventRecord["motion"],
    stats: h.stats as EventRecord["stats"],
  };
}
