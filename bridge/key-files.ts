// SPDX-License-Identifier: MIT
// Key files: X25519 (sealing) and ECDSA P-256 (the owner's command signing key). Private keys as PKCS#8 PEM
// (readable by `openssl pkey`), written with mode 0600 and never overwritten; public keys as one line of hex.
// Errors name the file and what was expected, never key bytes.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
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

/** The owner's signing key file, beside the X25519 owner.key (doorbell keys init writes both). */
export const SIGNING_KEY_FILE = "owner-sign.key";
export const SIGNING_PUBLIC_FILE = "owner-sign.pub";

/** Where the signing key lives for an owner key at `ownerKeyPath`. */
export function signingKeyBeside(ownerKeyPath: string): string {
  return join(dirname(ownerKeyPath), SIGNING_KEY_FILE);
}

/** A fresh ECDSA P-256 private key (from OpenSSL's CSPRNG). */
export function generateSigningKey(): KeyObject {
  return generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
}

/** Writes a P-256 private key as PKCS#8 PEM with mode 0600; refuses to replace an existing file. */
export function writeSigningPrivateKey(path: string, key: KeyObject): void {
  if (existsSync(path)) throw new Error(`${path} already exists; refusing to overwrite a key (move it away first)`);
  writeFileSync(path, key.export({ format: "pem", type: "pkcs8" }).toString(), { mode: 0o600, flag: "wx" });
  chmodSync(path, 0o600);
}

/** Creates a signing pair: the private key at `keyPath` (mode 0600) and its point as hex at `publicPath`. */
export function createSigningKeyFiles(keyPath: string, publicPath: string): KeyObject {
  const key = generateSigningKey();
  writeSigningPrivateKey(keyPath, key);
  writePublicKey(publicPath, signingPublicPoint(key));
  return key;
}

/** Reads a P-256 private key (PKCS#8 or SEC 1 PEM). */
export function readSigningPrivateKey(path: string): KeyObject {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    const hint = code === "ENOENT" ? "; doorbell keys init --out <dir> creates it beside owner.key" : "";
    throw new Error(`${path}: cannot read the signing key file (${code})${hint}`);
  }
  try {
    const key = createPrivateKey({ key: text, format: "pem" });
    if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1")
      throw new Error("not P-256");
    return key;
  } catch {
    throw new Error(`${path}: not an ECDSA P-256 private key in PEM (as written by doorbell keys init)`);
  }
}

/** The uncompressed SEC 1 point (65 bytes, 04 || x || y) of a P-256 private or public key. */
export function signingPublicPoint(key: KeyObject): Uint8Array {
  const jwk = createPublicKey(key).export({ format: "jwk" });
  const x = Buffer.from(jwk.x ?? "", "base64url");
  const y = Buffer.from(jwk.y ?? "", "base64url");
  if (jwk.crv !== "P-256" || x.length !== 32 || y.length !== 32) throw new Error("signing key: not a P-256 key");
  return new Uint8Array(Buffer.concat([Buffer.of(0x04), x, y]));
}

/** A signer for commands: ECDSA P-256 over SHA-256(message), as raw r || s (64 bytes, IEEE P1363). */
export function createCommandSigner(key: KeyObject): (message: Uint8Array) => Uint8Array {
  return (message) => new Uint8Array(sign("sha256", message, { key, dsaEncoding: "ieee-p1363" }));
}

/** A signing public key given as 130 hex digits (starting 04), or a file holding them. */
export function readSigningPublicKey(hexOrPath: string, what = "signing public key"): Uint8Array {
  const isPoint = (t: string) => /^04[0-9a-fA-F]{128}$/.test(t);
  if (isPoint(hexOrPath)) return fromHex(hexOrPath);
  let text: string;
  try {
    text = readFileSync(hexOrPath, "utf8").trim();
  } catch {
    throw new Error(`${what}: ${JSON.stringify(hexOrPath.slice(0, 80))} is neither 130 hex digits nor a readable file`);
  }
  if (isPoint(text)) return fromHex(text);
  throw new Error(`${what}: ${hexOrPath} does not hold 130 hex digits starting 04 (an uncompressed P-256 point)`);
}
