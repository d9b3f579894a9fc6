// SPDX-License-Identifier: MIT
// Where the provisioning tool and the bridge keep things under the owner's doorbell directory (`--out`).
// One place, so `doorbell device add`, `doorbell-bridge` and the tests agree.
import { join, resolve } from "node:path";

/** Identities that are not devices: the names the broker's ACL gives the bridge and Home Assistant. */
export const BRIDGE_IDENTITY = "doorbell-bridge";
export const HOME_ASSISTANT_IDENTITY = "homeassistant";

/** The broker identity (certificate CN, user name and client id) of a further bridge made by `doorbell bridge add <name>`. */
export function bridgeIdentity(name: string): string {
  return `${BRIDGE_IDENTITY}-${name}`;
}

export interface HomeLayout {
  root: string;
  ownerKey: string;
  ownerPublic: string;
  /** The owner's ECDSA P-256 command signing key (mode 0600) and its public point (hex). */
  ownerSigningKey: string;
  ownerSigningPublic: string;
  caCert: string;
  caKey: string;
  /** The CA's certificate revocation list (PEM), Mosquitto's `crlfile`, and the list it is made from. */
  crl: string;
  revokedList: string;
  serverCert: string;
  serverKey: string;
  mosquittoConf: string;
  mosquittoAcl: string;
  bridgeCert: string;
  bridgeKey: string;
  homeAssistantCert: string;
  homeAssistantKey: string;
  /** Further bridges of a shared group, one certificate each: `bridges/<name>/bridge.pem` and `bridge.key`. */
  bridgesDir: string;
  /** Bundles of revoked or replaced devices, kept (never deleted) under `revoked/<name>-<serial>/`. */
  revokedDir: string;
  devicesDir: string;
  /** The device bundle directory: its files, bundle.bin for the ESP32, DOORBELL_DEVICE_DIR for the desktop build. */
  deviceDir(name: string): string;
  bridgeState: string;
  snapshots: string;
}

/** The layout under `dir`, as absolute paths (the Mosquitto config names files by absolute path). */
export function homeLayout(dir: string): HomeLayout {
  const root = resolve(dir);
  return {
    root,
    ownerKey: join(root, "owner.key"),
    ownerPublic: join(root, "owner.pub"),
    ownerSigningKey: join(root, "owner-sign.key"),
    ownerSigningPublic: join(root, "owner-sign.pub"),
    caCert: join(root, "ca", "ca.pem"),
    caKey: join(root, "ca", "ca.key"),
    crl: join(root, "ca", "crl.pem"),
    revokedList: join(root, "ca", "revoked.txt"),
    serverCert: join(root, "broker", "server.pem"),
    serverKey: join(root, "broker", "server.key"),
    mosquittoConf: join(root, "broker", "mosquitto.conf"),
    mosquittoAcl: join(root, "broker", "acl"),
    bridgeCert: join(root, "bridge", "bridge.pem"),
    bridgeKey: join(root, "bridge", "bridge.key"),
    homeAssistantCert: join(root, "homeassistant", "client.pem"),
    homeAssistantKey: join(root, "homeassistant", "client.key"),
    bridgesDir: join(root, "bridges"),
    revokedDir: join(root, "revoked"),
    devicesDir: join(root, "devices"),
    deviceDir: (name: string) => join(root, "devices", name),
    bridgeState: join(root, "bridge", "state"),
    snapshots: join(root, "snapshots"),
  };
}
