// SPDX-License-Identifier: MIT
// `doorbell device add <name> --out <dir>`: provisions one doorbell (bridge/provision/add-device.ts);
// `doorbell device revoke <name> --out <dir>`: revokes its certificate (bridge/provision/revoke-device.ts);
// `doorbell device image <name> --out <dir>`: rewrites its bundle.bin (bridge/provision/bundle-image-file.ts).
import { join } from "node:path";
import { hostname } from "node:os";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { addDevice } from "../provision/add-device.js";
import { bundleFlashCommand, writeBundleImage } from "../provision/bundle-image-file.js";
import { RSA_BITS } from "../provision/certificates.js";
import { homeLayout } from "../provision/home-layout.js";
import { revokeDevice } from "../provision/revoke-device.js";
import { parseFlags, UsageError, wantsHelp } from "./args.js";

/** The default broker host: this machine by its mDNS name, which the ESP32 resolves by itself. */
const defaultBrokerHost = () => `${hostname().toLowerCase().split(".")[0]}.local`;

const ADD_USAGE = `usage: doorbell device add <name> --out <dir> [--broker-host <host>] [--broker-port <port>]
                          [--display-name <text>] [--replace]
  Creates, under <dir> (where doorbell keys init put owner.pub):
    devices/<name>/      the device bundle: device-config.json, broker-ca.der, device-cert.der,
                         device-key.der; bundle.bin, the same files as the image of the doorbell's
                         bundle partition, flashed once with esptool.py (docs/build-and-flash.md);
                         and device.key / device.pub, the device's X25519 pair (private files 0600)
    ca/                  the broker CA, created on first use and reused, and its revocation list crl.pem
    broker/              the broker's certificate, mosquitto.conf (a TLS listener requiring client
                         certificates, CN as user name and client id, a CRL, bounded sizes and queues)
                         and acl (each device confined to its topics)
    bridge/, homeassistant/  client certificates for doorbell-bridge and Home Assistant
  --broker-host   how the doorbell reaches the broker; goes into the broker certificate (default: ${defaultBrokerHost()})
  --broker-port   the TLS listener's port (default 8883)
  --display-name  the name Home Assistant shows (default: <name>)
  --replace       re-provision an existing device: its certificate is revoked and its old bundle moved,
                  whole, to revoked/<name>-<serial>/; without it an existing device is refused
  Certificates are RSA ${RSA_BITS}. The issue asked for a P-256 client certificate, but Moddable's TLS
  (SDK 8.2.3) signs the client's CertificateVerify with RSA only, so the device cannot use a P-256 key;
  P-256 is the curve of the ECDHE key exchange (docs/provisioning.md).`;

function add(argv: string[]): number {
  const [name, ...rest] = argv;
  if (!name || name.startsWith("--")) throw new UsageError(`missing <name>\n${ADD_USAGE}`);
  const flags = parseFlags(
    rest,
    { values: ["out", "broker-host", "broker-port", "display-name"], booleans: ["replace"], required: ["out"] },
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
    replace: flags.replace === true,
  });
  for (const note of r.notes) console.log(note);
  console.log(`device ${name}: public key ${r.devicePublicHex}`);
  const flash = bundleFlashCommand(join(r.bundleDir, "bundle.bin"));
  console.log(
    `Flash the firmware (one image for every doorbell), then its bundle partition: ${flash} (docs/build-and-flash.md)`,
  );
  console.log(`Include ${r.layout.mosquittoConf} from the broker's mosquitto.conf (docs/provisioning.md).`);
  console.log(
    `Certificates are RSA ${RSA_BITS}, not P-256: Moddable's TLS can only sign with an RSA client key; P-256 is its ECDHE curve.`,
  );
  return 0;
}

const REVOKE_USAGE = `usage: doorbell device revoke <name> --out <dir>
  Revokes the doorbell's TLS certificate: it goes on the CA's revocation list (ca/crl.pem, which
  broker/mosquitto.conf loads as crlfile), and the broker refuses it once restarted. Its bundle
  (keys included) and the bridge's state for it move to revoked/<name>-<serial>/; nothing is deleted.
  Restart Mosquitto and the bridge afterwards. To give the same name to a new doorbell, run
  doorbell device add <name> again (or device add <name> --replace, which does both).`;

function revoke(argv: string[]): number {
  const [name, ...rest] = argv;
  if (!name || name.startsWith("--")) throw new UsageError(`missing <name>\n${REVOKE_USAGE}`);
  const flags = parseFlags(rest, { values: ["out"], required: ["out"] }, REVOKE_USAGE);
  const r = revokeDevice({ home: String(flags.out), name });
  for (const note of r.notes) console.log(note);
  console.log("Restart Mosquitto so it loads the new CRL, and the bridge so it stops serving the device.");
  return 0;
}

const IMAGE_USAGE = `usage: doorbell device image <name> --out <dir>
  Rewrites devices/<name>/bundle.bin, the image of the doorbell's bundle partition, from the bundle's
  files (after editing device-config.json by hand, for example; set-config rewrites it by itself), and
  prints the esptool.py command that flashes it. The firmware image does not change.`;

function image(argv: string[]): number {
  const [name, ...rest] = argv;
  if (!name || name.startsWith("--")) throw new UsageError(`missing <name>\n${IMAGE_USAGE}`);
  const flags = parseFlags(rest, { values: ["out"], required: ["out"] }, IMAGE_USAGE);
  const path = writeBundleImage(homeLayout(String(flags.out)).deviceDir(name));
  console.log(`wrote ${path}; flash it with: ${bundleFlashCommand(path)}`);
  return 0;
}

const USAGES: Record<string, [string, (argv: string[]) => number]> = {
  add: [ADD_USAGE, add],
  revoke: [REVOKE_USAGE, revoke],
  image: [IMAGE_USAGE, image],
};

export function deviceCommand(argv: string[]): number {
  const [sub, ...rest] = argv;
  const found = sub === undefined ? undefined : USAGES[sub];
  if (found) {
    if (wantsHelp(rest)) return (void console.log(found[0]), 0);
    return found[1](rest);
  }
  throw new UsageError(`${ADD_USAGE}\n${REVOKE_USAGE}\n${IMAGE_USAGE}`);
}
