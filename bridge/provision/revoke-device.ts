// SPDX-License-Identifier: MIT
// `doorbell device revoke <name>`, and the first half of `device add <name> --replace`: the device's TLS
// certificate goes on the CA's revocation list, and its bundle (keys included) and the bridge's state for it
// move, whole, to `revoked/<name>-<serial>/`. Nothing is deleted.
import { existsSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { BUNDLE_FILES } from "./bundle-files.js";
import { caFor, configuredPort, revokeCertificate, writeBrokerConfig } from "./broker-files.js";
import { ensureDir } from "./files.js";
import { homeLayout, type HomeLayout } from "./home-layout.js";

/**
 * Revokes the certificate of the bundle in `devices/<name>/` and moves the bundle aside. The broker refuses
 * that certificate once it has reloaded the CRL (restart it); the bridge stops serving the device on its
 * next start. Returns where the bundle went.
 */
export function retireDevice(layout: HomeLayout, name: string, notes: string[]): string {
  const bundleDir = layout.deviceDir(name);
  const certPath = join(bundleDir, BUNDLE_FILES.cert);
  if (!existsSync(certPath))
    throw new Error(
      `device ${name}: ${certPath} not found; is it a device of ${layout.root}? (see ${layout.devicesDir})`,
    );
  const serialHex = revokeCertificate(layout, readFileSync(certPath));
  const kept = join(layout.revokedDir, `${name}-${serialHex.slice(0, 16)}`);
  if (existsSync(kept)) throw new Error(`${kept} already exists; move it away and run the command again`);
  ensureDir(layout.revokedDir);
  renameSync(bundleDir, kept);
  // The bridge's replay floor belongs to the old key: a re-provisioned device numbers its events afresh.
  const state = join(layout.bridgeState, `${name}.json`);
  if (existsSync(state)) renameSync(state, join(kept, "bridge-state.json"));
  notes.push(
    `revoked device ${name}'s certificate (serial ${serialHex}); its bundle and bridge state are kept in ${kept}`,
  );
  return kept;
}

export interface RevokeResult {
  layout: HomeLayout;
  keptDir: string;
  notes: string[];
}

/** `doorbell device revoke <name> --out <dir>`. */
export function revokeDevice(o: { home: string; name: string }): RevokeResult {
  const layout = homeLayout(o.home);
  const notes: string[] = [];
  const ca = caFor(layout, notes);
  const keptDir = retireDevice(layout, o.name, notes);
  writeBrokerConfig(layout, ca, configuredPort(layout), notes);
  return { layout, keptDir, notes };
}
