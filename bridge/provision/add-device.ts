// SPDX-License-Identifier: MIT
// `doorbell device add`: one device's bundle (docs/build-and-flash.md, format "doorbell-device/1"), its
// X25519 key pair and RSA client certificate, plus the CA, broker, bridge and Home Assistant certificates
// on first use, and the Mosquitto listener and ACL. Never overwrites a key: an existing device is refused.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { toHex } from "../../modules/bytes.js";
import { formatConfigErrors, parseConfig } from "../../modules/config.js";
import { CONFIG_SCHEMA } from "../../modules/config-schema.js";
import type { CryptoPort } from "../../modules/ports.js";
import { readPublicKey, readSigningPublicKey, writePrivateKey, writePublicKey } from "../key-files.js";
import {
  altNamesOf,
  certificateDer,
  createCa,
  issueCertificate,
  loadCa,
  privateKeyDer,
  type KeyAndCert,
  type LoadedCa,
} from "./certificates.js";
import { BRIDGE_IDENTITY, HOME_ASSISTANT_IDENTITY, homeLayout, type HomeLayout } from "./home-layout.js";
import { mosquittoAcl, mosquittoListenerConfig } from "./mosquitto-config.js";

/** The bundle's file names: the manifest's `data` section expects exactly these. */
export const BUNDLE_FILES = Object.freeze({
  config: "device-config.json",
  ca: "broker-ca.der",
  cert: "device-cert.der",
  key: "device-key.der",
});
export const DEVICE_BUNDLE_FORMAT = "doorbell-device/1";

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
}

export interface AddDeviceResult {
  layout: HomeLayout;
  bundleDir: string;
  devicePublicHex: string;
  /** What was created or changed, one line each, for the CLI to print. */
  notes: string[];
}

function ensureDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
}

function writeNew(path: string, data: string | Uint8Array, mode: number): void {
  ensureDir(dirname(path));
  writeFileSync(path, data, { mode, flag: "wx" });
}

function writeReplacing(path: string, data: string, mode: number): void {
  ensureDir(dirname(path));
  writeFileSync(path, data, { mode });
}

function readPair(keyPath: string, certPath: string): KeyAndCert {
  return { keyPem: readFileSync(keyPath, "utf8"), certPem: readFileSync(certPath, "utf8") };
}

function checkName(name: string, displayName: string): void {
  const parsed = parseConfig({ deviceId: name, deviceName: displayName });
  if (!parsed.ok)
    throw new Error(
      formatConfigErrors(parsed.errors)
        .replace(/config deviceId/g, "device name")
        .replace(/config deviceName/g, "--display-name"),
    );
  if (name === BRIDGE_IDENTITY || name === HOME_ASSISTANT_IDENTITY) {
    throw new Error(
      `device name: "${name}" is the broker identity of the ${name === BRIDGE_IDENTITY ? "bridge" : "Home Assistant client"}; choose another`,
    );
  }
}

/** Loads the CA, or creates it on first use. */
function caFor(layout: HomeLayout, notes: string[]): LoadedCa {
  if (existsSync(layout.caCert) || existsSync(layout.caKey))
    return loadCa(readPair(layout.caKey, layout.caCert), layout.caCert);
  const ca = createCa();
  writeNew(layout.caKey, ca.keyPem, 0o600);
  writeNew(layout.caCert, ca.certPem, 0o644);
  notes.push(`created the broker CA: ${layout.caCert} (key ${layout.caKey}, mode 0600; keep it off the broker)`);
  return loadCa(ca, layout.caCert);
}

/** Issues the broker's certificate, or re-issues it when it does not name `host` yet. */
function serverCertFor(layout: HomeLayout, ca: LoadedCa, host: string, notes: string[]): void {
  const wanted = [host, "localhost", "127.0.0.1"];
  let names = wanted;
  if (existsSync(layout.serverCert)) {
    const have = altNamesOf(readFileSync(layout.serverCert, "utf8"));
    if (have.includes(host)) return;
    names = [...new Set([...have, ...wanted])];
    notes.push(`re-issued the broker certificate to add ${host}; restart Mosquitto to load it`);
  } else {
    notes.push(`created the broker certificate for ${names.join(", ")}: ${layout.serverCert}`);
  }
  const server = issueCertificate(ca, { commonName: host, altNames: names, usage: "server" });
  writeReplacing(layout.serverKey, server.keyPem, 0o600);
  writeReplacing(layout.serverCert, server.certPem, 0o644);
}

function clientCertFor(
  ca: LoadedCa,
  identity: string,
  keyPath: string,
  certPath: string,
  notes: string[],
  what: string,
): void {
  if (existsSync(certPath)) return;
  const pair = issueCertificate(ca, { commonName: identity, usage: "client" });
  writeNew(keyPath, pair.keyPem, 0o600);
  writeNew(certPath, pair.certPem, 0o644);
  notes.push(`created the ${what} client certificate (CN ${identity}): ${certPath}`);
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
  if (existsSync(bundleDir) && readdirSync(bundleDir).length) {
    throw new Error(
      `${bundleDir} already exists; refusing to overwrite device ${o.name}'s keys (remove the directory or choose another name)`,
    );
  }

  const notes: string[] = [];
  const ca = caFor(layout, notes);
  serverCertFor(layout, ca, o.brokerHost, notes);
  clientCertFor(ca, BRIDGE_IDENTITY, layout.bridgeKey, layout.bridgeCert, notes, "bridge");
  clientCertFor(
    ca,
    HOME_ASSISTANT_IDENTITY,
    layout.homeAssistantKey,
    layout.homeAssistantCert,
    notes,
    "Home Assistant",
  );

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
    },
    tls: { ca: BUNDLE_FILES.ca, cert: BUNDLE_FILES.cert, key: BUNDLE_FILES.key },
    deviceKey: toHex(secret),
  };
  writeNew(join(bundleDir, BUNDLE_FILES.config), `${JSON.stringify(bundle, null, 2)}\n`, 0o600);
  notes.push(
    `created device ${o.name}: ${bundleDir} (${Object.values(BUNDLE_FILES).join(", ")}, device.key, device.pub)`,
  );

  const root = CONFIG_SCHEMA["mqtt.topicRoot"].default; // the bundle leaves mqtt.topicRoot at its default
  writeReplacing(
    layout.mosquittoConf,
    mosquittoListenerConfig({
      port: o.brokerPort,
      caFile: layout.caCert,
      certFile: layout.serverCert,
      keyFile: layout.serverKey,
      aclFile: layout.mosquittoAcl,
    }),
    0o644,
  );
  writeReplacing(layout.mosquittoAcl, mosquittoAcl(root), 0o644);
  notes.push(`wrote the Mosquitto listener ${layout.mosquittoConf} and ACL ${layout.mosquittoAcl}`);
  return { layout, bundleDir, devicePublicHex: toHex(devicePublic), notes };
}
