// SPDX-License-Identifier: MIT
// Storage that loses power mid-write, as flash does: a shared power rail counts every write to the
// key-value store and the append-only log, and at a chosen write it tears that write (truncated,
// erased tail, or noise) and dies; every later write throws until `restore()` (the next boot).
import { seededRandom } from "./seeded-random.js";
import type { LogRecord } from "../../modules/ports.js";
import { MemoryKv, MemoryLog } from "./fake-host.js";

/** Thrown by a write at or after the cut: the device has no power from here on. */
export class PowerCut extends Error {
  constructor() {
    super("power cut");
  }
}

/** How the write at the cut ends up on flash. */
export type TearKind = "truncated" | "erased-tail" | "noise-tail" | "complete";
const TEAR_KINDS: readonly TearKind[] = ["truncated", "erased-tail", "noise-tail", "complete"];

export interface CutReport {
  /** Which write (1-based) was cut, and what it was. */
  write: number;
  op: "append" | "remove" | "kv.set" | "kv.delete";
  kind: TearKind | "not-done" | "done";
  key?: string;
  /** For an append: the whole record that was being written. */
  bytes?: Uint8Array;
}

export class PowerRail {
  writes = 0;
  off = false;
  cut?: CutReport;
  /** Runs at the cut, before the write's caller hears of it: the test silences the radio here. */
  onCut?: () => void;
  /** Cut at this write (1-based); Infinity never cuts. */
  constructor(
    public cutAtWrite = Infinity,
    public random: () => number = seededRandom(1),
  ) {}
  /** Power back on for the next boot; no further cut. */
  restore(): void {
    this.off = false;
    this.cutAtWrite = Infinity;
  }
  /** Counts a write; true when this is the one to tear. Throws when the power is already off. */
  beginWrite(): boolean {
    if (this.off) throw new PowerCut();
    this.writes++;
    return this.writes === this.cutAtWrite;
  }
  /** Records the cut and dies. */
  die(report: Omit<CutReport, "write">): never {
    this.off = true;
    this.onCut?.();
    this.cut = { write: this.writes, ...report };
    throw new PowerCut();
  }
  /** `bytes` as a torn write leaves them: a strict prefix, or full length with an erased (0xFF) or noisy tail. */
  tear(bytes: Uint8Array): { kind: TearKind; bytes: Uint8Array } {
    const kind = TEAR_KINDS[Math.floor(this.random() * TEAR_KINDS.length)];
    const keep = Math.floor(this.random() * bytes.length); // 0 .. length-1: at least the last byte is not written
    if (kind === "complete") return { kind, bytes: bytes.slice() };
    if (kind === "truncated") return { kind, bytes: bytes.slice(0, keep) };
    const out = bytes.slice();
    for (let i = keep; i < out.length; i++) out[i] = kind === "erased-tail" ? 0xff : Math.floor(this.random() * 256);
    if (kind === "noise-tail" && keep === out.length - 1 && out[keep] === bytes[keep]) out[keep] ^= 0x01; // noise that differs
    return { kind, bytes: out };
  }
}

export class TornKv extends MemoryKv {
  constructor(public rail: PowerRail) {
    super();
  }
  override set(key: string, value: Uint8Array): void {
    if (!this.rail.beginWrite()) return super.set(key, value);
    const torn = this.rail.tear(value);
    this.map.set(key, torn.bytes);
    this.rail.die({ op: "kv.set", kind: torn.kind, key });
  }
  override delete(key: string): void {
    if (!this.rail.beginWrite()) return super.delete(key);
    const done = this.rail.random() < 0.5;
    if (done) super.delete(key);
    this.rail.die({ op: "kv.delete", kind: done ? "done" : "not-done", key });
  }
}

export class TornLog extends MemoryLog {
  /** Every record appended whole, by id: what the firmware may count on after a reboot. */
  whole = new Map<number, Uint8Array>();
  constructor(public rail: PowerRail) {
    super();
  }
  override append(bytes: Uint8Array): number {
    if (!this.rail.beginWrite()) {
      const id = super.append(bytes);
      this.whole.set(id, bytes.slice());
      return id;
    }
    const torn = this.rail.tear(bytes);
    const record: LogRecord = { id: this.nextId++, bytes: torn.bytes };
    this.items.push(record);
    if (torn.bytes.length === bytes.length && torn.bytes.every((v, i) => v === bytes[i]))
      this.whole.set(record.id, bytes.slice()); // torn where the bytes already matched
    this.rail.die({ op: "append", kind: torn.kind, bytes: bytes.slice() });
  }
  override remove(id: number): void {
    if (!this.rail.beginWrite()) return super.remove(id);
    const done = this.rail.random() < 0.5;
    if (done) super.remove(id);
    this.rail.die({ op: "remove", kind: done ? "done" : "not-done" });
  }
}

/** Storage on one power rail, shaped for `createFakeHost(storage)`. */
export function createTornStorage(rail: PowerRail): { kv: TornKv; log: TornLog } {
  return { kv: new TornKv(rail), log: new TornLog(rail) };
}
