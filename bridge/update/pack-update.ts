// SPDX-License-Identifier: MIT
// Writes an update folder (bridge/update/update-folder.ts) from a firmware image: the chunks once, and a manifest
// sealed to each device and signed with the owner's key, so only the owner can make an update a doorbell accepts.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { concat } from "../../modules/bytes.js";
import { formatConfigErrors, parseConfig, type Config } from "../../modules/config.js";
import type { CryptoPort } from "../../modules/ports.js";
import { deviceTopics } from "../../modules/topics.js";
import { chainImage, manifestFor, sealManifest } from "../../modules/update/update-pack.js";
import { DEVICE_CONFIG_FORMAT } from "../devices.js";
import { readPublicKey } from "../key-files.js";
import type { HomeLayout } from "../provision/home-layout.js";
import { UPDATE_FOLDER_FORMAT, type UpdateInfo } from "./update-folder.js";

export interface PackTarget {
  config: Config;
  devicePublicKey: Uint8Array;
}

/** The provisioned device `name` (devices/<name>/): its config and public key. Throws naming the file. */
export function readPackTarget(layout: HomeLayout, name: string): PackTarget {
  const dir = layout.deviceDir(name);
  const path = join(dir, "device-config.json");
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(name) || !existsSync(path))
    throw new Error(`--device ${JSON.stringify(name)}: no device bundle ${path}; doorbell device add makes one`);
  const raw = JSON.parse(readFileSync(path, "utf8")) as { format?: string; config?: unknown };
  if (raw?.format !== DEVICE_CONFIG_FORMAT) throw new Error(`${path}: format must be "${DEVICE_CONFIG_FORMAT}"`);
  const parsed = parseConfig(raw.config);
  if (!parsed.ok) throw new Error(`${path}:\n${formatConfigErrors(parsed.errors)}`);
  return { config: parsed.config, devicePublicKey: readPublicKey(join(dir, "device.pub"), join(dir, "device.pub")) };
}

/** Every provisioned device of the home, by directory name. */
export function allDeviceNames(layout: HomeLayout): string[] {
  if (!existsSync(layout.devicesDir)) return [];
  return readdirSync(layout.devicesDir)
    .filter((n) => existsSync(join(layout.deviceDir(n), "device-config.json")))
    .sort();
}

export function packUpdate(o: {
  crypto: CryptoPort;
  ownerSecret: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
  image: Uint8Array;
  version: string;
  targets: PackTarget[];
  out: string;
  allowDowngrade?: boolean;
  chunkBytes?: number;
  /** The manifests' seq: strictly increasing per device; the wall clock in ms by default. */
  seq?: number;
  nowMs?: number;
}): UpdateInfo {
  const nowMs = o.nowMs ?? Date.now();
  const chained = chainImage(o.image, o.chunkBytes);
  const manifest = manifestFor(chained, o.version, { allowDowngrade: o.allowDowngrade, atMs: nowMs });
  mkdirSync(join(o.out, "manifests"), { recursive: true });
  for (const t of o.targets) {
    const { deviceId } = t.config;
    const sealed = sealManifest({
      crypto: o.crypto,
      ownerSecret: o.ownerSecret,
      sign: o.sign,
      devicePublicKey: t.devicePublicKey,
      deviceId,
      topic: deviceTopics(t.config.mqtt.topicRoot, deviceId).update,
      seq: o.seq ?? nowMs,
      manifest,
    });
    writeFileSync(join(o.out, "manifests", `${deviceId}.bin`), sealed);
  }
  writeFileSync(join(o.out, "chunks.bin"), concat(...chained.chunks));
  const info: UpdateInfo = {
    format: UPDATE_FOLDER_FORMAT,
    version: o.version,
    size: chained.size,
    sha256: chained.sha256,
    chunkBytes: chained.chunkBytes,
    chunks: chained.chunks.length,
    updateId: chained.updateId,
    allowDowngrade: manifest.allowDowngrade,
    devices: o.targets.map((t) => t.config.deviceId),
  };
  // Written last: a folder is complete once update.json is there (the bridge watches for it).
  writeFileSync(join(o.out, "update.json"), `${JSON.stringify(info, null, 2)}\n`);
  return info;
}
