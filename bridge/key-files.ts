// SPDX-License-Identifier: MIT
// X25519 key files: private keys as PKCS#8 PEM (readable by `openssl pkey`), written with mode 0600 and never
// overwritten; public keys as one line of hex. Errors name the file and what was expected, never key bytes.
import { createPrivateKey, createPublicKey } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { fromHex, toHex } from "../modules/bytes.js";

const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");

export function privateKeyPem(secret: Uint8Array): string {
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, secret]), format: "der", type: "pkcs8" });
  return key.export({ format: "pem", type: "pkcs8" }).toString();
}

/** Writes a private key with mode 0600; refuses to replace an existing file, so no key is ever lost. */
export function writePrivateKey(path: string, secret: Uint8Array): void {
  if (existsSync(path)) throw new Error(`${path} already exists; refusing to overwrite a key (move it away first)`);
  writeFileSync(path, privateKeyPem(secret), { mode: 0o600, flag: "wx" });
  chmodSync(path, 0o600); // in case the umask widened nothing, but a pre-set ACL did
}

export function writePublicKey(path: string, publicKey: Uint8Array): void {
  if (existsSync(path)) throw new Error(`${path} already exists; refusing to overwrite it`);
  writeFileSync(path, `${toHex(publicKey)}\n`, { mode: 0o644, flag: "wx" });
}

/** Reads a PKCS#8 PEM X25519 private key file. */
export function readPrivateKey(path: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`${path}: cannot read the key file (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  try {
    const der = createPrivateKey({ key: text, format: "pem" }).export({ format: "der", type: "pkcs8" });
    if (der.length !== 48 || !der.subarray(0, 16).equals(PKCS8_X25519)) throw new Error("not X25519");
    return new Uint8Array(der.subarray(16));
  } catch {
    throw new Error(`${path}: not an X25519 private key in PKCS#8 PEM (as written by doorbell keys init)`);
  }
}

/** A public key given as 64 hex digits, or a file holding hex or a PEM public key. */
export function readPublicKey(hexOrPath: string, what = "public key"): Uint8Array {
  if (/^[0-9a-fA-F]{64}$/.test(hexOrPath)) return fromHex(hexOrPath);
  let text: string;
  try {
    text = readFileSync(hexOrPath, "utf8").trim();
  } catch {
    throw new Error(`${what}: ${JSON.stringify(hexOrPath.slice(0, 80))} is neither 64 hex digits nor a readable file`);
  }
  if (/^[0-9a-fA-F]{64}$/.test(text)) return fromHex(text);
  try {
    const der = createPublicKey({ key: text, format: "pem" }).export({ format: "der", type: "spki" });
    if (der.length !== 44) throw new Error("not X25519");
    return new Uint8Array(der.subarray(12));
  } catch {
    throw new Error(`${what}: ${hexOrPath} holds neither 64 hex digits nor an X25519 PEM public key`);
  }
}
