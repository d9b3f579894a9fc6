// SPDX-License-Identifier: MIT
// What the bridge must remember per device across restarts: the last event sequence number it accepted
// (docs/protocol.md, replay rule), the last command number it used, the ids of recent events (dedupe),
// and the last diagnostics. One JSON file per device, mode 0600, replaced atomically; accepted events go
// first to a journal with one fdatasync per batch (state-journal.ts, group commit), and into the device
// files at a checkpoint: when the store opens, when the journal passes CHECKPOINT_BYTES, and on close.
import { mkdirSync, readFileSync } from "node:fs";
import { writeDurably } from "../hosts/node/file-storage.js";
import { join } from "node:path";
import { type JournalRecord, openStateJournal } from "./state-journal.js";

/** How many recent event ids are kept per device for deduplication. */
export const RECENT_EVENT_IDS = 256;
/** The journal is folded into the device files once it is this large (about 60,000 events). */
export const CHECKPOINT_BYTES = 8 * 2 ** 20;
/** The journal's file name in the state directory. */
export const JOURNAL_FILE = "events.journal";

export interface DeviceState {
  /** The last event `seq` accepted from the device; absent before the first. */
  lastEventSeq?: number;
  /** SHA-256 (hex) of the last accepted envelope's bytes: a byte-identical copy is a QoS 1 redelivery. */
  lastEventDigest?: string;
  /** The last video stream `openSeq` accepted (bridge/video/stream-opener.ts): a replayed open is refused. */
  lastOpenSeq?: number;
  /** The last command `seq` sealed to the device. */
  lastCommandSeq?: number;
  /** Ids of the most recent events, oldest first; at most RECENT_EVENT_IDS. */
  recentEventIds: string[];
  /** The diagnostics last published on the device's info topic. */
  info?: Record<string, unknown>;
}

export interface DeviceStateStore {
  get(deviceId: string): DeviceState;
  /** The state as `get` gives it, without the copy: read it, never change it or keep it past this turn. */
  peek(deviceId: string): Readonly<DeviceState>;
  /**
   * Applies `change` and writes the result durably before returning it. `change` sees the file's
   * lastCommandSeq when another process (`doorbell command`) raised it, so command numbers never collide.
   */
  update(deviceId: string, change: (state: DeviceState) => void): DeviceState;
  /**
   * Records an accepted event in RAM: `get` sees it at once, but it is durable only after `commit`. Nothing
   * may be acted on (acknowledged, published) for it before then. `eventId` is added to the recent ids.
   */
  stageEvent(deviceId: string, event: { seq: number; digest: string; eventId?: string }): void;
  /** Makes every staged event durable with one journal write and one fdatasync (group commit), before returning. */
  commit(): void;
  /**
   * The same without blocking: the staged events are written now and `done` runs once they are durable (the
   * fdatasync runs on a libuv thread), or with the error. Events staged meanwhile wait for the next call.
   */
  commitAsync(done: (error: Error | null) => void): void;
  /** Commits, folds the journal into the device files and closes it. */
  close(): void;
}

export interface DeviceStateStoreOptions {
  /** Fold the journal into the device files once it is this large; default CHECKPOINT_BYTES. */
  checkpointBytes?: number;
  /**
   * False for a process beside a running bridge (`doorbell command`): it reads and rewrites device files
   * fresh from disk and never touches the bridge's journal, which only the bridge may fold and empty.
   */
  journal?: boolean;
}

/** The store under `dir` (created mode 0700). A file that cannot be parsed is an error, never a silent reset. */
export function createDeviceStateStore(dir: string, o: DeviceStateStoreOptions = {}): DeviceStateStore {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (o.journal === false) return createFileOnlyStore(dir);
  const checkpointBytes = o.checkpointBytes ?? CHECKPOINT_BYTES;
  const cache = new Map<string, DeviceState>();
  const load = (id: string): DeviceState => cache.get(id) ?? cacheFromDisk(id);
  const cacheFromDisk = (id: string): DeviceState => {
    const state = readState(dir, id);
    cache.set(id, state);
    return state;
  };
  const journal = openStateJournal(join(dir, JOURNAL_FILE));
  let staged: JournalRecord[] = [];
  let closed = false;
  /** Devices whose journaled events are not yet in their file. */
  const behind = new Set<string>();

  /** Writes one device's state durably, never below a lastCommandSeq that `doorbell command` wrote meanwhile. */
  const writeDevice = (id: string, next: DeviceState) => {
    raiseCommandSeq(dir, id, next);
    writeDurably(stateFile(dir, id), `${JSON.stringify(next)}\n`);
    behind.delete(id);
  };
  /** Writes the staged events into the journal file; durable at the next sync. */
  const write = () => {
    journal.write(staged);
    staged = [];
  };
  // The sync variant also covers any asynchronous commit still in flight: its bytes are written already.
  const commit = () => (write(), journal.syncNow());
  const checkpoint = () => {
    commit();
    for (const id of [...behind]) writeDevice(id, load(id));
    journal.reset();
  };

  // Replay what the last run journaled after its last checkpoint, then fold it in, so the journal starts empty.
  for (const r of journal.read()) applyEvent(load(r.device), r) && behind.add(r.device);
  checkpoint();

  return {
    get: (id) => structuredClone(load(id)),
    peek: load,
    update(id, change) {
      commit(); // the file written below holds every staged event: they must be durable first
      const next = structuredClone(load(id));
      // `doorbell command` numbers commands in this file too, maybe while this process runs: `change` sees its number.
      raiseCommandSeq(dir, id, next);
      change(next);
      trimRecent(next);
      writeDevice(id, next);
      cache.set(id, next);
      return structuredClone(next);
    },
    stageEvent(id, event) {
      const record: JournalRecord = { device: id, ...event };
      applyEvent(load(id), record);
      staged.push(record);
      behind.add(id);
    },
    commit() {
      commit();
      if (journal.bytes >= checkpointBytes) checkpoint();
    },
    commitAsync(done) {
      write();
      journal.sync((error) => {
        if (!error && !closed && journal.bytes >= checkpointBytes) checkpoint();
        done(error);
      });
    },
    close() {
      if (closed) return;
      checkpoint();
      closed = true;
      journal.close();
    },
  };
}

/** `doorbell command`'s view: each update reads the device's file, changes it and writes it back durably. */
function createFileOnlyStore(dir: string): DeviceStateStore {
  const refuse = () => {
    throw new Error("this state store has no journal: only the bridge accepts events");
  };
  return {
    get: (id) => readState(dir, id),
    peek: (id) => readState(dir, id),
    update(id, change) {
      const next = readState(dir, id);
      change(next);
      trimRecent(next);
      writeDurably(stateFile(dir, id), `${JSON.stringify(next)}\n`);
      return structuredClone(next);
    },
    stageEvent: refuse,
    commit() {},
    commitAsync: (done) => done(null),
    close() {},
  };
}

/** Raises `state.lastCommandSeq` to the one in the device's file, if that is higher. */
function raiseCommandSeq(dir: string, id: string, state: DeviceState): void {
  const onDisk = readState(dir, id).lastCommandSeq;
  if (onDisk !== undefined && onDisk > (state.lastCommandSeq ?? 0)) state.lastCommandSeq = onDisk;
}

function stateFile(dir: string, id: string): string {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(id))
    throw new RangeError(`device id ${JSON.stringify(id)} cannot name a state file`);
  return join(dir, `${id}.json`);
}

/** A newer event's seq, digest and id; an older record (already in the file) changes nothing. Returns whether applied. */
function applyEvent(state: DeviceState, r: JournalRecord): boolean {
  if (state.lastEventSeq !== undefined && r.seq <= state.lastEventSeq) return false;
  state.lastEventSeq = r.seq;
  state.lastEventDigest = r.digest;
  if (r.eventId !== undefined && !state.recentEventIds.includes(r.eventId)) state.recentEventIds.push(r.eventId);
  trimRecent(state);
  return true;
}

function trimRecent(state: DeviceState): void {
  if (state.recentEventIds.length > RECENT_EVENT_IDS)
    state.recentEventIds.splice(0, state.recentEventIds.length - RECENT_EVENT_IDS);
}

function readState(dir: string, id: string): DeviceState {
  const file = stateFile(dir, id);
  let text: string | undefined;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    return { recentEventIds: [] };
  }
  try {
    const raw = JSON.parse(text) as DeviceState;
    if (!Array.isArray(raw.recentEventIds)) throw new Error("no recentEventIds");
    return raw;
  } catch {
    // Resetting would reopen the replay window, so stop and say what to do instead.
    throw new Error(
      `${file}: the bridge's state for ${id} is unreadable; ` +
        "restore it from a backup, or delete it to accept any sequence number once",
    );
  }
}
