// SPDX-License-Identifier: MIT
// Fake of ESP-IDF's app update state, behind hosts/esp32/native/ota-xs.c's functions (native("xs_doorbell_ota_*"),
// installed by device-globals.ts) and the `flash` fake's "running" and "nextota" names. It follows ESP-IDF's documented
// behaviour with CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE (app_update/esp_ota_ops.c and the bootloader): the two slots are
// the data of the flash fake's partitions "ota_0" and "ota_1"; esp_ota_set_boot_partition checks the image (here: its
// first byte is the ESP image magic 0xE9) and marks the slot ESP_OTA_IMG_NEW to boot next; at boot the bootloader turns
// NEW into PENDING_VERIFY, and a slot booted again while PENDING_VERIFY becomes ABORTED and the other slot boots;
// esp_ota_mark_app_valid_cancel_rollback makes the running slot VALID; esp_ota_mark_app_invalid_rollback_and_reboot
// marks it INVALID and restarts into the other slot, or fails (ESP_ERR_OTA_ROLLBACK_FAILED) when that one is not valid.
// An image flashed over USB has no state (UNDEFINED) and is treated as valid.
import { addPartition, partitionBytes } from "./flash.js";

export type OtaSlot = "ota_0" | "ota_1";
export type OtaState = "undefined" | "new" | "pending" | "valid" | "invalid" | "aborted";

const other = (s: OtaSlot): OtaSlot => (s === "ota_0" ? "ota_1" : "ota_0");
let running: OtaSlot = "ota_0";
let boot: OtaSlot = "ota_0";
const states: Record<OtaSlot, OtaState> = { ota_0: "undefined", ota_1: "undefined" };
/** Restarts asked for by rollback (the device would reset; the test reboots). */
export const otaStats = { restarts: 0 };

/** Two slots of `slotBytes`, ota_0 holding a USB-flashed image (no state) and running. */
export function resetOta(slotBytes = 0): void {
  running = "ota_0";
  boot = "ota_0";
  states.ota_0 = "undefined";
  states.ota_1 = "undefined";
  otaStats.restarts = 0;
  if (slotBytes > 0) {
    const usb = new Uint8Array(64).fill(0x11);
    usb[0] = 0xe9;
    addPartition("ota_0", slotBytes, usb);
    addPartition("ota_1", slotBytes);
  }
}

/** The partition label the flash fake opens for "running" and "nextota". */
export function otaLabel(name: string): string {
  if (name === "running") return running;
  if (name === "nextota") return other(running);
  return name;
}

export function otaState(): { running: OtaSlot; boot: OtaSlot; states: Record<OtaSlot, OtaState> } {
  return { running, boot, states: { ...states } };
}

/** The bootloader after a reset: applies the rollback rule and says which slot runs. */
export function otaBoot(): OtaSlot {
  let slot = boot;
  if (states[slot] === "new") states[slot] = "pending";
  else if (states[slot] === "pending") {
    states[slot] = "aborted";
    slot = other(slot);
  } else if (states[slot] === "invalid" || states[slot] === "aborted") slot = other(slot);
  boot = slot;
  running = slot;
  return slot;
}

/** esp_ota_set_boot_partition(esp_ota_get_next_update_partition(NULL)). */
export function otaActivate(): void {
  const next = other(running);
  const image = partitionBytes(next);
  if (image?.[0] !== 0xe9) throw new Error("activate: ESP_ERR_OTA_VALIDATE_FAILED");
  states[next] = "new";
  boot = next;
}

export function otaRunningPending(): boolean {
  return states[running] === "pending";
}

export function otaMarkValid(): void {
  states[running] = "valid";
}

export function otaRollback(): never {
  const previous = other(running);
  if (states[previous] !== "valid" && states[previous] !== "undefined")
    throw new Error("rollback: ESP_ERR_OTA_ROLLBACK_FAILED");
  states[running] = "invalid";
  boot = previous;
  otaStats.restarts++;
  throw new Error("restart (fake esp_restart)");
}
