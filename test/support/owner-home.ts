// SPDX-License-Identifier: MIT
// What `doorbell keys init` writes, for tests that provision a home in a temporary directory: the directory
// (mode 0700), the owner's X25519 pair and the ECDSA P-256 command signing pair, keys generated here.
import { mkdirSync } from "node:fs";
import type { KeyObject } from "node:crypto";
import { createSigningKeyFiles, writePrivateKey, writePublicKey } from "../../bridge/key-files.js";
import { homeLayout } from "../../bridge/provision/home-layout.js";
import type { CryptoPort } from "../../modules/ports.js";

/** Creates `home` with fresh owner keys; returns the X25519 secret and the signing key. */
export function createOwnerHome(
  home: string,
  crypto: CryptoPort,
  ownerSecret: Uint8Array = crypto.randomBytes(32),
): { ownerSecret: Uint8Array; signingKey: KeyObject } {
  const layout = homeLayout(home);
  mkdirSync(home, { mode: 0o700 });
  writePrivateKey(layout.ownerKey, ownerSecret);
  writePublicKey(layout.ownerPublic, crypto.x25519(ownerSecret));
  return { ownerSecret, signingKey: createSigningKeyFiles(layout.ownerSigningKey, layout.ownerSigningPublic) };
}
