// SPDX-License-Identifier: MIT
// Fake of Moddable's legacy `flash` on ESP32 (modules/files/flash/flash.js over modules/files/flash/esp32/flash.c).
// As in the SDK: `new Flash(name)` opens "running", "nextota" (esp-ota.ts's slots) or a data partition by its label and throws "can't
// find partition" otherwise; `erase(sector)` erases one 4 KB sector to 0xFF ("erase failed" out of range); `read`
// returns a fresh ArrayBuffer ("read failed" out of range); `write(offset, byteLength, buffer)` throws "invalid"
// for byteLength <= 0 or a shorter buffer and "write failed" out of range, and, like NOR flash under
// esp_partition_write, can only clear bits: writing over unerased bytes ANDs them. `byteLength` is the
// partition's size and `blockSize` 4096. Each erase and write is one operation of the shared power rail
// (power.ts): a cut write stores its first half. Tests lay out partitions with `addPartition`.
import { otaLabel } from "./esp-ota.js";
import { flashOperation, PowerLoss } from "./power.js";

const SECTOR_BYTES = 4096;
const partitions = new Map<string, Uint8Array>();

/** Adds a data partition `label` of `byteLength` bytes (whole sectors), erased, or holding `bytes` at offset 0. */
export function addPartition(label: string, byteLength: number, bytes?: Uint8Array): void {
  const area = new Uint8Array(byteLength).fill(0xff);
  if (bytes) area.set(bytes.subarray(0, byteLength));
  partitions.set(label, area);
}

/** The raw content of a partition (for assertions and to damage it); undefined when there is none. */
export function partitionBytes(label: string): Uint8Array | undefined {
  return partitions.get(label);
}

export function resetFlash(): void {
  partitions.clear();
}

class Flash {
  readonly #area: Uint8Array;
  constructor(name: string) {
    const area = partitions.get(otaLabel(name)); // "running" and "nextota": esp-ota.ts's slots
    if (!area) throw new Error("can't find partition");
    this.#area = area;
  }
  erase(sector: number): void {
    const start = sector * SECTOR_BYTES;
    if (!Number.isInteger(sector) || sector < 0 || start + SECTOR_BYTES > this.#area.length)
      throw new Error("erase failed");
    if (flashOperation()) {
      this.#area.fill(0xff, start, start + SECTOR_BYTES / 2);
      throw new PowerLoss();
    }
    this.#area.fill(0xff, start, start + SECTOR_BYTES);
  }
  read(offset: number, byteLength: number): ArrayBuffer {
    if (offset < 0 || byteLength < 0 || offset + byteLength > this.#area.length) throw new Error("read failed");
    return this.#area.slice(offset, offset + byteLength).buffer;
  }
  write(offset: number, byteLength: number, buffer: ArrayBuffer | ArrayBufferView): void {
    const bytes = ArrayBuffer.isView(buffer)
      ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
      : new Uint8Array(buffer);
    if (byteLength <= 0 || bytes.length < byteLength) throw new Error("invalid");
    if (offset < 0 || offset + byteLength > this.#area.length) throw new Error("write failed");
    const cut = flashOperation();
    const end = cut ? Math.floor(byteLength / 2) : byteLength;
    for (let i = 0; i < end; i++) this.#area[offset + i] &= bytes[i];
    if (cut) throw new PowerLoss();
  }
  get byteLength(): number {
    return this.#area.length;
  }
  get blockSize(): number {
    return SECTOR_BYTES;
  }
}

export default Flash;
