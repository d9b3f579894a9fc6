// SPDX-License-Identifier: MIT
// The devices the bridge serves, read from the bundles `doorbell device add` wrote: the id, name and
// topic root from device-config.json (validated by the firmware's own schema) and the public key from
// device.pub. The device's secret in the bundle is never read here.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { toHex } from "../modules/bytes.js";
import { formatConfigErrors, parseConfig } from "../modules/config.js";
import { readPublicKey } from "./key-files.js";

export const DEVICE_CONFIG_FORMAT = "doorbell-device/1";

/** What discovery needs to know about a device. */
export interface DeviceInfo {
  id: string;
  name: string;
  topicRoot: string;
  /** The device's status period (for the RSSI sensor's expire_after); 0 = on connect only. */
  statusIntervalS: number;
}

export interface BridgeDevice extends DeviceInfo {
  /** The device's X25519 public key: the only sender accepted on its event topic. */
  publicKey: Uint8Array;
}

/** Reads a device-config.json; every error names the file and the field. */
export function readDeviceConfig(path: string): DeviceInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      `${path}: ${code ? `cannot read it (${code})` : "not valid JSON"}; expected a device-config.json written by doorbell device add`,
    );
  }
  const obj = raw as { format?: unknown; config?: unknown };
  if (typeof raw !== "object" || raw === null || obj.format !== DEVICE_CONFIG_FORMAT) {
    throw new Error(
      `${path}: format must be "${DEVICE_CONFIG_FORMAT}" (a device-config.json written by doorbell device add)`,
    );
  }
  const parsed = parseConfig(obj.config);
  if (!parsed.ok) throw new Error(`${path}:\n${formatConfigErrors(parsed.errors)}`);
  const c = parsed.config;
  return { id: c.deviceId, name: c.deviceName, topicRoot: c.mqtt.topicRoot, statusIntervalS: c.status.intervalS };
}

/** Loads one bundle directory: device-config.json and device.pub. */
export function loadDevice(bundleDir: string): BridgeDevice {
  const info = readDeviceConfig(join(bundleDir, "device-config.json"));
  const pub = join(bundleDir, "device.pub");
  if (!existsSync(pub)) throw new Error(`${pub} not found: the bridge needs each device's public key`);
  return { ...info, publicKey: readPublicKey(pub, pub) };
}

/** Every bundle under `devicesDir` (one directory per device); refuses two bundles with one id. */
export function loadDevices(devicesDir: string): BridgeDevice[] {
  if (!existsSync(devicesDir)) throw new Error(`devices: ${devicesDir} does not exist; run doorbell device add first`);
  const devices = readdirSync(devicesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(devicesDir, d.name, "device-config.json")))
    .map((d) => loadDevice(join(devicesDir, d.name)));
  const seen = new Map<string, string>();
  for (const d of devices) {
    const key = `${d.topicRoot}/${d.id}`;
    if (seen.has(key)) throw new Error(`devices: two bundles in ${devicesDir} are both device ${d.id}`);
    seen.set(key, toHex(d.publicKey));
  }
  return devices;
}
