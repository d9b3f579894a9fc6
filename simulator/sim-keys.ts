// SPDX-License-Identifier: MIT
// The simulation's provisioning: the owner's key pairs (X25519 and the P-256 command signing key) and the
// device's, made once and kept in the data directory (mode 0600), so a device restarted with --data-dir can
// still be opened and commanded by its owner.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  createCommandSigner,
  generateSigningKey,
  readSigningPrivateKey,
  signingPublicPoint,
  writeSigningPrivateKey,
} from "../bridge/key-files.js";
import { fromHex, toHex } from "../modules/bytes.js";
import type { CryptoPort } from "../modules/ports.js";

export interface SimKeys {
  ownerSecret: Uint8Array;
  ownerPublic: Uint8Array;
  /** The owner's P-256 command signing key: its public point (65 bytes) and a signer for the bridge. */
  ownerSigningPublic: Uint8Array;
  signCommand(message: Uint8Array): Uint8Array;
  deviceSecret: Uint8Array;
  devicePublic: Uint8Array;
}

function secretAt(path: string, crypto: CryptoPort): Uint8Array {
  if (existsSync(path)) {
    const hex = readFileSync(path, "utf8").trim();
    if (/^[0-9a-f]{64}$/.test(hex)) return fromHex(hex);
    throw new Error(
      `${path}: expected 64 hex digits; delete it to make a new key (events sealed to the old one will not open)`,
    );
  }
  const secret = crypto.randomBytes(32);
  writeFileSync(path, `${toHex(secret)}\n`, { mode: 0o600 });
  return secret;
}

export function loadOrCreateKeys(dir: string, crypto: CryptoPort): SimKeys {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ownerSecret = secretAt(join(dir, "owner.key"), crypto);
  const deviceSecret = secretAt(join(dir, "device.key"), crypto);
  const signingPath = join(dir, "owner-sign.key");
  if (!existsSync(signingPath)) writeSigningPrivateKey(signingPath, generateSigningKey());
  const signing = readSigningPrivateKey(signingPath);
  return {
    ownerSecret,
    ownerPublic: crypto.x25519(ownerSecret),
    ownerSigningPublic: signingPublicPoint(signing),
    signCommand: createCommandSigner(signing),
    deviceSecret,
    devicePublic: crypto.x25519(deviceSecret),
  };
}
