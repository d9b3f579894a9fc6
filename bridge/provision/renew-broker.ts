// SPDX-License-Identifier: MIT
// `doorbell broker renew`: re-issues the CRL (a new nextUpdate), rewrites mosquitto.conf and the ACL, and
// issues the broker's certificate if it is missing, for the existing broker/server.key. Only `force`
// replaces that key; otherwise it is never touched.
import { existsSync } from "node:fs";
import { caFor, configuredPort, serverCertFor, writeBrokerConfig } from "./broker-files.js";
import { homeLayout, type HomeLayout } from "./home-layout.js";

export function renewBroker(o: { home: string; force?: boolean }): { layout: HomeLayout; notes: string[] } {
  const layout = homeLayout(o.home);
  if (!existsSync(layout.caCert))
    throw new Error(`${layout.caCert} not found: run doorbell device add <name> --out ${o.home} first`);
  const notes: string[] = [];
  const ca = caFor(layout, notes);
  serverCertFor(layout, ca, undefined, notes, o.force === true);
  writeBrokerConfig(layout, ca, configuredPort(layout), notes);
  return { layout, notes };
}
