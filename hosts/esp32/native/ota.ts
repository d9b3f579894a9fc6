// SPDX-License-Identifier: MIT
// ESP-IDF's app update calls that the Moddable SDK's `ota` module lacks (ota-xs.c): activate the written slot, the
// running image's trial state, keep it, roll it back. Needs ota-xs.c in the build (manifest.json's native modules).

// biome-ignore lint/suspicious/noExplicitAny: XS's native() returns an untyped host function; each use is typed at its call
declare function native(name: string): (...args: any[]) => any;

export interface NativeOta {
  /** Makes the inactive slot boot next (esp_ota_set_boot_partition); ESP-IDF checks the image. Throws "activate: …". */
  activate(): void;
  /** Whether the running image is on trial (ESP_OTA_IMG_PENDING_VERIFY). */
  runningPending(): boolean;
  /** Keeps the running image (esp_ota_mark_app_valid_cancel_rollback). Throws "mark valid: …". */
  markValid(): void;
  /** Restarts into the previous slot (esp_ota_mark_app_invalid_rollback_and_reboot); returns only by throwing. */
  rollback(): never;
}

export function createNativeOta(): NativeOta {
  return {
    activate: native("xs_doorbell_ota_activate") as () => void,
    runningPending: native("xs_doorbell_ota_running_pending") as () => boolean,
    markValid: native("xs_doorbell_ota_mark_valid") as () => void,
    rollback: native("xs_doorbell_ota_rollback") as () => never,
  };
}
