// SPDX-License-Identifier: MIT
// Helpers for the ESP32 host tests (test/esp32): a recording log and a fresh fake board per test.
import type { LogLevel, LogPort } from "../../modules/ports.js";
import { resetDevice } from "../xs/moddable-fakes/reset.js";

export interface RecordingLog extends LogPort {
  lines: { level: LogLevel; tag: string; message: string }[];
  /** Lines at `level` whose tag is `tag`. */
  at(level: LogLevel, tag?: string): string[];
}

export function recordingLog(): RecordingLog {
  const lines: RecordingLog["lines"] = [];
  return {
    lines,
    write: (level, tag, message) => void lines.push({ level, tag, message }),
    at: (level, tag) => lines.filter((l) => l.level === level && (!tag || l.tag === tag)).map((l) => l.message),
  };
}

/** A fresh fake board with empty flash; returns a recording log. */
export function freshBoard(): RecordingLog {
  resetDevice();
  return recordingLog();
}
