// SPDX-License-Identifier: MIT
// Reads a device bundle (`doorbell device add`, format "doorbell-device/1") for a doorbell on the Node
// host: the firmware config, the device key, and MQTT.js options for mutual TLS with the pinned broker
// CA. The Node counterpart of hosts/esp32/device-config.ts, which reads the same files from flash.
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fromHex } from "../../modules/bytes.js";
import type { NodeMqttOptions } from "./mqtt.js";

export interface NodeDeviceBundle {
  /** The firmware config object, not yet validated (modules/config.ts does that). */
  config: { mqtt?: { host?: string; port?: number } } & Record<string, unknown>;
  deviceKey?: Uint8Array;
  mqtt: NodeMqttOptions;
}

const IP = /^(\d{1,3}(\.\d{1,3}){3}|.*:.*)$/;

function fail(dir: string, field: string, problem: string): never {
  throw new Error(`${join(dir, "device-config.json")}: ${field} ${problem}; re-run doorbell device add`);
}

/** Loads the bundle in `dir`; errors name the file and the field. */
export function loadNodeDeviceBundle(dir: string): NodeDeviceBundle {
  const raw = JSON.parse(readFileSync(join(dir, "device-config.json"), "utf8")) as Record<string, unknown>;
  if (raw.format !== "doorbell-device/1") fail(dir, "format", 'must be "doorbell-device/1"');
  const config = raw.config as NodeDeviceBundle["config"];
  const tls = raw.tls as { ca?: string; cert?: string; key?: string; serverName?: string } | undefined;
  if (typeof config !== "object" || config === null) fail(dir, "config", "must be an object");
  if (!tls?.ca || !tls.cert || !tls.key) fail(dir, "tls", "must name ca, cert and key");
  const host = config.mqtt?.host ?? "127.0.0.1";
  const port = config.mqtt?.port ?? 8883;
  const der = (name: string) => readFileSync(join(dir, name));
  const serverName = tls.serverName ?? host;
  return {
    config,
    deviceKey: typeof raw.deviceKey === "string" ? fromHex(raw.deviceKey) : undefined,
    mqtt: {
      url: `mqtts://${host.includes(":") ? `[${host}]` : host}:${port}`,
      client: {
        ca: [new X509Certificate(der(tls.ca)).toString()],
        cert: new X509Certificate(der(tls.cert)).toString(),
        key: createPrivateKey({ key: der(tls.key), format: "der", type: "pkcs8" })
          .export({ format: "pem", type: "pkcs8" })
          .toString(),
        rejectUnauthorized: true,
        // TLS SNI takes host names only; an address is still checked against the certificate's IP names.
        ...(IP.test(serverName) ? {} : { servername: serverName }),
      },
    },
  };
}
