// SPDX-License-Identifier: MIT
// `doorbell bridge add <name>`: a further bridge for a shared group (broker.shareGroup), with its own
// certificate and so its own broker identity, `doorbell-bridge-<name>`: the broker binds the client id to
// the certificate, so bridges sharing one certificate would throw each other off. The ACL gains its rules.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { caFor, clientCertFor, configuredPort, writeBrokerConfig } from "./broker-files.js";
import { bridgeIdentity, homeLayout, type HomeLayout } from "./home-layout.js";

const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export interface AddBridgeResult {
  layout: HomeLayout;
  identity: string;
  cert: string;
  key: string;
  notes: string[];
}

export function addBridge(o: { home: string; name: string }): AddBridgeResult {
  const layout = homeLayout(o.home);
  if (!NAME.test(o.name))
    throw new Error(
      `bridge name: ${JSON.stringify(o.name)} is not accepted; ` +
        "expected 1-32 lowercase letters, digits, '-' or '_', starting with a letter or digit",
    );
  if (!existsSync(layout.caCert) || !existsSync(layout.mosquittoConf))
    throw new Error(`${layout.mosquittoConf} not found: run doorbell device add <name> --out ${o.home} first`);
  const identity = bridgeIdentity(o.name);
  const dir = join(layout.bridgesDir, o.name);
  if (existsSync(dir))
    throw new Error(`${dir} already exists; refusing to overwrite bridge ${o.name}'s key (choose another name)`);
  if (existsSync(layout.deviceDir(identity)))
    throw new Error(`bridge name: a device is already called ${identity}; choose another name`);
  const notes: string[] = [];
  const ca = caFor(layout, notes);
  const paths = { key: join(dir, "bridge.key"), cert: join(dir, "bridge.pem") };
  clientCertFor(ca, identity, paths, notes, `bridge ${o.name}`);
  writeBrokerConfig(layout, ca, configuredPort(layout), notes);
  return { layout, identity, ...paths, notes };
}
