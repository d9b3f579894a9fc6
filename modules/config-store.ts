// SPDX-License-Identifier: MIT
// Holds the config in force. A new config is validated whole before it replaces the old one, so the
// device always runs on its last good config; an accepted config is persisted for the next boot.
import { fromUtf8, utf8 } from "./bytes.js";
import {
  defaultConfig,
  formatConfigErrors,
  parseConfig,
  type Config,
  type ConfigLimits,
  type ConfigResult,
} from "./config.js";
import type { Logger } from "./logger.js";
import type { KeyValuePort } from "./ports.js";

export const CONFIG_KEY = "config";

export interface ConfigStore {
  readonly current: Config;
  /** Validates and, when valid, applies and persists `raw`; otherwise logs each error and keeps the current config. */
  apply(raw: unknown): ConfigResult;
}

function storedRaw(kv: KeyValuePort, log: Logger): unknown {
  const bytes = kv.get(CONFIG_KEY);
  if (!bytes) return undefined;
  try {
    return JSON.parse(fromUtf8(bytes));
  } catch {
    log.error("stored config is not JSON; ignored", { size: bytes.length });
    return undefined;
  }
}

/**
 * Boot order: the config last applied at run time (persisted), else the flashed `initial` config,
 * else the defaults. Whatever fails validation, including the host's `limits`, is logged field by field.
 */
export function createConfigStore(options: {
  kv: KeyValuePort;
  log: Logger;
  initial: unknown;
  /** What the host can hold (an outbox larger than its storage is refused). */
  limits?: ConfigLimits;
}): ConfigStore {
  const { kv, log, limits } = options;
  let current: Config | undefined;
  for (const [source, raw] of [
    ["stored", storedRaw(kv, log)],
    ["flashed", options.initial],
  ] as const) {
    if (raw === undefined) continue;
    const r = parseConfig(raw, limits);
    if (r.ok) {
      current = r.config;
      log.info("config loaded", { source });
      for (const notice of r.notices) log.warn(notice);
      break;
    }
    log.error(`${source} config rejected`, { errors: r.errors.length });
    for (const line of formatConfigErrors(r.errors).split("\n")) log.error(line);
  }
  if (!current) {
    current = defaultConfig();
    log.warn("running on default config");
  }
  return {
    get current() {
      return current!;
    },
    apply(raw) {
      const r = parseConfig(raw, limits);
      if (!r.ok) {
        for (const line of formatConfigErrors(r.errors).split("\n")) log.error(line);
        log.warn("config unchanged; still on the last good config");
        return r;
      }
      kv.set(CONFIG_KEY, utf8(JSON.stringify(r.config)));
      current = r.config;
      log.info("config applied");
      for (const notice of r.notices) log.warn(notice);
      return r;
    },
  };
}
