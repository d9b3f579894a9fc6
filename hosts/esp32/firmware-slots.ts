// SPDX-License-Identifier: MIT
// The two application slots on the ESP32 (FirmwareSlotsPort, docs/ota.md): the image is written into the inactive
// slot through the SDK's `flash` module ("nextota", the slot esp_ota_get_next_update_partition names), and activated,
// kept or rolled back through native/ota.ts. A sector is erased when a write first reaches its start, so a resumed
// update (after a reset) keeps what it wrote before and rewrites, byte for byte the same, the chunk that was cut.
// Limit: the SDK's `ota` module is not used for the writes: it writes only in sequence from offset 0 through a handle
// that a reset loses, so it cannot resume an update after a power cut.
import Flash from "flash";
import type { FirmwareSlotsPort, LogPort } from "../../modules/ports.js";
import { createNativeOta, type NativeOta } from "./native/ota.js";

export interface Esp32SlotsOptions {
  log: LogPort;
  /** The ESP-IDF calls; default the native module. */
  ota?: NativeOta;
}

/**
 * The slots port, or undefined when the flashed partition table has no second application slot (the firmware then
 * refuses updates with `no-slots`); a warning says why.
 */
export function createEsp32FirmwareSlots(options: Esp32SlotsOptions): FirmwareSlotsPort | undefined {
  const { log } = options;
  let probe: Flash;
  try {
    probe = new Flash("nextota");
  } catch {
    log.write("warn", "update", "no inactive application slot in the partition table: updates are refused");
    return undefined;
  }
  const slotBytes = probe.byteLength;
  const sectorBytes = probe.blockSize;
  const ota = options.ota ?? createNativeOta();
  let slot: Flash | undefined;
  let imageBytes = 0;

  return {
    slotBytes,
    begin(sizeBytes) {
      if (sizeBytes > slotBytes) throw new RangeError(`slots: ${sizeBytes} bytes exceed the slot's ${slotBytes}`);
      // Nothing to erase or keep here: write() erases each sector as the image first reaches it, in a fresh update
      // and a resumed one alike.
      slot = new Flash("nextota");
      imageBytes = sizeBytes;
    },
    write(offset, bytes) {
      if (!slot) throw new Error("slots: write before begin");
      const end = offset + bytes.length;
      if (offset < 0 || end > imageBytes)
        throw new RangeError(`slots: bytes ${offset}..${end} past the ${imageBytes}-byte image`);
      for (let sector = Math.ceil(offset / sectorBytes); sector * sectorBytes < end; sector++) slot.erase(sector);
      if (bytes.length) slot.write(offset, bytes.length, bytes);
    },
    abort() {
      slot = undefined; // otadata was not touched: the slot does not boot
    },
    activate() {
      if (!slot) throw new Error("slots: activate before begin");
      ota.activate();
      slot = undefined;
    },
    runningState: () => (ota.runningPending() ? "pending" : "valid"),
    markValid() {
      ota.markValid();
    },
    rollback(reason) {
      log.write("warn", "update", `rolling back to the previous slot: ${reason}`);
      ota.rollback();
    },
  };
}
