// SPDX-License-Identifier: MIT
// `doorbell device add <name> --out <dir>`: provisions one doorbell (bridge/provision/add-device.ts).
import { hostname } from "node:os";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { addDevice } from "../provision/add-device.js";
import { RSA_BITS } from "../provision/certificates.js";
import { parseFlags, UsageError, wantsHelp } from "./args.js";

/** The default broker host: this machine by its mDNS name, which the ESP32 resolves by itself. */
const defaultBrokerHost = () => `${hostname().toLowerCase().split(".")[0]}.local`;

const ADD_USAGE = `usage: doorbell device add <name> --out <dir> [--broker-host <host>] [--broker-port <port>] [--display-name <text>]
  Creates, under <dir> (where doorbell keys init put owner.pub):
    devices/<name>/      the device bundle to flash (DOORBELL_DEVICE_DIR): device-config.json,
                         broker-ca.der, device-cert.der, device-key.der; and device.key / device.pub,
                         the device's X25519 pair (private files mode 0600)
    ca/                  the broker CA, created on first use and reused
    broker/              the broker's certificate, mosquitto.conf (a TLS listener requiring client
                         certificates, CN as user name) and acl (each device confined to its topics)
    bridge/, homeassistant/  client certificates for doorbell-bridge and Home Assistant
  --broker-host   how the doorbell reaches the broker; goes into the broker certificate (default: ${defaultBrokerHost()})
  --broker-port   the TLS listener's port (default 8883)
  --display-name  the name Home Assistant shows (default: <name>)
  Certificates are RSA ${RSA_BITS}. The issue asked for a P-256 client certificate, but Moddable's TLS
  (SDK 8.2.3) signs the client's CertificateVerify with RSA only, so the device cannot use a P-256 key;
  P-256 is the curve of the ECDHE key exchange (docs/provisioning.md).`;

function add(argv: string[]): number {
  const [name, ...rest] = argv;
  if (!name || name.startsWith("--")) throw new UsageError(`missing <name>\n${ADD_USAGE}`);
  const flags = parseFlags(
    rest,
    { values: ["out", "broker-host", "broker-port", "display-name"], required: ["out"] },
    ADD_USAGE,
  );
  const port = flags["broker-port"] === undefined ? 8883 : Number(flags["broker-port"]);
  const r = addDevice({
    home: String(flags.out),
    name,
    displayName: flags["display-name"] as string | undefined,
    brokerHost: String(flags["broker-host"] ?? defaultBrokerHost()),
    brokerPort: port,
    crypto: createNodeCrypto(),
  });
  for (const note of r.notes) console.log(note);
  console.log(`device ${name}: public key ${r.devicePublicHex}`);
  console.log(`Build it with: DOORBELL_DEVICE_DIR=${r.bundleDir} (docs/build-and-flash.md)`);
  console.log(`Include ${r.layout.mosquittoConf} from the broker's mosquitto.conf (docs/provisioning.md).`);
  console.log(
    `Certificates are RSA ${RSA_BITS}, not P-256: Moddable's TLS can only sign with an RSA client key; P-256 is its ECDHE curve.`,
  );
  return 0;
}

export function deviceCommand(argv: string[]): number {
  const [sub, ...rest] = argv;
  if (sub === "add") {
    if (wantsHelp(rest)) return (void console.log(ADD_USAGE), 0);
    return add(rest);
  }
  throw new UsageError(ADD_USAGE);
}
