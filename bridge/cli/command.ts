// SPDX-License-Identifier: MIT
// `doorbell command <snapshot|reboot|set-config|set-identity|live-view>`: seals and signs one owner command for one
// provisioned doorbell from the owner's home directory, numbered in the bridge's state so it never collides
// with the bridge's own commands, and writes the bytes to a file. Publishing it is left to the owner.
import { closeSync, existsSync, openSync, readFileSync, writeSync } from "node:fs";
import { isatty } from "node:tty";
import { dirname, join } from "node:path";
import { toHex } from "../../modules/bytes.js";
import { parseLiveView, sealCommand, type Command } from "../../modules/commands.js";
import { formatConfigErrors, parseConfig, type Config } from "../../modules/config.js";
import { deviceTopics } from "../../modules/topics.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { writeDurably } from "../../hosts/node/file-storage.js";
import { setPath } from "../../modules/identity.js";
import { CommandBodyError, parseSetting, setConfigBody, setIdentityBody } from "../command-body.js";
import { nextCommandSeq } from "../command-sender.js";
import { createDeviceStateStore } from "../device-state.js";
import { DEVICE_CONFIG_FORMAT } from "../devices.js";
import {
  createCommandSigner,
  readPrivateKey,
  readPublicKey,
  readSigningPrivateKey,
  readSigningPublicKey,
} from "../key-files.js";
import { writeBundleImage } from "../provision/bundle-image-file.js";
import { homeLayout, type HomeLayout } from "../provision/home-layout.js";
import { parseFlags, UsageError, wantsHelp } from "./args.js";

const COMMON = `  --home <dir>        the owner's directory (doorbell keys init / device add --out): owner.key, owner-sign.key
  --device <name>     the doorbell, as named to doorbell device add (devices/<name>/)
  --out <file>        where the signed command goes (mode 0600); never a terminal
  --state-dir <dir>   the bridge's state (default <home>/bridge/state): the command number is taken there
The command is numbered max(last + 1, now in ms) in the bridge's state for the device, durably, so it never
reuses a number of the bridge's. Publish it once, QoS 1, unretained, to the printed topic (docs/provisioning.md).`;

const USAGES: Record<string, string> = {
  snapshot: `usage: doorbell command snapshot --home <dir> --device <name> --out <file>
  The doorbell publishes a snapshot event of its newest frame.
${COMMON}`,
  reboot: `usage: doorbell command reboot --home <dir> --device <name> --out <file>
  The doorbell restarts.
${COMMON}`,
  "set-config": `usage: doorbell command set-config --home <dir> --device <name> --set <setting>=<value> [--set ...] --out <file>
  Changes settings (docs/config.md), e.g. --set button.cooldownS=10 --set deviceName="Front door".
  The command carries the whole config: devices/<name>/device-config.json with the changes, validated as the
  doorbell validates it. That file records the changes, so the next set-config builds on them. Values are
  JSON (10, true, [[[0,0],[8,0],[8,8]]]) or else plain text. Identity fields need set-identity.
${COMMON}`,
  "set-identity": `usage: doorbell command set-identity --home <dir> --device <name> --out <file>
                      [--owner-public <hex|file>] [--owner-signing-public <hex|file>]
                      [--device-id <id>] [--mqtt-host <host>] [--mqtt-port <port>] [--mqtt-topic-root <root>]
  Re-keys or moves the doorbell: signed by the current owner-sign.key, it replaces the owner's X25519 key
  (owner.pub of doorbell keys init), the command signing key (owner-sign.pub), the device id or the broker.
  The doorbell logs each change (keys by fingerprint) and restarts; from then on it accepts only commands
  signed by the new signing key. devices/<name>/device-config.json records the change.
${COMMON}`,
  "live-view": `usage: doorbell command live-view --home <dir> --device <name> (--start [--seconds <1-300>] | --stop) --out <file>
  --start             the doorbell sends a sealed live stream on <root>/<id>/sealed/video for --seconds
                      (default 60); a start while it runs renews the same stream from now
  --stop              the doorbell ends the live stream now
${COMMON}`,
};

const IDENTITY_FLAGS: Record<string, string> = {
  "device-id": "deviceId",
  "mqtt-host": "mqtt.host",
  "mqtt-port": "mqtt.port",
  "mqtt-topic-root": "mqtt.topicRoot",
};

/** Takes every `--set <value>` out of `argv` (parseFlags keeps one value per flag). */
function takeSets(argv: string[], usage: string): { rest: string[]; sets: string[] } {
  const rest: string[] = [];
  const sets: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== "--set") rest.push(argv[i]);
    else if (argv[i + 1] === undefined) throw new UsageError(`--set needs a value\n${usage}`);
    else sets.push(argv[++i]);
  }
  return { rest, sets };
}

interface Bundle {
  path: string;
  raw: Record<string, unknown> & { config: Record<string, unknown> };
  config: Config;
  devicePublic: Uint8Array;
}

function readBundle(layout: HomeLayout, name: string): Bundle {
  const dir = layout.deviceDir(name);
  const path = join(dir, "device-config.json");
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(name) || !existsSync(path))
    throw new UsageError(`--device ${JSON.stringify(name)}: no device bundle ${path}; doorbell device add makes one`);
  const raw = JSON.parse(readFileSync(path, "utf8")) as Bundle["raw"];
  if (raw?.format !== DEVICE_CONFIG_FORMAT) throw new Error(`${path}: format must be "${DEVICE_CONFIG_FORMAT}"`);
  const parsed = parseConfig(raw.config);
  if (!parsed.ok) throw new Error(`${path}:\n${formatConfigErrors(parsed.errors)}`);
  const pub = join(dir, "device.pub");
  return { path, raw, config: parsed.config, devicePublic: readPublicKey(pub, pub) };
}

function identityChanges(flags: Record<string, string | boolean>): { path: string; value: unknown }[] {
  const changes: { path: string; value: unknown }[] = [];
  if (typeof flags["owner-public"] === "string")
    changes.push({ path: "keys.ownerPublic", value: toHex(readPublicKey(flags["owner-public"], "--owner-public")) });
  if (typeof flags["owner-signing-public"] === "string") {
    const point = readSigningPublicKey(flags["owner-signing-public"], "--owner-signing-public");
    changes.push({ path: "keys.ownerSigningPublic", value: toHex(point) });
  }
  for (const [flag, path] of Object.entries(IDENTITY_FLAGS)) {
    const v = flags[flag];
    if (typeof v === "string") changes.push({ path, value: path === "mqtt.port" && /^\d+$/.test(v) ? Number(v) : v });
  }
  return changes;
}

/** The command body, validated; and what the bundle records once it is sealed. */
function buildCommand(
  name: string,
  bundle: Bundle,
  flags: Record<string, string | boolean>,
  sets: string[],
): { body: Record<string, unknown>; recorded?: Record<string, unknown> } {
  try {
    if (name === "set-config") {
      const r = setConfigBody(bundle.raw.config, sets.map(parseSetting));
      return { body: { config: r.config }, recorded: r.recorded };
    }
    if (name === "set-identity") {
      const changes = identityChanges(flags);
      const r = setIdentityBody(bundle.config, changes);
      const recorded = structuredClone(bundle.raw.config);
      for (const c of changes) setPath(recorded, c.path, c.value);
      return { body: { identity: r.identity }, recorded };
    }
    if (name === "live-view") return { body: { live: liveViewBody(flags) } };
  } catch (error) {
    // A value the doorbell would refuse is misuse: exit 2 with its field-level error.
    if (error instanceof CommandBodyError || /^(--owner|--device|--mqtt)/.test((error as Error).message))
      throw new UsageError(`${name}: ${(error as Error).message}`);
    throw error;
  }
  return { body: {} };
}

/** The live-view body from --start [--seconds N] or --stop, checked by the device's own parser. */
function liveViewBody(flags: Record<string, string | boolean>): Record<string, unknown> {
  if (Boolean(flags.start) === Boolean(flags.stop))
    throw new CommandBodyError("give exactly one of --start and --stop");
  const seconds = typeof flags.seconds === "string" ? Number(flags.seconds) : undefined;
  if (flags.seconds !== undefined && !/^\d+$/.test(String(flags.seconds)))
    throw new CommandBodyError(`--seconds ${JSON.stringify(flags.seconds)}: expected a whole number of seconds, 1-300`);
  const raw = flags.start ? { action: "start", ...(seconds === undefined ? {} : { seconds }) } : { action: "stop" };
  if (flags.stop && seconds !== undefined) throw new CommandBodyError("--seconds goes with --start only");
  const parsed = parseLiveView(raw);
  if (!parsed.ok) throw new CommandBodyError(parsed.error.replace("command live-view: live.seconds", "--seconds"));
  return parsed.live;
}

/** Writes to `path` (mode 0600), refusing a terminal: the bytes are for a publisher, not a screen. */
function writeOut(path: string, bytes: Uint8Array): void {
  if (path === "-") throw new UsageError("--out -: the signed command goes to a file, not to standard output");
  const fd = openSync(path, "w", 0o600);
  try {
    if (isatty(fd)) throw new UsageError(`--out ${path}: a terminal; give a file name`);
    writeSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
}

/** The extra bridge identity (`doorbell bridge add`) that the publish hint uses for commands. */
export const COMMANDS_BRIDGE = "commands";

/** One line on how to publish `out` with the bridge's certificate. */
export function publishHint(layout: HomeLayout, config: Config, topic: string, out: string): string {
  const conf = existsSync(layout.mosquittoConf) ? readFileSync(layout.mosquittoConf, "utf8") : "";
  // With client ids bound to certificates, the bridge's certificate IS the running bridge's session.
  const bound = /^\s*use_username_as_clientid\s+true/m.test(conf);
  // Then commands go out with a bridge identity of their own (`doorbell bridge add commands`), which has the
  // bridge's rights on the command topics without taking over the running bridge's session.
  const own = join(layout.bridgesDir, COMMANDS_BRIDGE);
  const [cert, key] = bound
    ? [join(own, "bridge.pem"), join(own, "bridge.key")]
    : [layout.bridgeCert, layout.bridgeKey];
  const line =
    `publish it once: mosquitto_pub -h ${config.mqtt.host} -p ${config.mqtt.port} --cafile ${layout.caCert} ` +
    `--cert ${cert} --key ${key} -t ${topic} -f ${out} -q 1`;
  if (!bound) return `${line} -i doorbell-command`;
  if (existsSync(cert)) return line;
  return (
    `first, once: doorbell bridge add ${COMMANDS_BRIDGE} --out ${layout.root} (a certificate with the bridge's ` +
    `rights that is not the running bridge's session; restart Mosquitto to load its ACL), then\n  ${line}`
  );
}

function run(name: string, argv: string[]): number {
  const usage = USAGES[name];
  const { rest, sets } = takeSets(argv, usage);
  if (sets.length && name !== "set-config") throw new UsageError(`--set: only set-config takes it\n${usage}`);
  const identityFlags = ["owner-public", "owner-signing-public", ...Object.keys(IDENTITY_FLAGS)];
  const flags = parseFlags(
    rest,
    {
      values: [
        ...["home", "device", "out", "state-dir"],
        ...(name === "set-identity" ? identityFlags : []),
        ...(name === "live-view" ? ["seconds"] : []),
      ],
      booleans: name === "live-view" ? ["start", "stop"] : [],
      required: ["home", "device", "out"],
    },
    usage,
  );
  const layout = homeLayout(String(flags.home));
  const bundle = readBundle(layout, String(flags.device));
  const { body, recorded } = buildCommand(name, bundle, flags, sets);
  const ownerSecret = readPrivateKey(layout.ownerKey);
  const sign = createCommandSigner(readSigningPrivateKey(layout.ownerSigningKey));
  const crypto = createNodeCrypto();
  const { deviceId } = bundle.config;
  const topic = deviceTopics(bundle.config.mqtt.topicRoot, deviceId).command;
  // Beside a running bridge: the device file only, never the bridge's journal (bridge/device-state.ts).
  const state = createDeviceStateStore(
    typeof flags["state-dir"] === "string" ? flags["state-dir"] : layout.bridgeState,
    { journal: false },
  );
  const seq = nextCommandSeq(state, deviceId, Date.now());
  const id = toHex(crypto.randomBytes(8));
  const command = { v: 1, cmd: name, id, atMs: Date.now(), ...body } as Command;
  const bytes = sealCommand({
    crypto,
    ownerSecret,
    sign,
    devicePublicKey: bundle.devicePublic,
    deviceId,
    topic,
    seq,
    command,
  });
  writeOut(String(flags.out), bytes);
  if (recorded) writeDurably(bundle.path, `${JSON.stringify({ ...bundle.raw, config: recorded }, null, 2)}\n`);
  console.error(`doorbell: ${name} for ${deviceId} signed: ${flags.out} (${bytes.length} bytes, id ${id}, seq ${seq})`);
  console.error(publishHint(layout, bundle.config, topic, String(flags.out)));
  if (recorded) {
    const image = writeBundleImage(dirname(bundle.path));
    console.error(`recorded in ${bundle.path} and ${image}`);
  }
  return 0;
}

export function commandCommand(argv: string[]): number {
  const [name, ...rest] = argv;
  const usage = USAGES[name];
  if (!usage) {
    const known = Object.keys(USAGES).join(", ");
    throw new UsageError(
      `command: ${JSON.stringify(name ?? "")} is not one; expected ${known}\n${Object.values(USAGES).join("\n")}`,
    );
  }
  if (wantsHelp(rest)) return (void console.log(usage), 0);
  return run(name, rest);
}
