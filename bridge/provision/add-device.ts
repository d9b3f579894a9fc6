// SPDX-License-Identifier: MIT
// `doorbell device add`: one device's bundle (docs/build-and-flash.md, format "doorbell-device/1", and as
// bundle.bin, the image of its flash partition), its X25519 key pair and RSA client certificate, plus the CA,
// broker, bridge and Home Assistant certificates on first use, the CRL, and the Mosquitto listener and ACL.
// Never overwrites a key: an existing device is refused, unless `replace`, which revokes its certificate and
// keeps its old bundle (revoke-device.ts).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { toHex } from "../../modules/bytes.js";
import { formatConfigErrors, parseConfig } from "../../modules/config.js";
import type { CryptoPort } from "../../modules/ports.js";
import { readPublicKey, readSigningPublicKey, writePrivateKey, writePublicKey } from "../key-files.js";
import { caFor, clientCertFor, serverCertFor, writeBrokerConfig } from "./broker-files.js";
import { BUNDLE_FILES, DEVICE_BUNDLE_FORMAT } from "./bundle-files.js";
import { bundleFlashCommand, writeBundleImage } from "./bundle-image-file.js";
import { certificateDer, issueCertificate, privateKeyDer } from "./certificates.js";
import { ensureDir, writeNew } from "./files.js";
import { BRIDGE_IDENTITY, HOME_ASSISTANT_IDENTITY, homeLayout, type HomeLayout } from "./home-layout.js";
import { retireDevice } from "./revoke-device.js";

export { BUNDLE_FILES, DEVICE_BUNDLE_FORMAT };

export interface AddDeviceOptions {
  /** The owner's doorbell directory (`--out`), where `doorbell keys init` put owner.pub. */
  home: string;
  /** The device id: names its topics and its certificate. */
  name: string;
  /** Shown in Home Assistant; defaults to the name. */
  displayName?: string;
  /** The broker's host name or address as the device reaches it; goes into the broker certificate. */
  brokerHost: string;
  brokerPort: number;
  crypto: CryptoPort;
  /** Re-provision an existing device: revoke its certificate and keep its old bundle under `revoked/`. */
  replace?: boolean;
}

export interface AddDeviceResult {
  layout: HomeLayout;
  bundleDir: string;
  devicePublicHex: string;
  /** What was created or changed, one line each, for the CLI to print. */
  notes: string[];
}

function checkName(name: string, displayName: string): void {
  const parsed = parseConfig({ deviceId: name, deviceName: displayName });
  if (!parsed.ok)
    throw new Error(
      formatConfigErrors(parsed.errors)
        .replace(/config deviceId/g, "device name")
        .replace(/config deviceName/g, "--display-name"),
    );
  if (name === BRIDGE_IDENTITY || name.startsWith(`${BRIDGE_IDENTITY}-`) || name === HOME_ASSISTANT_IDENTITY) {
    const what =
      name === HOME_ASSISTANT_IDENTITY
        ? "the broker identity of the Home Assistant client"
        : `reserved for the bridges' broker identities (${BRIDGE_IDENTITY}, ${BRIDGE_IDENTITY}-<name>)`;
    throw new Error(`device name: "${name}" is ${what}; choose another`);
  }
}

export function addDevice(o: AddDeviceOptions): AddDeviceResult {
  const layout = homeLayout(o.home);
  const displayName = o.displayName ?? o.name;
  checkName(o.name, displayName);
  if (!Number.isInteger(o.brokerPort) || o.brokerPort < 1 || o.brokerPort > 65535)
    throw new Error(`--broker-port: ${o.brokerPort} is not accepted; expected 1 to 65535`);
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(o.brokerHost))
    throw new Error(`--broker-host: ${JSON.stringify(o.brokerHost)} is not a host name or address`);
  if (!existsSync(layout.ownerPublic))
    throw new Error(`${layout.ownerPublic} not found: run doorbell keys init --out ${o.home} first`);
  const ownerPublic = readPublicKey(layout.ownerPublic, layout.ownerPublic);
  if (!existsSync(layout.ownerSigningPublic))
    throw new Error(`${layout.ownerSigningPublic} not found: run doorbell keys init --out ${o.home} to create it`);
  const ownerSigningPublic = readSigningPublicKey(layout.ownerSigningPublic, layout.ownerSigningPublic);
  const bundleDir = layout.deviceDir(o.name);
  const exists = existsSync(bundleDir) && readdirSync(bundleDir).length > 0;
  if (exists && !o.replace) {
    throw new Error(
      `${bundleDir} already exists; refusing to overwrite device ${o.name}'s keys. To re-provision it, pass --replace ` +
        `(its certificate is revoked and its old bundle kept under ${layout.revokedDir}), or choose another name`,
    );
  }

  const notes: string[] = [];
  const ca = caFor(layout, notes);
  if (exists) retireDevice(layout, o.name, notes);
  serverCertFor(layout, ca, o.brokerHost, notes);
  clientCertFor(ca, BRIDGE_IDENTITY, { key: layout.bridgeKey, cert: layout.bridgeCert }, notes, "bridge");
  const ha = { key: layout.homeAssistantKey, cert: layout.homeAssistantCert };
  clientCertFor(ca, HOME_ASSISTANT_IDENTITY, ha, notes, "Home Assistant");

  // The device: its X25519 pair (sealing) and its RSA TLS identity (the broker login).
  ensureDir(bundleDir);
  const secret = o.crypto.randomBytes(32);
  const devicePublic = o.crypto.x25519(secret);
  writePrivateKey(join(bundleDir, "device.key"), secret);
  writePublicKey(join(bundleDir, "device.pub"), devicePublic);
  const tls = issueCertificate(ca, { commonName: o.name, usage: "client" });
  writeNew(join(bundleDir, BUNDLE_FILES.ca), certificateDer(readFileSync(layout.caCert, "utf8")), 0o644);
  writeNew(join(bundleDir, BUNDLE_FILES.cert), certificateDer(tls.certPem), 0o644);
  writeNew(join(bundleDir, BUNDLE_FILES.key), privateKeyDer(tls.keyPem), 0o600);
  const bundle = {
    format: DEVICE_BUNDLE_FORMAT,
    config: {
      deviceId: o.name,
      deviceName: displayName,
      mqtt: { host: o.brokerHost, port: o.brokerPort },
      keys: { ownerPublic: toHex(ownerPublic), ownerSigningPublic: toHex(ownerSigningPublic) },
      // A new device keeps each event until the owner's bridge confirms it (docs/delivery.md); the schema's default
      // stays off for devices provisioned before bridges confirmed.
      outbox: { confirm: true },
    },
    tls: { ca: BUNDLE_FILES.ca, cert: BUNDLE_FILES.cert, key: BUNDLE_FILES.key },
    deviceKey: toHex(secret),
  };
  writeNew(join(bundleDir, BUNDLE_FILES.config), `${JSON.stringify(bundle, null, 2)}\n`, 0o600);
  notes.push(
    `created device ${o.name}: ${bundleDir} (${Object.values(BUNDLE_FILES).join(", ")}, device.key, device.pub)`,
  );
  const image = writeBundleImage(bundleDir);
  notes.push(`wrote ${image}, the bundle partition's image; flash it once with: ${bundleFlashCommand(image)}`);

  writeBrokerConfig(layout, ca, o.brokerPort, notes);
  return { layout, bundleDir, devicePublicHex: toHex(devicePublic), notes };
}
