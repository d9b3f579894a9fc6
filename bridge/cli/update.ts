// SPDX-License-Identifier: MIT
// `doorbell update pack`: turns a firmware image into an update folder for one doorbell or every doorbell of the
// home, signed with the owner's keys (docs/ota.md). The bridge publishes it from its updates folder.
import { existsSync, readFileSync } from "node:fs";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { parseFirmwareVersion } from "../../modules/update/firmware-version.js";
import { DEFAULT_CHUNK_BYTES } from "../../modules/update/update-format.js";
import { createCommandSigner, readPrivateKey, readSigningPrivateKey } from "../key-files.js";
import { homeLayout } from "../provision/home-layout.js";
import { allDeviceNames, packUpdate, readPackTarget } from "../update/pack-update.js";
import { parseFlags, UsageError, wantsHelp } from "./args.js";

const PACK_USAGE = `usage: doorbell update pack --home <dir> (--device <name> | --all) --image <file> --version <x.y.z> --out <dir>
                           [--allow-downgrade] [--chunk-bytes <n>]
  Packs a firmware image (the application .bin of the build) as an update the doorbell accepts only from you:
  a manifest with the version, size and SHA-256 of the image, sealed to each doorbell (HPKE mode_auth) and
  signed with owner-sign.key, and the image's chunks, each bound to the next by its hash.
  --home <dir>          the owner's directory (doorbell keys init / device add --out)
  --device <name>       one doorbell (devices/<name>/); --all: every doorbell of the home
  --image <file>        the firmware image; it carries no key, so one image serves every doorbell
  --version <x.y.z>     the image's version; a doorbell refuses one not newer than its own...
  --allow-downgrade     ...unless this is given
  --chunk-bytes <n>     bytes per chunk, a multiple of 64 in 1024..32768 (default ${DEFAULT_CHUNK_BYTES})
  --out <dir>           the update folder to write: update.json, chunks.bin, manifests/<device id>.bin
To install it, copy the folder into the bridge's updates folder (<home>/bridge/updates/<name>/, or
doorbell-bridge --updates-dir): the bridge publishes each manifest and serves the chunks the doorbell asks for.`;

const USAGE = `usage: doorbell update pack ... (doorbell update pack --help)`;

function pack(argv: string[]): number {
  if (wantsHelp(argv)) return (void console.log(PACK_USAGE), 0);
  const flags = parseFlags(
    argv,
    {
      values: ["home", "device", "image", "version", "out", "chunk-bytes"],
      booleans: ["all", "allow-downgrade"],
      required: ["home", "image", "version", "out"],
    },
    PACK_USAGE,
  );
  if (Boolean(flags.all) === (typeof flags.device === "string"))
    throw new UsageError(`give exactly one of --device <name> and --all\n${PACK_USAGE}`);
  const version = String(flags.version);
  if (!parseFirmwareVersion(version))
    throw new UsageError(`--version ${JSON.stringify(version)}: expected x.y.z, e.g. 1.2.0`);
  const chunkBytes = flags["chunk-bytes"] === undefined ? undefined : Number(flags["chunk-bytes"]);
  if (
    chunkBytes !== undefined &&
    (!Number.isInteger(chunkBytes) || chunkBytes % 64 || chunkBytes < 1024 || chunkBytes > 32768)
  )
    throw new UsageError(`--chunk-bytes ${flags["chunk-bytes"]}: expected a multiple of 64 in 1024..32768`);
  const out = String(flags.out);
  if (existsSync(out)) throw new UsageError(`--out ${out}: already exists; give a new folder`);
  const layout = homeLayout(String(flags.home));
  const names = flags.all ? allDeviceNames(layout) : [String(flags.device)];
  if (!names.length) throw new UsageError(`--all: no doorbell in ${layout.devicesDir}; doorbell device add makes one`);
  const targets = names.map((n) => readPackTarget(layout, n));
  const image = new Uint8Array(readFileSync(String(flags.image)));
  const info = packUpdate({
    crypto: createNodeCrypto(),
    ownerSecret: readPrivateKey(layout.ownerKey),
    sign: createCommandSigner(readSigningPrivateKey(layout.ownerSigningKey)),
    image,
    version,
    targets,
    out,
    allowDowngrade: flags["allow-downgrade"] === true,
    chunkBytes,
  });
  console.error(
    `doorbell: update ${info.version} (${info.size} bytes, sha256 ${info.sha256.slice(0, 16)}…, ${info.chunks} chunks, ` +
      `id ${info.updateId}) for ${info.devices.join(", ")}: ${out}`,
  );
  console.error(`install it: copy ${out} into ${layout.root}/bridge/updates/ (the running bridge picks it up)`);
  return 0;
}

export function updateCommand(argv: string[]): number {
  const [sub, ...rest] = argv;
  if (sub === "pack") return pack(rest);
  if (sub === undefined || sub === "--help" || sub === "-h")
    return (void console.log(`${USAGE}\n${PACK_USAGE}`), sub ? 0 : 2);
  throw new UsageError(`update: ${JSON.stringify(sub)} is not a subcommand; expected pack\n${PACK_USAGE}`);
}
