// SPDX-License-Identifier: MIT
// Checks the device bundle, `device-config.json` and the DER files it names, wherever it is read from: the
// bundle partition (load-bundle.ts, the ESP32) or the build's `data` resources (the old way, and the desktop
// build). The firmware config inside is returned unparsed; modules/config.ts validates it. Imports no `flash`,
// so the desktop build can use it. Limit: flash is not secret unless ESP32 flash encryption is on.
import Resource from "Resource";
import type { BundleFile } from "../../modules/bundle-image.js";
import type { DerBytes, TlsCredentials } from "./mqtt-client.js";

/** The bundle's main file, as a resource name and inside the bundle partition. */
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

/** Where a bundle is read from, as error messages name it. */
export interface BundleSource {
  /** "the build's data" or "the bundle partition". */
  where: string;
  /** What to do after fixing the bundle. */
  fix: string;
  read(name: string): DerBytes | undefined;
  /** The file as text (device-config.json). */
  readText(name: string): string | undefined;
}

const FROM_IMAGE_FIX = "re-run provisioning or fix the file, then rebuild";
const FROM_PARTITION_FIX =
  "fix the bundle, write its bundle.bin again (doorbell device image) and flash it to the bundle partition";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A checked bundle, and the names of the files it is made of. */
export interface ParsedBundle {
  bundle: DeviceBundle;
  fileNames: string[];
}

/** Checks a bundle and returns it with the DER files it names; every error names the field and what is accepted. */
export function parseBundle(source: BundleSource): ParsedBundle {
  const fail = (field: string, problem: string): never => {
    throw new Error(`${DEVICE_CONFIG_RESOURCE}: ${field} ${problem}; ${source.fix}`);
  };
  const text = source.readText(DEVICE_CONFIG_RESOURCE);
  if (text === undefined) throw new Error(`${DEVICE_CONFIG_RESOURCE} is not in ${source.where}; ${source.fix}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    fail("(file)", "is not valid JSON");
  }
  if (!isObject(raw)) return fail("(root)", "must be a JSON object");
  if (raw.format !== DEVICE_CONFIG_FORMAT) fail("format", `must be "${DEVICE_CONFIG_FORMAT}"`);
  if (!isObject(raw.config)) fail("config", "must be an object (the firmware settings)");
  const tls = raw.tls;
  if (!isObject(tls)) return fail("tls", "must be an object with ca, cert and key file names");
  const fileNames = [DEVICE_CONFIG_RESOURCE];
  const der = (field: "ca" | "cert" | "key"): DerBytes => {
    const name = tls[field];
    if (typeof name !== "string" || !name.endsWith(".der")) return fail(`tls.${field}`, "must name a .der file");
    if (!fileNames.includes(name)) fileNames.push(name);
    return source.read(name) ?? fail(`tls.${field}`, `names "${name}", which is not in ${source.where}`);
  };
  const deviceKey = raw.deviceKey;
  if (deviceKey !== undefined && (typeof deviceKey !== "string" || !/^[0-9a-fA-F]{64}$/.test(deviceKey))) {
    fail("deviceKey", "must be 64 hex digits when present");
  }
  const serverName = tls.serverName;
  if (serverName !== undefined && typeof serverName !== "string")
    fail("tls.serverName", "must be a string when present");
  const bundle: DeviceBundle = {
    config: raw.config,
    tls: {
      ca: der("ca"),
      certificate: der("cert"),
      key: der("key"),
      ...(serverName ? { serverName: serverName as string } : {}),
    },
    ...(deviceKey ? { deviceKeyHex: deviceKey as string } : {}),
  };
  return { bundle, fileNames };
}

/** The build's `data` resources. */
export const imageSource: BundleSource = {
  where: "the build's data",
  fix: FROM_IMAGE_FIX,
  read: (name) => (Resource.exists(name) ? new Resource(name) : undefined),
  readText: (name) => (Resource.exists(name) ? String.fromArrayBuffer(new Resource(name).slice(0)) : undefined),
};

/** The files read from the bundle partition. */
export function partitionSource(files: readonly BundleFile[]): BundleSource {
  return {
    where: "the bundle partition",
    fix: FROM_PARTITION_FIX,
    read: (name) => files.find((f) => f.name === name)?.bytes.buffer as ArrayBuffer | undefined,
    readText(name) {
      const bytes = this.read(name);
      return bytes ? String.fromArrayBuffer(bytes as ArrayBuffer) : undefined;
    },
  };
}

/**
 * The bundle built into the firmware image as `data` resources (the old way). The desktop build (mcsim) reads
 * it so; on the ESP32 only load-bundle.ts's migration does.
 */
export function loadResourceBundle(): DeviceBundle {
  if (!Resource.exists(DEVICE_CONFIG_RESOURCE)) {
    throw new Error(
      `${DEVICE_CONFIG_RESOURCE} is not in the build: provision the device and build with DOORBELL_DEVICE_DIR set ` +
        "(docs/simulator.md for the desktop build)",
    );
  }
  return parseBundle(imageSource).bundle;
}
