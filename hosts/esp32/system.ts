// SPDX-License-Identifier: MIT
// The system port on the device: restart through the `System` global (esp_restart) and the Wi-Fi RSSI.
import Timer from "timer";
import type { LogPort, SystemPort } from "../../modules/ports.js";

const TAG = "system";
/** Lets the UART drain the last log line before the reset. */
const LOG_DRAIN_MS = 50;

export interface Esp32SystemOptions {
  log: LogPort;
  /** Wi-Fi signal strength in dBm, when associated. */
  rssiDbm(): number | undefined;
}

/** Creates the system port. `restart()` does not return. */
export function createEsp32System(options: Esp32SystemOptions): SystemPort {
  const { log } = options;
  return {
    restart(reason) {
      log.write("warn", TAG, `restarting: ${reason}`);
      Timer.delay(LOG_DRAIN_MS);
      System.restart();
    },
    rssiDbm: () => options.rssiDbm(),
  };
}
