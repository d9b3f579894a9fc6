// SPDX-License-Identifier: MIT
// `doorbell pictures export`: the bridge keeps pictures in pack files (bridge/snapshot-pack.ts); this writes them
// out as ordinary JPEG files an owner can browse, named as the bridge named them before packs. Read-only on the
// store, safe while the bridge runs (a pack's last record, being written, is skipped if cut short).
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type PackedPicture, readPackFile } from "../snapshot-pack.js";
import { PACKS_DIR } from "../snapshot-store.js";
import { parseFlags, UsageError, wantsHelp } from "./args.js";

const USAGE = `usage: doorbell pictures export --from <snapshots dir> --out <dir> [--device <id>] [--day YYYY-MM-DD]
  Writes the pictures the bridge keeps in its pack files (<snapshots dir>/${PACKS_DIR}/<day>/*.pack) as JPEG files:
  <dir>/<device>/<YYYY-MM-DD>/<HHMMSS.mmm>-<type>-<event id>.jpg, by the bridge's receive time (UTC), mode 0600.
  A file that already exists is left as it is, so running it again exports only what is new.
  <snapshots dir> is the bridge's snapshots folder: snapshots.dir in its config (by default {home}/snapshots).`;

/** A name the bridge itself writes: a device id, an event type or id. Anything else is not made into a path. */
const SAFE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const DAY = /^\d{4}-\d\d-\d\d$/;

export interface ExportResult {
  written: number;
  existing: number;
  /** Records whose names are not safe as file names: counted, never written. */
  refused: number;
  packs: number;
}

/** The file a picture is exported to, relative to the output folder; undefined for a name unsafe as a path. */
export function exportName(p: Pick<PackedPicture, "device" | "type" | "id" | "atMs">): string | undefined {
  if (![p.device, p.type, p.id].every((s) => SAFE_NAME.test(s))) return undefined;
  const at = new Date(p.atMs);
  if (!Number.isFinite(at.getTime())) return undefined;
  const iso = at.toISOString(); // 2026-10-01T08:00:01.000Z
  const time = `${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 23)}`;
  return join(p.device, iso.slice(0, 10), `${time}-${p.type}-${p.id}.jpg`);
}

export function exportPictures(o: { from: string; out: string; device?: string; day?: string }): ExportResult {
  const root = join(o.from, PACKS_DIR);
  if (!existsSync(root))
    throw new Error(`${o.from}: no ${PACKS_DIR} folder; is this the bridge's snapshots folder (snapshots.dir)?`);
  const result: ExportResult = { written: 0, existing: 0, refused: 0, packs: 0 };
  const days = readdirSync(root)
    .filter((d) => DAY.test(d) && (!o.day || d === o.day))
    .sort();
  for (const day of days) {
    const packs = readdirSync(join(root, day))
      .filter((f) => f.endsWith(".pack"))
      .sort();
    for (const pack of packs) {
      exportPack(join(root, day, pack), o, result);
      result.packs++;
    }
  }
  return result;
}

function exportPack(path: string, o: { out: string; device?: string }, result: ExportResult): void {
  const fd = openSync(path, "r");
  try {
    for (const p of readPackFile(fd, fstatSync(fd).size)) {
      if (o.device && p.device !== o.device) continue;
      const name = exportName(p);
      if (!name) {
        result.refused++;
        continue;
      }
      const file = join(o.out, name);
      if (existsSync(file)) {
        result.existing++;
        continue;
      }
      const jpeg = Buffer.allocUnsafe(p.length);
      if (readSync(fd, jpeg, 0, p.length, p.offset) !== p.length) continue; // cut short: the pack's last record
      mkdirSync(join(file, ".."), { recursive: true, mode: 0o700 });
      writeFileSync(file, jpeg, { mode: 0o600, flag: "wx" });
      result.written++;
    }
  } finally {
    closeSync(fd);
  }
}

export function picturesCommand(argv: string[]): number {
  const [sub, ...rest] = argv;
  if (sub !== "export") throw new UsageError(USAGE);
  if (wantsHelp(rest)) return (void console.log(USAGE), 0);
  const flags = parseFlags(rest, { values: ["from", "out", "device", "day"], required: ["from", "out"] }, USAGE);
  const day = flags.day as string | undefined;
  if (day !== undefined && !DAY.test(day))
    throw new UsageError(`--day: expected YYYY-MM-DD, got ${JSON.stringify(day)}`);
  const device = flags.device as string | undefined;
  if (device !== undefined && !SAFE_NAME.test(device))
    throw new UsageError(`--device: not a device id: ${JSON.stringify(device)}`);
  const r = exportPictures({ from: flags.from as string, out: flags.out as string, device, day });
  console.log(
    `${r.written} picture(s) written to ${flags.out as string}, ${r.existing} already there, from ${r.packs} pack(s)` +
      (r.refused ? `; ${r.refused} with a name unsafe as a file name, not written` : ""),
  );
  return 0;
}
