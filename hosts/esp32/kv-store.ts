// SPDX-License-Identifier: MIT
// The key-value port over Moddable's `preference` (ESP-IDF NVS), power-fail safe with two slots.
// Moddable's Preference.set erases a key before writing it, so a power cut between the two loses
// the old value. Each key therefore lives in two NVS namespaces, `<domain>.a` and `<domain>.b`, as
// [generation u32 BE][value]; a write goes to the slot holding the older generation, so the newer
// value survives any cut. Limits: keys <= 15 characters, values <= 3996 bytes, and every write costs
// an NVS entry in a 24 KB partition: meant for settings and counters reserved in blocks, not per event.
import Preference from "preference";
import type { KeyValuePort } from "../../modules/ports.js";

/** ESP-IDF NVS key length limit in bytes (NVS_KEY_NAME_MAX_SIZE - 1); one byte per ASCII character. */
export const MAX_KEY_CHARS = 15;
/** Moddable's documented Preference value limit, less the 4-byte generation. */
export const MAX_VALUE_BYTES = 4000 - 4;
const GENERATION_BYTES = 4;

interface Slot {
  domain: string;
  generation: number;
  value: Uint8Array;
}

function readSlot(domain: string, key: string): Slot | undefined {
  const stored = Preference.get(domain, key);
  if (!(stored instanceof ArrayBuffer) || stored.byteLength < GENERATION_BYTES) return undefined;
  const generation = new DataView(stored).getUint32(0);
  return { domain, generation, value: new Uint8Array(stored, GENERATION_BYTES) };
}

function checkKey(key: string): void {
  const bytes = ArrayBuffer.fromString(key).byteLength; // NVS counts UTF-8 bytes
  if (bytes === 0 || bytes > MAX_KEY_CHARS) {
    throw new RangeError(`kv: key "${key}" is ${bytes} bytes; NVS accepts 1 to ${MAX_KEY_CHARS} (ASCII characters)`);
  }
}

export interface PreferenceKvOptions {
  /** Base NVS namespace, at most 13 characters (".a"/".b" are appended). Default "doorbell". */
  domain?: string;
}

/** Creates the key-value port. `set` and `delete` have committed to flash when they return. */
export function createPreferenceKv(options: PreferenceKvOptions = {}): KeyValuePort {
  const base = options.domain ?? "doorbell";
  if (base.length === 0 || base.length > MAX_KEY_CHARS - 2) {
    throw new RangeError(`kv: domain "${base}" must have 1 to ${MAX_KEY_CHARS - 2} characters`);
  }
  const domains = [`${base}.a`, `${base}.b`];
  const slots = (key: string): Slot[] =>
    domains
      .map((d) => readSlot(d, key))
      .filter((s): s is Slot => s !== undefined)
      .sort((x, y) => x.generation - y.generation);

  return {
    get(key) {
      checkKey(key);
      const found = slots(key);
      return found.length ? found[found.length - 1].value.slice() : undefined;
    },
    set(key, value) {
      checkKey(key);
      if (value.length > MAX_VALUE_BYTES) {
        throw new RangeError(
          `kv: value for "${key}" is ${value.length} bytes; at most ${MAX_VALUE_BYTES} fit in one NVS entry`,
        );
      }
      const found = slots(key);
      const newest = found[found.length - 1];
      const target = found.length === 2 ? found[0].domain : (domains.find((d) => d !== newest?.domain) ?? domains[0]);
      const framed = new Uint8Array(GENERATION_BYTES + value.length);
      new DataView(framed.buffer).setUint32(0, ((newest?.generation ?? 0) + 1) >>> 0);
      framed.set(value, GENERATION_BYTES);
      Preference.set(target, key, framed.buffer);
    },
    delete(key) {
      checkKey(key);
      // Older slot first: a cut in between leaves the current value, never a resurrected older one.
      for (const slot of slots(key)) Preference.delete(slot.domain, key);
    },
  };
}
