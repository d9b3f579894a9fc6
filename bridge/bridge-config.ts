// SPDX-License-Identifier: MIT
// The bridge's settings in one table, from a file (YAML or JSON), environment variables and flags, in
// rising precedence. Every error names the setting, where the value came from, and what is accepted.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import YAML from "yaml";

type Spec =
  | { kind: "path"; default: string; optional?: boolean; doc: string }
  | { kind: "string"; default: string; pattern?: RegExp; patternDoc?: string; doc: string }
  | { kind: "url"; default: string; doc: string }
  | { kind: "bool"; default: boolean; doc: string }
  | { kind: "choice"; default: string; choices: readonly string[]; doc: string }
  | { kind: "int"; default: number; min: number; max: number; unit?: string; doc: string };

/** Path defaults may start with `{home}`, the `home` setting. */
export const BRIDGE_SETTINGS = Object.freeze({
  home: {
    kind: "path",
    default: "./provisioned",
    doc: "The directory `doorbell keys init` and `doorbell device add` wrote (--out)",
  },
  "broker.url": {
    kind: "url",
    default: "mqtts://localhost:8883",
    doc: "The broker: mqtts://host:port (or mqtt:// for a test broker without TLS)",
  },
  "broker.ca": {
    kind: "path",
    default: "{home}/ca/ca.pem",
    doc: "The CA that signed the broker's certificate (PEM); the only one trusted",
  },
  "broker.cert": {
    kind: "path",
    default: "{home}/bridge/bridge.pem",
    doc: "The bridge's client certificate (PEM); its CN is its user name in the ACL",
  },
  "broker.key": { kind: "path", default: "{home}/bridge/bridge.key", doc: "The bridge's client key (PEM)" },
  "broker.clientId": {
    kind: "string",
    default: "doorbell-bridge",
    pattern: /^[A-Za-z0-9_.-]{1,64}$/,
    patternDoc: "1-64 letters, digits, '.', '_' or '-'",
    doc:
      "MQTT client id; the session is persistent, so events queued while the bridge is away are kept. " +
      "The generated broker config replaces it with the certificate's CN",
  },
  "broker.shareGroup": {
    kind: "string",
    default: "",
    pattern: /^[A-Za-z0-9_-]{0,64}$/,
    patternDoc: "empty, or 1-64 letters, digits, '_' or '-'",
    doc:
      "With a name, the bridge subscribes through `$share/<name>/...` so several bridges split the doorbells' " +
      "events (docs/scaling.md); empty: plain subscriptions",
  },
  ownerKey: { kind: "path", default: "{home}/owner.key", doc: "The owner's private key (PKCS#8 PEM, mode 0600)" },
  devicesDir: {
    kind: "path",
    default: "{home}/devices",
    doc: "One bundle directory per device, as `doorbell device add` writes them",
  },
  stateDir: {
    kind: "path",
    default: "{home}/bridge/state",
    doc: "Per-device state: the last accepted sequence number, recent event ids",
  },
  updatesDir: {
    kind: "path",
    default: "{home}/bridge/updates",
    doc: "Firmware updates to offer and publish: one folder per `doorbell update pack --out` (docs/ota.md)",
  },
  "snapshots.dir": { kind: "path", default: "{home}/snapshots", doc: "Where opened snapshots are kept" },
  "snapshots.keepDays": {
    kind: "int",
    default: 30,
    min: 1,
    max: 3650,
    unit: "days",
    doc: "Snapshots older than this are deleted",
  },
  "snapshots.maxMB": {
    kind: "int",
    default: 1000,
    min: 1,
    max: 10_000_000,
    unit: "MB",
    doc: "Beyond this total the oldest snapshots are deleted",
  },
  "clips.dir": {
    kind: "path",
    default: "{home}/clips",
    doc: "Where event clips (MP4 and a sidecar JSON each) are kept",
  },
  "clips.keepDays": {
    kind: "int",
    default: 30,
    min: 1,
    max: 3650,
    unit: "days",
    doc: "Clips older than this are deleted",
  },
  "clips.maxMB": {
    kind: "int",
    default: 5000,
    min: 1,
    max: 10_000_000,
    unit: "MB",
    doc: "Beyond this total the oldest clips are deleted",
  },
  "video.host": {
    kind: "string",
    default: "127.0.0.1",
    pattern: /^[A-Za-z0-9.:-]{1,253}$/,
    patternDoc: "an IP address or a host name",
    doc: "Where the live view (MJPEG) and clips are served; beyond loopback a user and password are required",
  },
  "video.port": { kind: "int", default: 8081, min: 1, max: 65535, doc: "The video endpoint's TCP port" },
  "video.user": {
    kind: "string",
    default: "doorbell",
    pattern: /^[A-Za-z0-9_.-]{1,64}$/,
    patternDoc: "1-64 letters, digits, '.', '_' or '-'",
    doc: "The user name of the video endpoint beyond loopback (HTTP Basic)",
  },
  "video.passwordFile": {
    kind: "path",
    default: "{home}/bridge/video-password",
    doc: "Its password, at least 12 characters, in a file of mode 0600; read only beyond loopback",
  },
  "video.tlsCert": {
    kind: "path",
    default: "",
    optional: true,
    doc: "A PEM certificate: serve HTTPS (with video.tlsKey); empty: plain HTTP",
  },
  "video.tlsKey": { kind: "path", default: "", optional: true, doc: "Its PEM private key (mode 0600)" },
  "video.liveSeconds": {
    kind: "int",
    default: 60,
    min: 1,
    max: 300,
    unit: "s",
    doc: "Each live-view start asks the doorbell for this long; the bridge renews it while anyone watches",
  },
  "video.buttonSeconds": {
    kind: "int",
    default: 60,
    min: 1,
    max: 3600,
    unit: "s",
    doc: "Home Assistant's Start live view button keeps the live view on this long",
  },
  "ha.pictures": {
    kind: "choice",
    default: "url",
    choices: ["url", "mqtt"],
    doc:
      "How Home Assistant gets the snapshot: url, a link to the bridge's video endpoint on the broker (the picture " +
      "stays off it); mqtt, the JPEG itself on the broker, in the clear (docs/security.md)",
  },
  "ha.pictureHost": {
    kind: "string",
    default: "",
    pattern: /^[A-Za-z0-9.:-]{1,253}$/,
    patternDoc: "an IP address or a host name",
    doc: "The host name Home Assistant reaches the video endpoint by, for picture links; empty: video.host",
  },
  "ha.liveStillsOverMqtt": {
    kind: "bool",
    default: false,
    doc: "Also publish a live still a second on the broker for an MQTT camera, in the clear; off: MJPEG only",
  },
  "discovery.prefix": {
    kind: "string",
    default: "homeassistant",
    pattern: /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/,
    patternDoc: "topic levels of letters, digits, '_' and '-'",
    doc: "Home Assistant's discovery prefix",
  },
  "motion.offDelayS": {
    kind: "int",
    default: 30,
    min: 0,
    max: 3600,
    unit: "s",
    doc: "Home Assistant turns motion off this long after the last ON if no OFF came (off_delay)",
  },
} as const satisfies Record<string, Spec>);

export type BridgeSettingName = keyof typeof BRIDGE_SETTINGS;

export interface BridgeConfig {
  home: string;
  broker: { url: string; ca: string; cert: string; key: string; clientId: string; shareGroup: string };
  ownerKey: string;
  devicesDir: string;
  stateDir: string;
  updatesDir: string;
  snapshots: { dir: string; keepDays: number; maxMB: number };
  clips: { dir: string; keepDays: number; maxMB: number };
  video: {
    host: string;
    port: number;
    user: string;
    passwordFile: string;
    /** Empty: plain HTTP. */
    tlsCert: string;
    tlsKey: string;
    liveSeconds: number;
    buttonSeconds: number;
  };
  /** How Home Assistant gets the pictures (docs/home-assistant.md, "Pictures"). */
  ha: { pictures: "url" | "mqtt"; pictureHost: string; liveStillsOverMqtt: boolean };
  discovery: { prefix: string };
  motion: { offDelayS: number };
}

export class BridgeConfigError extends Error {}

/** `snapshots.keepDays` -> `DOORBELL_SNAPSHOTS_KEEP_DAYS`. */
export function envName(setting: string): string {
  return `DOORBELL_${setting
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .replace(/\./g, "_")
    .toUpperCase()}`;
}

/** `snapshots.keepDays` -> `--snapshots-keep-days`. */
export function flagName(setting: string): string {
  return `--${setting
    .replace(/([a-z])([A-Z])/g, "$1-$2")
    .replace(/\./g, "-")
    .toLowerCase()}`;
}

interface Raw {
  value: unknown;
  source: string;
  /** Relative paths resolve against this directory. */
  base: string;
}

function flatten(obj: Record<string, unknown>, prefix: string, out: Map<string, unknown>): void {
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === "object" && v !== null && !Array.isArray(v))
      flatten(v as Record<string, unknown>, `${prefix}${k}.`, out);
    else out.set(prefix + k, v);
  }
}

function accepted(spec: Spec): string {
  switch (spec.kind) {
    case "int":
      return `an integer from ${spec.min} to ${spec.max}${spec.unit ? ` ${spec.unit}` : ""}`;
    case "url":
      return "an mqtts:// or mqtt:// URL with a host";
    case "bool":
      return "true or false";
    case "choice":
      return `one of ${spec.choices.join(", ")}`;
    case "path":
      return "a file or directory path";
    case "string":
      return spec.patternDoc ?? "a string";
  }
}

function convert(name: string, spec: Spec, raw: Raw): string | number | boolean {
  const fail = (): never => {
    throw new BridgeConfigError(
      `bridge setting ${name} (${raw.source}): ${JSON.stringify(raw.value)} is not accepted; expected ${accepted(spec)}`,
    );
  };
  const text =
    typeof raw.value === "number" || typeof raw.value === "boolean"
      ? String(raw.value)
      : typeof raw.value === "string"
        ? raw.value
        : fail();
  switch (spec.kind) {
    case "bool":
      return text === "true" ? true : text === "false" ? false : fail();
    case "choice":
      return spec.choices.includes(text) ? text : fail();
    case "int": {
      const n = Number(text);
      return Number.isInteger(n) && n >= spec.min && n <= spec.max && text.trim() !== "" ? n : fail();
    }
    case "url": {
      try {
        const u = new URL(text);
        return (u.protocol === "mqtts:" || u.protocol === "mqtt:") && u.hostname ? text : fail();
      } catch {
        return fail();
      }
    }
    case "path":
      return text === "" && !spec.optional ? fail() : text;
    case "string":
      return (spec.pattern && !spec.pattern.test(text)) || text === "" ? fail() : text;
  }
}

export interface BridgeConfigSources {
  /** Command-line arguments after the command name. */
  argv: string[];
  env: Record<string, string | undefined>;
  cwd: string;
}

export const CONFIG_FLAG = "--config";
export const CONFIG_ENV = "DOORBELL_BRIDGE_CONFIG";

/** Reads the settings: defaults < file (`--config` or DOORBELL_BRIDGE_CONFIG) < environment < flags. */
export function loadBridgeConfig(sources: BridgeConfigSources): BridgeConfig {
  const names = Object.keys(BRIDGE_SETTINGS) as BridgeSettingName[];
  const byFlag = new Map(names.map((n) => [flagName(n), n]));
  const fromFlags = new Map<string, Raw>();
  let configFile = sources.env[CONFIG_ENV];
  for (let i = 0; i < sources.argv.length; i++) {
    const arg = sources.argv[i];
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const value = inline ?? sources.argv[++i];
    if (flag === CONFIG_FLAG) {
      if (value === undefined) throw new BridgeConfigError(`${CONFIG_FLAG} needs a file`);
      configFile = value;
      continue;
    }
    const name = byFlag.get(flag);
    if (!name)
      throw new BridgeConfigError(
        `unknown option ${flag}; the settings are ${[...byFlag.keys()].join(", ")} and ${CONFIG_FLAG} <file>`,
      );
    if (value === undefined) throw new BridgeConfigError(`${flag} needs a value (setting ${name})`);
    fromFlags.set(name, { value, source: `flag ${flag}`, base: sources.cwd });
  }

  const fromFile = new Map<string, Raw>();
  if (configFile) {
    const path = resolve(sources.cwd, configFile);
    let parsed: unknown;
    try {
      parsed = YAML.parse(readFileSync(path, "utf8"));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new BridgeConfigError(
        `config file ${path}: ${code ? `cannot read it (${code})` : `not YAML or JSON (${(error as Error).message.split("\n")[0]})`}`,
      );
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== "object" || Array.isArray(parsed))
        throw new BridgeConfigError(`config file ${path}: expected a mapping of settings`);
      const flat = new Map<string, unknown>();
      flatten(parsed as Record<string, unknown>, "", flat);
      for (const [key, value] of flat) {
        if (!(key in BRIDGE_SETTINGS))
          throw new BridgeConfigError(`config file ${path}: unknown setting ${key}; known: ${names.join(", ")}`);
        fromFile.set(key, { value, source: `config file ${path}`, base: dirname(path) });
      }
    }
  }

  const values = new Map<string, string | number | boolean>();
  const pick = (name: BridgeSettingName): string | number | boolean => {
    const spec: Spec = BRIDGE_SETTINGS[name];
    const env = sources.env[envName(name)];
    const raw =
      fromFlags.get(name) ??
      (env !== undefined ? { value: env, source: `environment ${envName(name)}`, base: sources.cwd } : undefined) ??
      fromFile.get(name);
    if (raw) {
      const v = convert(name, spec, raw);
      return spec.kind === "path" && v !== "" ? resolve(raw.base, String(v)) : v;
    }
    if (spec.kind === "path" && spec.default !== "")
      return resolve(sources.cwd, String(spec.default).replace("{home}", String(values.get("home") ?? ".")));
    return spec.default;
  };
  for (const name of names) values.set(name, pick(name));

  const s = (n: BridgeSettingName) => values.get(n) as string;
  const i = (n: BridgeSettingName) => values.get(n) as number;
  return {
    home: s("home"),
    broker: {
      url: s("broker.url"),
      ca: s("broker.ca"),
      cert: s("broker.cert"),
      key: s("broker.key"),
      clientId: s("broker.clientId"),
      shareGroup: s("broker.shareGroup"),
    },
    ownerKey: s("ownerKey"),
    devicesDir: s("devicesDir"),
    stateDir: s("stateDir"),
    updatesDir: s("updatesDir"),
    snapshots: { dir: s("snapshots.dir"), keepDays: i("snapshots.keepDays"), maxMB: i("snapshots.maxMB") },
    clips: { dir: s("clips.dir"), keepDays: i("clips.keepDays"), maxMB: i("clips.maxMB") },
    video: videoConfig(s, i),
    ha: haConfig(s, values.get("ha.liveStillsOverMqtt") === true),
    discovery: { prefix: s("discovery.prefix") },
    motion: { offDelayS: i("motion.offDelayS") },
  };
}

function videoConfig(s: (n: BridgeSettingName) => string, i: (n: BridgeSettingName) => number): BridgeConfig["video"] {
  const video = {
    host: s("video.host"),
    port: i("video.port"),
    user: s("video.user"),
    passwordFile: s("video.passwordFile"),
    tlsCert: s("video.tlsCert"),
    tlsKey: s("video.tlsKey"),
    liveSeconds: i("video.liveSeconds"),
    buttonSeconds: i("video.buttonSeconds"),
  };
  if (!video.tlsCert !== !video.tlsKey)
    throw new BridgeConfigError(
      "bridge settings video.tlsCert and video.tlsKey: set both (HTTPS) or neither (plain HTTP, loopback or behind a TLS proxy)",
    );
  return video;
}

function haConfig(s: (n: BridgeSettingName) => string, liveStillsOverMqtt: boolean): BridgeConfig["ha"] {
  return { pictures: s("ha.pictures") as "url" | "mqtt", pictureHost: s("ha.pictureHost"), liveStillsOverMqtt };
}

/** Reads a file a setting names; the error names the setting. */
export function readSettingFile(setting: BridgeSettingName, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new BridgeConfigError(
      `bridge setting ${setting}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "error"}); ` +
        `set ${flagName(setting)} or ${envName(setting)}`,
    );
  }
}
