// SPDX-License-Identifier: MIT
// The device bundle's own flash partition (label `bundle`, partitions.csv), read and written through Moddable's
// `flash` module in the format of modules/bundle-image.ts. A write erases the partition, writes the files, then
// the header, then the commit word last, so a write cut by a reset reads back as "unfinished", never as a
// bundle. Limit: plain flash, readable by anyone holding the board unless ESP32 flash encryption is on.
import Flash from "flash";
import {
  BUNDLE_COMMIT_OFFSET,
  BUNDLE_HEADER_BYTES,
  type BundleFile,
  decodeBundleBody,
  encodeBundleBody,
  encodeBundleHeader,
  readBundleHeader,
} from "../../modules/bundle-image.js";
import { BUNDLE_PARTITION } from "./flash-layout.js";

export type BundleAreaState =
  | { state: "empty" }
  | { state: "unfinished" }
  | { state: "committed"; files: BundleFile[] };

/** Opens the bundle partition; throws, saying how to fix it, when the flashed partition table has none. */
export function openBundleArea(): Flash {
  try {
    return new Flash(BUNDLE_PARTITION);
  } catch {
    throw new Error(
      `the flash has no "${BUNDLE_PARTITION}" partition: flash the firmware with its partition table ` +
        "(hosts/esp32/board/esp32cam/sdkconfig/partitions.csv; docs/build-and-flash.md)",
    );
  }
}

/** What the partition holds; throws a BundleImageError (from modules/bundle-image.ts) when it is damaged. */
export function readBundleArea(flash: Flash): BundleAreaState {
  const header = readBundleHeader(new Uint8Array(flash.read(0, BUNDLE_HEADER_BYTES) as ArrayBuffer), flash.byteLength);
  if (header.state !== "committed") return header;
  const body = new Uint8Array(flash.read(BUNDLE_HEADER_BYTES, header.bodyLength) as ArrayBuffer);
  return { state: "committed", files: decodeBundleBody(body, header.digest) };
}

/**
 * Replaces the partition's content with `files`: erase, body, header, commit word. Throws on a flash error or
 * when the bundle does not fit; a reset part-way leaves an unfinished write, which reads back as such.
 */
export function writeBundleArea(flash: Flash, files: readonly BundleFile[]): void {
  const body = encodeBundleBody(files);
  if (BUNDLE_HEADER_BYTES + body.length > flash.byteLength)
    throw new RangeError(`the bundle is ${body.length} bytes; the ${flash.byteLength}-byte partition holds less`);
  const sectors = Math.ceil(flash.byteLength / flash.blockSize);
  for (let sector = 0; sector < sectors; sector++) flash.erase(sector);
  flash.write(BUNDLE_HEADER_BYTES, body.length, body);
  const header = encodeBundleHeader(body, false);
  flash.write(0, BUNDLE_COMMIT_OFFSET, header);
  flash.write(BUNDLE_COMMIT_OFFSET, 4, new Uint8Array(4));
}
