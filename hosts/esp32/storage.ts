// SPDX-License-Identifier: MIT
// The storage port on the device: key-value settings in NVS, the outbox log in littlefs.
import type { LogPort, StoragePort } from "../../modules/ports.js";
import { createLittlefsLog } from "./append-log.js";
import { createPreferenceKv } from "./kv-store.js";

export interface Esp32StorageOptions {
  log: LogPort;
}

/**
 * Creates the storage port. The firmware's keys live in the NVS namespaces "doorbell.a/.b"; the
 * host's own bookkeeping (the outbox id reservation) in "dbhost.a/.b", so the two never collide.
 */
export function createEsp32Storage(options: Esp32StorageOptions): StoragePort {
  return {
    kv: createPreferenceKv({ domain: "doorbell" }),
    log: createLittlefsLog({ reservations: createPreferenceKv({ domain: "dbhost" }), log: options.log }),
  };
}
