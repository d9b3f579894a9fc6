// SPDX-License-Identifier: MIT
// A tagged logger over the log port. It never prints keys, payloads or image bytes:
// byte arrays become their length, and fields whose names suggest secrets are redacted.
import type { LogLevel, LogPort } from "./ports.js";

export type LogFields = Record<string, string | number | boolean | undefined | null | Uint8Array | ArrayBuffer>;

/** Field names that are never printed, whatever their value. */
const SECRET_NAME = Object.freeze(/key|secret|private|password|token|payload|plaintext|jpeg|image|nonce|psk/i);

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger with another tag on the same port. */
  child(tag: string): Logger;
}

/** A count or size of something secret (`jpegBytes`, `payloadLength`) is not itself secret. */
const SIZE_NAME = Object.freeze(/(Bytes|Length|Size|Count)$/);

function formatValue(name: string, value: LogFields[string]): string {
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return `<${value.byteLength} bytes>`;
  if (SECRET_NAME.test(name) && !(typeof value === "number" && SIZE_NAME.test(name))) return "<redacted>";
  if (typeof value === "string") return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  return String(value);
}

/** Formats `message k=v k=v`; exported for tests and for hosts that log elsewhere. */
export function formatLine(message: string, fields?: LogFields): string {
  let line = message;
  if (fields) {
    for (const name of Object.keys(fields)) {
      const value = fields[name];
      if (value === undefined) continue;
      line += ` ${name}=${formatValue(name, value)}`;
    }
  }
  return line;
}

/** Creates a logger writing `tag` lines to `port`. */
export function createLogger(port: LogPort, tag: string): Logger {
  const emit = (level: LogLevel) => (message: string, fields?: LogFields) =>
    port.write(level, tag, formatLine(message, fields));
  return {
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    child: (childTag: string) => createLogger(port, childTag),
  };
}
