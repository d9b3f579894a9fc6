// SPDX-License-Identifier: MIT
// Validates a raw config object against CONFIG_SCHEMA; errors name the field, the value and what is accepted.
import { CONFIG_SCHEMA, type ConfigPath, type FieldSpec } from "./config-schema.js";

/** A validated config. Nested as in the JSON file. */
export interface Config {
  deviceId: string;
  deviceName: string;
  button: { debounceMs: number; longPressMs: number; cooldownS: number };
  chime: { pulseMs: number };
  camera: { preRollFrames: number; framePeriodMs: number; stallS: number; followUpMs: number };
  mqtt: { host: string; port: number; keepAliveS: number; topicRoot: string; ackTimeoutS: number };
  outbox: { maxEvents: number; maxKiB: number };
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
    privacyMask: (readonly (readonly [number, number])[])[];
  };
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

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: ConfigError[] };

/** Largest polygon coordinate accepted, in frame pixels. */
const MAX_COORDINATE = 65535;

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
    case "polygons":
      return (
        `a list of at most ${spec.maxPolygons} polygons, each a list of 3 to ${spec.maxPoints} [x, y] points ` +
        `(integers from 0 to ${MAX_COORDINATE})`
      );
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
    case "polygons":
      return (
        Array.isArray(value) &&
        value.length <= spec.maxPolygons &&
        value.every(
          (polygon: unknown) =>
            Array.isArray(polygon) &&
            polygon.length >= 3 &&
            polygon.length <= spec.maxPoints &&
            polygon.every(
              (point: unknown) =>
                Array.isArray(point) &&
                point.length === 2 &&
                point.every(
                  (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_COORDINATE,
                ),
            ),
        )
      );
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

const SECTIONS = new Set(
  Object.keys(CONFIG_SCHEMA)
    .filter((p) => p.includes("."))
    .map((p) => p.slice(0, p.indexOf("."))),
);

/**
 * Validates `raw` (parsed JSON). Missing fields take their defaults; unknown fields are errors,
 * so a typo never silently falls back to a default.
 */
export function parseConfig(raw: unknown): ConfigResult {
  if (!isPlainObject(raw)) {
    return { ok: false, errors: [{ field: "(root)", value: describeValue(raw), accepted: "a JSON object" }] };
  }
  const flat = new Map<string, unknown>();
  flatten(raw, "", flat);
  const errors: ConfigError[] = [];
  for (const [path, value] of flat) {
    if (!(path in CONFIG_SCHEMA)) {
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
  }
  const out: Record<string, Record<string, unknown> | unknown> = {};
  for (const path of Object.keys(CONFIG_SCHEMA) as ConfigPath[]) {
    const spec: FieldSpec = CONFIG_SCHEMA[path];
    const value = flat.has(path) ? flat.get(path) : spec.default;
    if (!check(spec, value)) {
      errors.push({ field: path, value: describeValue(value), accepted: accepted(spec) });
      continue;
    }
    const dot = path.indexOf(".");
    if (dot < 0) out[path] = value;
    else {
      const section = path.slice(0, dot);
      const bag = (out[section] ??= {}) as Record<string, unknown>;
      bag[path.slice(dot + 1)] = value;
    }
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, config: out as unknown as Config };
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
