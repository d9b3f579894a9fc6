// SPDX-License-Identifier: MIT
// `doorbell keys init --out <dir>` and `doorbell keys show --public <file>`.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { toHex } from "../../modules/bytes.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import {
  createSigningKeyFiles,
  readPrivateKey,
  SIGNING_KEY_FILE,
  SIGNING_PUBLIC_FILE,
  writePrivateKey,
  writePublicKey,
} from "../key-files.js";
import { parseFlags, UsageError, wantsHelp } from "./args.js";

const INIT_USAGE = `usage: doorbell keys init --out <dir>
  Creates the owner's X25519 key pair in <dir>: owner.key (mode 0600) and owner.pub, and the ECDSA P-256
  command signing pair: owner-sign.key (mode 0600) and owner-sign.pub. Existing files are never overwritten;
  when only the signing pair is missing, it alone is created. Back up both private keys: without owner.key
  no event can be opened, and without owner-sign.key no doorbell accepts a command.
  Then add each doorbell with doorbell device add <name> --out <dir>.`;
const SHOW_USAGE = `usage: doorbell keys show --public <private-key-file>
  Prints the public key (hex) of a private key file.`;

export function keysCommand(argv: string[]): number {
  const [sub, ...rest] = argv;
  if (sub === "init") {
    if (wantsHelp(rest)) return (void console.log(INIT_USAGE), 0);
    const flags = parseFlags(rest, { values: ["out"], required: ["out"] }, INIT_USAGE);
    const dir = flags.out as string;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const crypto = createNodeCrypto();
    const pairs = [
      ["owner.key", "owner.pub"],
      [SIGNING_KEY_FILE, SIGNING_PUBLIC_FILE],
    ].map((files) => files.map((f) => join(dir, f)));
    const missing = pairs.filter((pair) => !pair.some((f) => existsSync(f)));
    const partial = pairs.find((pair) => pair.some((f) => existsSync(f)) && !pair.every((f) => existsSync(f)));
    if (partial)
      throw new Error(`${partial.join(" and ")}: only one of the pair exists; refusing to guess (move it away)`);
    if (!missing.length)
      throw new Error(`${pairs.flat().join(", ")} already exist; refusing to overwrite keys (use another --out)`);
    for (const [keyPath, publicPath] of missing) {
      if (keyPath.endsWith("owner.key")) {
        const secret = crypto.randomBytes(32);
        writePrivateKey(keyPath, secret);
        writePublicKey(publicPath, crypto.x25519(secret));
        console.log(`owner: ${keyPath} (private, mode 0600), ${publicPath}`);
      } else {
        createSigningKeyFiles(keyPath, publicPath);
        console.log(`owner command signing: ${keyPath} (private, mode 0600), ${publicPath}`);
      }
    }
    console.log("Keep owner.key and owner-sign.key safe and backed up: losing them means losing every recording");
    console.log("and every way to command the doorbells.");
    console.log(`Next: doorbell device add <name> --out ${dir}`);
    return 0;
  }
  if (sub === "show") {
    if (wantsHelp(rest)) return (void console.log(SHOW_USAGE), 0);
    const flags = parseFlags(rest, { values: ["public"], required: ["public"] }, SHOW_USAGE);
    console.log(toHex(createNodeCrypto().x25519(readPrivateKey(flags.public as string))));
    return 0;
  }
  throw new UsageError(`${INIT_USAGE}\n${SHOW_USAGE}`);
}
