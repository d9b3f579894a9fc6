// SPDX-License-Identifier: MIT
// The bridge's write-ahead journal of accepted events (device-state.ts): one line per batch of events, with
// one fdatasync per batch (group commit), instead of one durable file rewrite per event. Each line carries a
// SHA-256 of itself, so a batch is all or nothing: one torn by a crash (never acknowledged to the broker, as
// nothing is before its fdatasync) can only be the last line, and is dropped when the journal is read.
import { createHash } from "node:crypto";
import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  writeSync,
} from "node:fs";

/** One accepted event: the device, its sequence number, the envelope's SHA-256, and its id unless seen before. */
export interface JournalRecord {
  device: string;
  seq: number;
  digest: string;
  /** Absent when the id was already among the device's recent ids (a duplicate, still a newer seq). */
  eventId?: string;
}

export interface StateJournal {
  /** The records in the file, oldest first, without a torn last line. Throws on a damaged line before it. */
  read(): JournalRecord[];
  /** Appends `records` to the file (the page cache): durable only after the next `sync` or `syncNow`. */
  write(records: readonly JournalRecord[]): void;
  /** Makes everything written so far durable (fdatasync) on a libuv thread; `done` runs after, or with the error. */
  sync(done: (error: Error | null) => void): void;
  /** Makes everything written so far durable before returning. */
  syncNow(): void;
  /** Empties the file durably: call only once everything in it is in the device files. */
  reset(): void;
  /** The file's size now. */
  readonly bytes: number;
  close(): void;
}

const check = (json: string) => createHash("sha256").update(json).digest("hex").slice(0, 16);

function encodeBatch(records: readonly JournalRecord[]): string {
  const json = JSON.stringify(
    records.map((r) =>
      r.eventId === undefined ? [r.device, r.seq, r.digest] : [r.device, r.seq, r.digest, r.eventId],
    ),
  );
  return `${check(json)} ${json}\n`;
}

/** The records of one batch line, or undefined when the line is torn or damaged. */
function decodeBatch(line: string): JournalRecord[] | undefined {
  const json = line.slice(17);
  if (line[16] !== " " || check(json) !== line.slice(0, 16)) return undefined;
  const records: JournalRecord[] = [];
  for (const item of JSON.parse(json) as unknown[][]) {
    const [device, seq, digest, eventId] = item;
    if (typeof device !== "string" || !Number.isSafeInteger(seq) || typeof digest !== "string") return undefined;
    if (eventId !== undefined && typeof eventId !== "string") return undefined;
    records.push({ device, seq: seq as number, digest, ...(eventId === undefined ? {} : { eventId }) });
  }
  return records;
}

/** Opens (or creates, mode 0600) the journal at `path`. */
export function openStateJournal(path: string): StateJournal {
  const fd = openSync(path, "a+", 0o600);
  let bytes = fstatSync(fd).size;
  return {
    read() {
      const lines = readFileSync(path, "utf8").split("\n");
      lines.pop(); // "" after a complete last batch; otherwise a batch cut short by a crash, never acknowledged
      const records: JournalRecord[] = [];
      for (const [i, line] of lines.entries()) {
        const batch = decodeBatch(line);
        if (batch) records.push(...batch);
        else if (i < lines.length - 1)
          throw new Error(
            `${path}: batch ${i + 1} is damaged; the bridge's replay floor cannot be rebuilt from it. ` +
              "Restore the state directory from a backup, or delete this file to accept each device's next events once",
          );
        // A damaged last line with its newline written is a torn batch too: its fdatasync never returned.
      }
      return records;
    },
    write(records) {
      if (!records.length) return;
      const data = Buffer.from(encodeBatch(records), "utf8");
      let at = 0;
      while (at < data.length) at += writeSync(fd, data, at);
      bytes += data.length;
    },
    sync: (done) => fdatasync(fd, done),
    syncNow: () => fdatasyncSync(fd),
    reset() {
      ftruncateSync(fd, 0);
      fdatasyncSync(fd);
      bytes = 0;
    },
    get bytes() {
      return bytes;
    },
    close: () => closeSync(fd),
  };
}
