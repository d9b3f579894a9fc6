// SPDX-License-Identifier: MIT
// File writing for provisioning: private directories (0700), new files that must not exist yet (a key is
// never overwritten), and files that are rewritten on purpose (configs, certificates), through a rename.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export function ensureDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
}

/** Writes a file that must not exist yet: throws EEXIST rather than overwrite (keys). */
export function writeNew(path: string, data: string | Uint8Array, mode: number): void {
  ensureDir(dirname(path));
  writeFileSync(path, data, { mode, flag: "wx" });
}

/** Replaces a file whole: written beside it, then renamed over it, so a crash leaves the old or the new one. */
export function writeReplacing(path: string, data: string | Uint8Array, mode: number): void {
  ensureDir(dirname(path));
  writeFileSync(`${path}.tmp`, data, { mode });
  renameSync(`${path}.tmp`, path);
}
