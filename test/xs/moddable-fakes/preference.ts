// SPDX-License-Identifier: MIT
// Fake of Moddable's `preference` on ESP32 (modules/files/preference/esp32/modPreference.c over NVS).
// As in the SDK: `set` opens the namespace ("nvs_open fail" for a name over 15 characters), erases the
// key, then writes and commits it, so a cut between the two leaves the key absent; booleans, int32
// numbers ("float unsupported" otherwise), strings and ArrayBuffers are stored ("unsupported type"
// for anything else, views included); keys over 15 characters and values over 4000 bytes (the
// documented limit, documentation/files/files.md) fail with "nvs set fail"; `get` returns undefined
// for a missing namespace or key and a fresh ArrayBuffer for a blob; `delete` of a missing key is fine.
import { flashOperation, PowerLoss } from "./power.js";

const MAX_NAME = 15;
const MAX_VALUE_BYTES = 4000;

type Stored = boolean | number | string | ArrayBuffer;
const nvs = new Map<string, Map<string, Stored>>();

export function resetPreferences(): void {
  nvs.clear();
}

/** The raw NVS content of `domain` (for assertions). */
export function nvsEntries(domain: string): Map<string, Stored> {
  return nvs.get(domain) ?? new Map();
}

function open(domain: string): Map<string, Stored> {
  if (domain.length === 0 || domain.length > MAX_NAME) throw new Error("nvs_open fail");
  let space = nvs.get(domain);
  if (!space) {
    space = new Map();
    nvs.set(domain, space);
  }
  return space;
}

function encode(value: unknown): Stored {
  if (typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") {
    if (value !== (value | 0)) throw new Error("float unsupported");
    return value;
  }
  if (value instanceof ArrayBuffer) {
    if (value.byteLength > MAX_VALUE_BYTES) throw new Error("nvs set fail");
    return value.slice(0);
  }
  throw new Error("unsupported type");
}

const Preference = {
  set(domain: string, key: string, value: unknown): void {
    const space = open(domain);
    const stored = encode(value);
    if (key.length === 0 || key.length > MAX_NAME) throw new Error("nvs set fail");
    if (typeof stored === "string" && stored.length >= MAX_VALUE_BYTES) throw new Error("nvs set fail");
    const cut = flashOperation();
    space.delete(key); // ERASE_KEY
    if (cut) throw new PowerLoss(); // the reset came between the erase and the write
    space.set(key, stored);
  },
  get(domain: string, key: string): Stored | undefined {
    const value = nvs.get(domain)?.get(key);
    return value instanceof ArrayBuffer ? value.slice(0) : value;
  },
  delete(domain: string, key: string): void {
    const space = nvs.get(domain);
    if (!space) return;
    if (flashOperation()) throw new PowerLoss();
    space.delete(key);
  },
  keys(domain: string): string[] {
    return [...(nvs.get(domain)?.keys() ?? [])];
  },
};

export default Preference;
