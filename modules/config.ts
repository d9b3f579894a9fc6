// SPDX-License-Identifier: MIT
// Validates a raw config object against CONFIG_SCHEMA; errors name the field, the value and what is accepted.
import { outboxFitErrors } from "./config-fit.js";
import { CONFIG_SCHEMA, type ConfigPath, type FieldSpec } from "./config-schema.js";
import type { StoreCapacity } from "./ports.js";
import type { Zone } from "./privacy/zone.js";
import { parseZones, type ZoneError } from "./privacy/zones.js";

/** A validated config. Nested as in the JSON file. */
export interface Config {
  deviceId: string;
  deviceName: string;
  button: { debounceMs: number; longPressMs: number; cooldownS: number };
  chime: { pulseMs: number };
  camera: {
    preRollFrames: number;
    framePeriodMs: number;
    stallS: number;
    followUpMs: number;
    width: number;
    height: number;
  };
  video: {
    clips: boolean;
    clipPreRollMs: number;
    clipPostMs: number;
    clipFps: number;
    liveFps: number;
    ringKiB: number;
    maxInFlight: number;
  };
  mqtt: { host: string; port: number; keepAliveS: number; topicRoot: string; ackTimeoutS: number };
  outbox: { maxEvents: number; maxKiB: number; confirm: boolean; confirmTimeoutS: number };
  status: { intervalS: number };
  motion: {
    enabled: boolean;
    thresholdMin: number;
    noiseFactor: number;
    backgroundFrames: number;
    stillFrames: number;
    minBlobCells: number;
    startFrames: number;
    windowFrames: number;
    endQuietMs: number;
    maxGainStepPct: number;
    lightingJumpPct: number;
    relearnFrames: number;
  };
  privacy: { zones: Zone[]; grey: number };
  seq: { blockSize: number };
  commands: { maxAgeS: number };
  keys: { ownerPublic: string; ownerSigningPublic: string };
}

/** One problem with one field. */
export interface ConfigError {
  field: string;
  value: string;
  accepted: string;
}

/**
 * `notices`: what the caller should log about an accepted config, e.g. a retired setting that was carried over.
 */
export type ConfigResult = { ok: true; config: Config; notices: string[] } | { ok: false; errors: ConfigError[] };

/** The retired setting whose polygons now join `privacy.zones` (docs/privacy.md, "Configs from before the zones"). */
const LEGACY_MASK = "motion.privacyMask";

function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "an array" : "an object";
}

function accepted(spec: FieldSpec): string {
  switch (spec.kind) {
    case "int":
      return `an integer from ${spec.min} to ${spec.max}${spec.unit ? ` ${spec.unit}` : ""}`;
    case "bool":
      return "true or false";
    case "hex":
      return `${spec.bytes * 2} hex digits (${spec.bytes} bytes)${spec.prefixDoc ? ` ${spec.prefixDoc}` : ""}, or empty`;
    case "string":
      return `a string of at most ${spec.maxLength} characters${spec.patternDoc ? ` of ${spec.patternDoc}` : ""}`;
    case "zones":
      return "a list of privacy zones (docs/privacy.md)";
  }
}

function check(spec: FieldSpec, value: unknown): boolean {
  switch (spec.kind) {
    case "int":
      return typeof value === "number" && Number.isInteger(value) && value >= spec.min && value <= spec.max;
    case "bool":
      return typeof value === "boolean";
    case "hex":
      return (
        typeof value === "string" &&
        (value === "" ||
          (value.length === spec.bytes * 2 &&
            /^[0-9a-fA-F]*$/.test(value) &&
            (!spec.prefix || value.toLowerCase().startsWith(spec.prefix))))
      );
    case "string":
      return (
        typeof value === "string" &&
        value.length > 0 &&
        value.length <= spec.maxLength &&
        (!spec.pattern || spec.pattern.test(value))
      );
    case "zones":
      return parseZones(value).ok;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Flattens `{a: {b: 1}}` into `[["a.b", 1]]`, reporting non-objects where sections belong. */
function flatten(raw: Record<string, unknown>, prefix: string, out: Map<string, unknown>): void {
  for (const key of Object.keys(raw)) {
    const path = prefix + key;
    const value = raw[key];
    if (isPlainObject(value)) flatten(value, `${path}.`, out);
    else out.set(path, value);
  }
}

const SECTIONS: ReadonlySet<string> = Object.freeze(
  new Set(
    Object.keys(CONFIG_SCHEMA)
      .filter((p) => p.includes("."))
      .map((p) => p.slice(0, p.indexOf("."))),
  ),
);

function unknownFields(flat: Map<string, unknown>): ConfigError[] {
  const errors: ConfigError[] = [];
  for (const [path, value] of flat) {
    if (path in CONFIG_SCHEMA) continue;
    const section = path.includes(".") ? path.slice(0, path.indexOf(".")) : path;
    const known = SECTIONS.has(path)
      ? `a section object`
      : SECTIONS.has(section)
        ? `one of ${Object.keys(CONFIG_SCHEMA)
            .filter((p) => p.startsWith(`${section}.`))
            .join(", ")}`
        : `a known setting (see docs/config.md)`;
    errors.push({ field: path, value: describeValue(value), accepted: known });
  }
  return errors;
}

const zoneError = (field: string, e: ZoneError): ConfigError => ({ field: field + e.path, ...e });

/**
 * A config from before the zones says `motion.privacyMask` (polygons of [x, y] points). It is still accepted:
 * its polygons join `privacy.zones`, so they now also redact every picture, and a notice says what to write
 * instead. Refusing it would leave an updated device on its defaults, without its owner key, sending nothing.
 */
function carryLegacyMask(flat: Map<string, unknown>, errors: ConfigError[], notices: string[]): void {
  if (!flat.has(LEGACY_MASK)) return;
  const mask = flat.get(LEGACY_MASK);
  flat.delete(LEGACY_MASK);
  if (!Array.isArray(mask)) {
    const accepted = "a list of polygons of [x, y] points (retired: write privacy.zones instead)";
    errors.push({ field: LEGACY_MASK, value: describeValue(mask), accepted });
    return;
  }
  const r = parseZones(mask.map((polygon: unknown) => ({ polygon })));
  if (!r.ok) {
    for (const e of r.errors) errors.push(zoneError(LEGACY_MASK, { ...e, path: e.path.replace(".polygon", "") }));
    return;
  }
  const zones = flat.get("privacy.zones");
  if (zones === undefined || Array.isArray(zones)) flat.set("privacy.zones", [...(zones ?? []), ...r.zones]);
  notices.push(
    `${LEGACY_MASK} is retired: its ${r.zones.length} polygon(s) now join privacy.zones and also redact every ` +
      `picture; write them as privacy.zones, e.g. [{"polygon": [[0, 0], [200, 0], [200, 120]]}] (docs/privacy.md)`,
  );
}

/** The value of one setting, checked; undefined (and errors pushed) when it is refused. */
function checkedValue(path: ConfigPath, value: unknown, errors: ConfigError[]): { value: unknown } | undefined {
  const spec: FieldSpec = CONFIG_SCHEMA[path];
  if (spec.kind === "zones") {
    const r = parseZones(value);
    if (r.ok) return { value: r.zones };
    for (const e of r.errors) errors.push(zoneError(path, e));
    return undefined;
  }
  if (check(spec, value)) return { value };
  errors.push({ field: path, value: describeValue(value), accepted: accepted(spec) });
  return undefined;
}

/** What the host can hold, beyond the schema's ranges. */
export interface ConfigLimits {
  /** The outbox store's capacity (`AppendLogPort.capacity`): larger outbox bounds are errors. */
  storage?: StoreCapacity;
}

/**
 * Validates `raw` (parsed JSON). Missing fields take their defaults; unknown fields are errors,
 * so a typo never silently falls back to a default. Zone errors name the zone and its field:
 * `privacy.zones[2].width`.
 */
export function parseConfig(raw: unknown, limits: ConfigLimits = {}): ConfigResult {
  if (!isPlainObject(raw)) {
    return { ok: false, errors: [{ field: "(root)", value: describeValue(raw), accepted: "a JSON object" }] };
  }
  const flat = new Map<string, unknown>();
  flatten(raw, "", flat);
  const errors: ConfigError[] = [];
  const notices: string[] = [];
  carryLegacyMask(flat, errors, notices);
  errors.push(...unknownFields(flat));
  const out: Record<string, Record<string, unknown> | unknown> = {};
  for (const path of Object.keys(CONFIG_SCHEMA) as ConfigPath[]) {
    const checked = checkedValue(path, flat.has(path) ? flat.get(path) : CONFIG_SCHEMA[path].default, errors);
    if (!checked) continue;
    const dot = path.indexOf(".");
    if (dot < 0) out[path] = checked.value;
    else {
      const section = path.slice(0, dot);
      const bag = (out[section] ??= {}) as Record<string, unknown>;
      bag[path.slice(dot + 1)] = checked.value;
    }
  }
  if (!errors.length && limits.storage) errors.push(...outboxFitErrors(out.outbox as Config["outbox"], limits.storage));
  if (errors.length) return { ok: false, errors };
  return { ok: true, config: out as unknown as Config, notices };
}

/** Formats errors as one line each: `field: value is not accepted; expected ...`. */
export function formatConfigErrors(errors: ConfigError[]): string {
  return errors.map((e) => `config ${e.field}: ${e.value} is not accepted; expected ${e.accepted}`).join("\n");
}

/** The defaults alone; always valid. */
export function defaultConfig(): Config {
  const r = parseConfig({});
  if (!r.ok) throw new Error(`defaults do not validate: ${formatConfigErrors(r.errors)}`);
  return r.config;
}
