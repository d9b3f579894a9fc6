// SPDX-License-Identifier: MIT
// `doorbell keys init --out <dir>` and `doorbell keys show --public <file>`.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { toHex } from "../../modules/bytes.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { readPrivateKey, writePrivateKey, writePublicKey } from "../key-files.js";
import { parseFlags, UsageError, wantsHelp } from "./args.js";

const INIT_USAGE = `usage: doorbell keys init --out <dir>
  Creates the owner's X25519 key pair in <dir>: owner.key (mode 0600) and owner.pub. Existing files are
  never overwritten. Back up owner.key: without it, no event this doorbell ever sent can be opened.
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
    const taken = ["owner.key", "owner.pub"].map((f) => join(dir, f)).filter((f) => existsSync(f));
    if (taken.length)
      throw new Error(`${taken.join(", ")} already exist; refusing to overwrite keys (use another --out)`);
    const secret = crypto.randomBytes(32);
    writePrivateKey(join(dir, "owner.key"), secret);
    writePublicKey(join(dir, "owner.pub"), crypto.x25519(secret));
    console.log(`owner: ${join(dir, "owner.key")} (private, mode 0600), ${join(dir, "owner.pub")}`);
    console.log("Keep owner.key safe and backed up: losing it means losing every recording.");
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
