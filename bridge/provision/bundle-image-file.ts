// SPDX-License-Identifier: MIT
// bundle.bin: the device bundle as the image of the doorbell's `bundle` flash partition (modules/bundle-image.ts),
// which a maker writes once with esptool.py (docs/build-and-flash.md). It holds the device's TLS key, so it is
// written mode 0600, and rewritten whole (through a rename) whenever the bundle changes.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BUNDLE_PARTITION_BYTES, BUNDLE_PARTITION_OFFSET } from "../../hosts/esp32/flash-layout.js";
import { encodeBundleImage } from "../../modules/bundle-image.js";
import { BUNDLE_FILES } from "./bundle-files.js";
import { writeReplacing } from "./files.js";

export const BUNDLE_IMAGE_FILE = "bundle.bin";

/** The esptool.py command that flashes `path` to the bundle partition. */
export function bundleFlashCommand(path: string): string {
  return `esptool.py --chip esp32 write_flash 0x${BUNDLE_PARTITION_OFFSET.toString(16)} ${path}`;
}

/** Writes `<bundleDir>/bundle.bin` from the bundle's files (device-config.json and the DER files it names); returns its path. */
export function writeBundleImage(bundleDir: string): string {
  const configPath = join(bundleDir, BUNDLE_FILES.config);
  if (!existsSync(configPath))
    throw new Error(`${configPath} not found: no such device; doorbell device add <name> provisions one`);
  const config = readFileSync(configPath);
  let tls: Record<string, unknown>;
  try {
    tls = JSON.parse(config.toString("utf8")).tls ?? {};
  } catch {
    throw new Error(`${configPath}: not valid JSON; expected a device-config.json written by doorbell device add`);
  }
  const names = [tls.ca, tls.cert, tls.key].filter(
    (n, i, all): n is string => typeof n === "string" && all.indexOf(n) === i,
  );
  if (names.length === 0) throw new Error(`${configPath}: tls names no .der file; expected ca, cert and key`);
  const files = [
    { name: BUNDLE_FILES.config, bytes: new Uint8Array(config) },
    ...names.map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(bundleDir, name))) })),
  ];
  const image = encodeBundleImage(files, BUNDLE_PARTITION_BYTES);
  const path = join(bundleDir, BUNDLE_IMAGE_FILE);
  writeReplacing(path, image, 0o600);
  return path;
}
