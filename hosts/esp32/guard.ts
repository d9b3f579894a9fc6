// SPDX-License-Identifier: MIT
// Runs a firmware callback from a host event so that an exception is logged instead of escaping.
// On the device an exception escaping a native callback aborts XS, which restarts the board.
import type { LogPort } from "../../modules/ports.js";

/** A short, payload-free description of a thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `a thrown ${typeof error}`;
}

/** Calls `fn`; if it throws, logs `<what> threw: <error>` at error level under `tag` and returns. */
export function callSafely(log: LogPort, tag: string, what: string, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    log.write("error", tag, `${what} threw: ${describeError(error)}`);
  }
}
