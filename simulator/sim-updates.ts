// SPDX-License-Identifier: MIT
// The simulator's firmware updates: the virtual two-slot flash the device boots from (hosts/node/virtual-flash.ts),
// and updates packed as `doorbell update pack` packs them, with the simulation's owner keys, into the owner's
// updates folder, where the bridge's update server publishes them (bridge/update/update-server.ts).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CHAIN_HASH_BYTES, CHUNK_HEADER_BYTES } from "../modules/update/update-format.js";
import type { CryptoPort } from "../modules/ports.js";
import { createVirtualFlash, type VirtualFlash } from "../hosts/node/virtual-flash.js";
import { flashFolder } from "../hosts/node/virtual-flash-files.js";
import { packUpdate } from "../bridge/update/pack-update.js";
import type { UpdateInfo } from "../bridge/update/update-folder.js";
import { parseConfig } from "../modules/config.js";
import { asSimImage, makeSimImage } from "./sim-firmware-image.js";
import type { SimKeys } from "./sim-keys.js";
import { readFileSync } from "node:fs";

/** The simulated ESP32-CAM's application slot: 1.5 MiB, as each of the two in hosts/esp32/board's partitions. */
export const SIM_SLOT_BYTES = 1536 * 1024;

/** The flash under `dataDir/flash`; a new one gets the factory image of `factoryVersion` in slot a. */
export function openSimFlash(
  dataDir: string,
  factoryVersion: string,
  onRollback: (reason: string) => void,
): VirtualFlash {
  const flash = createVirtualFlash({
    slotBytes: SIM_SLOT_BYTES,
    store: flashFolder(join(dataDir, "flash")),
    onRestart: onRollback,
  });
  const { states } = flash.state;
  if (states.a === "empty" && states.b === "empty")
    flash.flashFactory(makeSimImage({ version: factoryVersion, unreachableBroker: false }));
  return flash;
}

export interface SimUpdateRequest {
  /** An image file's bytes (the page's upload), or a simulator image made from `version`. */
  image?: Uint8Array;
  version: string;
  sizeBytes?: number;
  /** The new build cannot reach the broker: it must roll back. */
  unreachableBroker?: boolean;
  /** One chunk's bytes are damaged in the folder after packing, as a bad disk or transfer would. */
  corrupt?: boolean;
  allowDowngrade?: boolean;
}

/** Packs an update for the simulated doorbell into `updatesDir/<name>/` and marks it to install at once. */
export function packSimUpdate(o: {
  updatesDir: string;
  crypto: CryptoPort;
  keys: SimKeys;
  deviceConfig: unknown;
  request: SimUpdateRequest;
  name: string;
}): UpdateInfo {
  const parsed = parseConfig(o.deviceConfig);
  if (!parsed.ok) throw new Error("the simulated device's config is not valid");
  const r = o.request;
  const image = r.image
    ? asSimImage(r.image, r.version)
    : makeSimImage({ version: r.version, unreachableBroker: r.unreachableBroker === true }, r.sizeBytes);
  const out = join(o.updatesDir, o.name);
  const info = packUpdate({
    crypto: o.crypto,
    ownerSecret: o.keys.ownerSecret,
    sign: o.keys.signCommand,
    image,
    version: r.version,
    targets: [{ config: parsed.config, devicePublicKey: o.keys.devicePublic }],
    out,
    allowDowngrade: r.allowDowngrade,
  });
  if (r.corrupt) {
    const file = join(out, "chunks.bin");
    const bytes = new Uint8Array(readFileSync(file));
    const stride = CHUNK_HEADER_BYTES + info.chunkBytes + CHAIN_HASH_BYTES;
    const index = Math.min(2, info.chunks - 1);
    bytes[index * stride + CHUNK_HEADER_BYTES + 100] ^= 0x20; // one flipped bit in chunk 2's image bytes
    writeFileSync(file, bytes);
  }
  writeFileSync(join(out, "install"), "");
  return info;
}
