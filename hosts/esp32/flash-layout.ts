// SPDX-License-Identifier: MIT
// The AI-Thinker ESP32-CAM's flash as this firmware uses it (board/esp32cam/sdkconfig/partitions.csv), and
// the check that refuses a config the flash cannot hold, naming the field, its value and what fits.
// Limit: littlefs may store very small files inline in the directory; the bounds here count a whole block
// per record, so they are safe, never optimistic.
import type { Config } from "../../modules/config.js";
import { MAX_ENVELOPE_BYTES } from "../../modules/envelope/layout.js";

/** The `storage` data partition (littlefs) that holds the outbox: 0xE0000 (896 KiB) in partitions.csv. */
export const STORAGE_PARTITION_BYTES = 0xe0000;
/** The `nvs` partition (Preference): 0x6000 in partitions.csv. */
export const NVS_PARTITION_BYTES = 0x6000;
/** The label of the data partition that holds the device bundle (modules/bundle-image.ts), read through `flash`. */
export const BUNDLE_PARTITION = "bundle";
/** Its offset in flash, where `esptool.py write_flash` puts bundle.bin: 0x12000 in partitions.csv. */
export const BUNDLE_PARTITION_OFFSET = 0x12000;
/** Its size: 0x4000 in partitions.csv, four 4 KB sectors; a bundle is about 4 KB (RSA 2048 key and certificates). */
export const BUNDLE_PARTITION_BYTES = 0x4000;
/** Each of the two application slots (`ota_0`, `ota_1`): 0x180000 (1.5 MiB) in partitions.csv; docs/ota.md says why. */
export const APP_SLOT_BYTES = 0x180000;
/** littlefs block size on the ESP32 (the flash erase sector). */
export const LITTLEFS_BLOCK_BYTES = 4096;
/** Blocks littlefs needs besides the records: the superblock pair, the /outbox directory pair, two for copy-on-write. */
export const LITTLEFS_RESERVED_BLOCKS = 6;
/** Bytes of the storage partition that records can use. */
export const OUTBOX_USABLE_BYTES =
  (Math.floor(STORAGE_PARTITION_BYTES / LITTLEFS_BLOCK_BYTES) - LITTLEFS_RESERVED_BLOCKS) * LITTLEFS_BLOCK_BYTES;
/**
 * Per-record bytes beside the envelope, with room to spare: append-log.ts's 4-byte "DBL2" magic and the outbox
 * record's framing (3 header bytes, a tag of up to 32, a 4-byte check: 43 bytes at most, 11 with no tag).
 */
export const RECORD_OVERHEAD_BYTES = 64;

export interface FlashLayoutCheck {
  /** Settings this flash cannot hold; the device must not start with them. */
  errors: string[];
  /** Settings that fit on average but not in the worst case: a full outbox may then refuse an append (a counted drop). */
  warnings: string[];
}

const kib = (bytes: number) => Math.floor(bytes / 1024);

/** Checks the outbox settings against the storage partition. */
export function checkFlashLayout(config: { outbox: Pick<Config["outbox"], "maxKiB" | "maxEvents"> }): FlashLayoutCheck {
  const { maxEvents, maxKiB } = config.outbox;
  const errors: string[] = [];
  const warnings: string[] = [];
  const maxKiBFits = kib(OUTBOX_USABLE_BYTES);
  const maxEventsFit = Math.floor(OUTBOX_USABLE_BYTES / LITTLEFS_BLOCK_BYTES);
  if (maxKiB > maxKiBFits) {
    errors.push(
      `outbox.maxKiB: ${maxKiB} KiB does not fit the ${kib(STORAGE_PARTITION_BYTES)} KiB storage partition ` +
        `(${maxKiBFits} KiB usable by littlefs records); accepted on the ESP32-CAM: up to ${maxKiBFits}`,
    );
  }
  if (maxEvents > maxEventsFit) {
    errors.push(
      `outbox.maxEvents: ${maxEvents} events need at least one ${LITTLEFS_BLOCK_BYTES}-byte block each, more than the ` +
        `storage partition holds; accepted on the ESP32-CAM: up to ${maxEventsFit}`,
    );
  }
  const largestRecord = MAX_ENVELOPE_BYTES + RECORD_OVERHEAD_BYTES;
  if (maxKiB * 1024 < largestRecord) {
    warnings.push(
      `outbox.maxKiB: ${maxKiB} KiB is less than one largest event (${kib(largestRecord) + 1} KiB); such events are dropped`,
    );
  }
  const worstCase = maxKiB * 1024 + maxEvents * (LITTLEFS_BLOCK_BYTES + RECORD_OVERHEAD_BYTES);
  if (!errors.length && worstCase > OUTBOX_USABLE_BYTES) {
    warnings.push(
      `outbox: ${maxKiB} KiB in up to ${maxEvents} records can take ${kib(worstCase)} KiB of flash when every record ` +
        `ends just past a block, more than the ${maxKiBFits} KiB usable; a full outbox may then refuse an event, ` +
        "which is counted as a drop. Lower outbox.maxKiB or outbox.maxEvents to rule it out",
    );
  }
  return { errors, warnings };
}
