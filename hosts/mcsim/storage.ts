// SPDX-License-Identifier: MIT
// The storage port in mcsim: the ESP32 host's own modules over the desktop's files. Settings in the two-slot
// preference store (the SDK's Linux `preference` keeps them in one JSON file), the outbox as one file per
// record in `outboxDir`. Same domains as createEsp32Storage: firmware keys "doorbell", host keys "dbhost".
// Limit: the desktop's files are not power-fail safe the way NVS and littlefs are; the board's fakes test that.
import type { LogPort, StoragePort } from "../../modules/ports.js";
import { createLittlefsLog } from "../esp32/append-log.js";
import { createPreferenceKv } from "../esp32/kv-store.js";

export interface McsimStorageOptions {
  /** Folder for the outbox's record files, created if missing (its parent must exist). */
  outboxDir: string;
  log: LogPort;
}

/** Creates the storage port; a second call over the same folder sees what the first stored (a reboot). */
export function createMcsimStorage(options: McsimStorageOptions): StoragePort {
  return {
    kv: createPreferenceKv({ domain: "doorbell" }),
    log: createLittlefsLog({
      dir: options.outboxDir,
      reservations: createPreferenceKv({ domain: "dbhost" }),
      log: options.log,
    }),
  };
}
