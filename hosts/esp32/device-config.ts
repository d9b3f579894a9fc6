// SPDX-License-Identifier: MIT
// Reads the flashed device bundle: `device-config.json` and the DER files it names, all `data`
// resources in flash (see docs/build-and-flash.md). The firmware config inside is returned unparsed;
// modules/config.ts validates it. Limit: resources are plain flash, readable by anyone holding the
// board unless ESP32 flash encryption is on; the TLS key sits there like any other resource.
import Resource from "Resource";
import type { TlsCredentials } from "./mqtt-client.js";

/** The resource name of the bundle. */
export const DEVICE_CONFIG_RESOURCE = "device-config.json";
/** The only version of the bundle format this firmware reads. */
export const DEVICE_CONFIG_FORMAT = "doorbell-device/1";

export interface DeviceBundle {
  /** The firmware config object (modules/config.ts schema), not yet validated. */
  config: unknown;
  tls: TlsCredentials;
  /** The device's X25519 secret as 64 hex digits, when provisioning chose it. */
  deviceKeyHex?: string;
}

function fail(field: string, problem: string): never {
  throw new Error(`${DEVICE_CONFIG_RESOURCE}: ${field} ${problem}; re-run provisioning or fix the file, then rebuild`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function der(tls: Record<string, unknown>, field: "ca" | "cert" | "key"): HostBuffer {
  const name = tls[field];
  if (typeof name !== "string" || !name.endsWith(".der")) fail(`tls.${field}`, `must name a .der file`);
  if (!Resource.exists(name)) fail(`tls.${field}`, `names "${name}", which is not in the build's data`);
  return new Resource(name);
}

/** Loads and checks the bundle; every error names the field and what is accepted. */
export function loadDeviceBundle(): DeviceBundle {
  if (!Resource.exists(DEVICE_CONFIG_RESOURCE)) {
    throw new Error(
      `${DEVICE_CONFIG_RESOURCE} is not in the build: provision the device and build with DOORBELL_DEVICE_DIR set ` +
        "(docs/build-and-flash.md)",
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(String.fromArrayBuffer(new Resource(DEVICE_CONFIG_RESOURCE).slice(0)));
  } catch {
    fail("(file)", "is not valid JSON");
  }
  if (!isObject(raw)) fail("(root)", "must be a JSON object");
  if (raw.format !== DEVICE_CONFIG_FORMAT) fail("format", `must be "${DEVICE_CONFIG_FORMAT}"`);
  if (!isObject(raw.config)) fail("config", "must be an object (the firmware settings)");
  if (!isObject(raw.tls)) fail("tls", "must be an object with ca, cert and key file names");
  const deviceKey = raw.deviceKey;
  if (deviceKey !== undefined && (typeof deviceKey !== "string" || !/^[0-9a-fA-F]{64}$/.test(deviceKey))) {
    fail("deviceKey", "must be 64 hex digits when present");
  }
  const serverName = raw.tls.serverName;
  if (serverName !== undefined && typeof serverName !== "string")
    fail("tls.serverName", "must be a string when present");
  return {
    config: raw.config,
    tls: {
      ca: der(raw.tls, "ca"),
      certificate: der(raw.tls, "cert"),
      key: der(raw.tls, "key"),
      ...(serverName ? { serverName } : {}),
    },
    ...(deviceKey ? { deviceKeyHex: deviceKey } : {}),
  };
}
