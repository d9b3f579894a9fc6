// SPDX-License-Identifier: MIT
// Helpers for the mcsim host tests (test/mcsim): a fresh fake board and screen, a recording log, and
// frames written into the fake file system.
import type { LogLevel, LogPort } from "../../modules/ports.js";
import { Directory } from "../xs/moddable-fakes/file.js";
import { flashFiles } from "../xs/moddable-fakes/file.js";
import { resetDevice } from "../xs/moddable-fakes/reset.js";
import { resetScreen } from "../xs/moddable-fakes/screen.js";

export interface RecordingLog extends LogPort {
  at(level: LogLevel, tag?: string): string[];
}

export function recordingLog(): RecordingLog {
  const lines: { level: LogLevel; tag: string; message: string }[] = [];
  return {
    write: (level, tag, message) => void lines.push({ level, tag, message }),
    at: (level, tag) => lines.filter((l) => l.level === level && (!tag || l.tag === tag)).map((l) => l.message),
  };
}

/** A fresh fake board (empty files, loop at 0 ms) and a screen with no messages. */
export function freshDesktop(): RecordingLog {
  resetDevice();
  resetScreen();
  return recordingLog();
}

/** A tiny JPEG-shaped frame whose bytes carry `n`, so tests can tell frames apart. */
export function frameBytes(n: number): Uint8Array {
  return Uint8Array.of(0xff, 0xd8, 0xff, 0xfe, 0, 3, n, 0xff, 0xd9);
}

/** Creates `dir` and writes the named frames (and any other files) into it. */
export function writeFolder(dir: string, files: Record<string, Uint8Array>): void {
  Directory.create(dir);
  for (const [name, bytes] of Object.entries(files)) flashFiles().set(`${dir}/${name}`, bytes);
}
