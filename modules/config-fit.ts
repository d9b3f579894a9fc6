// SPDX-License-Identifier: MIT
// Refuses outbox bounds the host's storage cannot hold (the ESP32-CAM's 896 KiB partition), with the field, the
// value and what fits, like any other config error. Used by parseConfig when the host states a capacity.
import type { StoreCapacity } from "./ports.js";

/** A config error, as modules/config.ts reports them. */
export interface FitError {
  field: string;
  value: string;
  accepted: string;
}

/** Errors for `outbox.maxKiB` and `outbox.maxEvents` above what `capacity` holds; none when they fit. */
export function outboxFitErrors(outbox: { maxKiB: number; maxEvents: number }, capacity: StoreCapacity): FitError[] {
  const errors: FitError[] = [];
  const kib = Math.floor(capacity.bytes / 1024);
  if (outbox.maxKiB > kib)
    errors.push({
      field: "outbox.maxKiB",
      value: String(outbox.maxKiB),
      accepted: `at most ${kib} KiB: this device's storage holds no more (docs/delivery.md, Sizing)`,
    });
  if (outbox.maxEvents > capacity.records)
    errors.push({
      field: "outbox.maxEvents",
      value: String(outbox.maxEvents),
      accepted: `at most ${capacity.records} events: this device's storage holds no more records (docs/delivery.md, Sizing)`,
    });
  return errors;
}
