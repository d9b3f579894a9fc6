// SPDX-License-Identifier: MIT
// The broker side of provisioning: the CA, the broker's certificate (its key is never replaced unless asked),
// client certificates, the CRL, and the Mosquitto listener and ACL. Shared by `device add`, `device revoke`,
// `bridge add` and `broker renew`; every run re-issues the CRL, so its nextUpdate moves on.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_SCHEMA } from "../../modules/config-schema.js";
import {
  altNamesOf,
  certificateIdentity,
  createCa,
  issueCertificate,
  loadCa,
  loadRsaKey,
  type LoadedCa,
} from "./certificates.js";
import { buildCrlPem, crlExpiry, readRevocationList, writeRevocationList } from "./crl.js";
import { ensureDir, writeNew, writeReplacing } from "./files.js";
import { bridgeIdentity, type HomeLayout } from "./home-layout.js";
import { mosquittoAcl, mosquittoListenerConfig } from "./mosquitto-config.js";

/** Loads the CA, or creates it on first use. */
export function caFor(layout: HomeLayout, notes: string[]): LoadedCa {
  if (existsSync(layout.caCert) || existsSync(layout.caKey))
    return loadCa(
      { keyPem: readFileSync(layout.caKey, "utf8"), certPem: readFileSync(layout.caCert, "utf8") },
      layout.caCert,
    );
  const ca = createCa();
  writeNew(layout.caKey, ca.keyPem, 0o600);
  writeNew(layout.caCert, ca.certPem, 0o644);
  notes.push(`created the broker CA: ${layout.caCert} (key ${layout.caKey}, mode 0600; keep it off the broker)`);
  return loadCa(ca, layout.caCert);
}

/**
 * Issues the broker's certificate when it is missing or does not name `host` yet. An existing
 * `broker/server.key` is certified again, never replaced, unless `newKey` (`broker renew --force`).
 */
export function serverCertFor(
  layout: HomeLayout,
  ca: LoadedCa,
  host: string | undefined,
  notes: string[],
  newKey = false,
): void {
  const keyExists = existsSync(layout.serverKey);
  let keyPem: string | undefined;
  if (keyExists && !newKey) {
    keyPem = readFileSync(layout.serverKey, "utf8");
    try {
      loadRsaKey(keyPem, layout.serverKey);
    } catch (error) {
      throw new Error(
        `${(error as Error).message}. It was kept; to replace it with a new key run doorbell broker renew --out ${layout.root} --force`,
      );
    }
  }
  const wanted = [...(host ? [host] : []), "localhost", "127.0.0.1"];
  const have = existsSync(layout.serverCert) ? altNamesOf(readFileSync(layout.serverCert, "utf8")) : [];
  if (keyPem && have.length && wanted.every((n) => have.includes(n))) return;
  const names = [...new Set([...have, ...wanted])];
  const server = issueCertificate(ca, { commonName: host ?? names[0], altNames: names, usage: "server", keyPem });
  if (!keyPem) writeReplacing(layout.serverKey, server.keyPem, 0o600);
  writeReplacing(layout.serverCert, server.certPem, 0o644);
  const what = keyPem ? "for its existing key" : keyExists ? "with a NEW key (--force)" : "with a new key";
  notes.push(`issued the broker certificate for ${names.join(", ")} ${what}: ${layout.serverCert}; restart Mosquitto`);
}

/** Issues a client certificate with a new key, unless one is already there. */
export function clientCertFor(
  ca: LoadedCa,
  identity: string,
  paths: { key: string; cert: string },
  notes: string[],
  what: string,
): void {
  if (existsSync(paths.cert)) return;
  const pair = issueCertificate(ca, { commonName: identity, usage: "client" });
  writeNew(paths.key, pair.keyPem, 0o600);
  writeNew(paths.cert, pair.certPem, 0o644);
  notes.push(`created the ${what} client certificate (CN ${identity}): ${paths.cert}`);
}

/** The identities of the bridges made by `doorbell bridge add`, from `bridges/<name>/bridge.pem`. */
export function extraBridgeIdentities(layout: HomeLayout): string[] {
  if (!existsSync(layout.bridgesDir)) return [];
  return readdirSync(layout.bridgesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(layout.bridgesDir, d.name, "bridge.pem")))
    .map((d) => bridgeIdentity(d.name))
    .sort();
}

/** The listener's port in the existing mosquitto.conf, or 8883. */
export function configuredPort(layout: HomeLayout): number {
  if (!existsSync(layout.mosquittoConf)) return 8883;
  const m = /^listener (\d+)/m.exec(readFileSync(layout.mosquittoConf, "utf8"));
  return m ? Number(m[1]) : 8883;
}

/** Adds a certificate (PEM or DER) to the revocation list; already listed is fine. Returns its serial. */
export function revokeCertificate(layout: HomeLayout, cert: string | Uint8Array): string {
  const { serialHex, commonName } = certificateIdentity(cert);
  const list = readRevocationList(layout.revokedList);
  if (!list.revoked.some((e) => e.serialHex === serialHex))
    list.revoked.push({ serialHex, commonName, revokedAt: new Date().toISOString() });
  ensureDir(join(layout.revokedList, ".."));
  writeRevocationList(layout.revokedList, list);
  return serialHex;
}

/** Re-issues the CRL and rewrites mosquitto.conf and the ACL. */
export function writeBrokerConfig(layout: HomeLayout, ca: LoadedCa, port: number, notes: string[]): void {
  const list = readRevocationList(layout.revokedList);
  list.crlNumber += 1;
  writeRevocationList(layout.revokedList, list);
  writeReplacing(layout.crl, buildCrlPem(ca, list), 0o644);
  notes.push(
    `issued the CRL ${layout.crl} (${list.revoked.length} revoked, valid until ${crlExpiry().toISOString().slice(0, 10)}; ` +
      `renew before then with doorbell broker renew --out ${layout.root})`,
  );
  const root = CONFIG_SCHEMA["mqtt.topicRoot"].default; // the bundles leave mqtt.topicRoot at its default
  const listener = mosquittoListenerConfig({
    port,
    caFile: layout.caCert,
    certFile: layout.serverCert,
    keyFile: layout.serverKey,
    aclFile: layout.mosquittoAcl,
    crlFile: layout.crl,
  });
  writeReplacing(layout.mosquittoConf, listener, 0o644);
  writeReplacing(layout.mosquittoAcl, mosquittoAcl(root, extraBridgeIdentities(layout)), 0o644);
  notes.push(`wrote the Mosquitto listener ${layout.mosquittoConf} and ACL ${layout.mosquittoAcl}`);
}
