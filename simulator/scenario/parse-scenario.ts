// SPDX-License-Identifier: MIT
// Reads a scenario file (YAML) into checked steps, before anything runs. Every error names the file and the
// line, and says what is accepted; an unknown step or key is an error, never ignored. The format is in
// simulator/scenarios/README.md.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from "yaml";
import type { Engine } from "../device-runner.js";
import type { Light } from "../scene/porch-scene.js";
import { parseCameraSpec, type CameraSpec } from "../camera-source.js";
import { parseVideoStep, VIDEO_STEP_NAMES, type VideoStep } from "./video-steps.js";
import { isUpdateStepName, parseUpdateStep, UPDATE_STEP_NAMES, type UpdateStep } from "./update-steps.js";

export const EVENT_TYPES = ["ring", "long_press", "motion_start", "motion_end", "snapshot", "status"] as const;
export type EventTypeName = (typeof EVENT_TYPES)[number];

/** Upper bounds, so that every wait in a scenario ends. */
export const MAX_WAIT_MS = 10 * 60_000;
export const DEFAULT_TIMEOUT_MS = 120_000;

export type Step = { line: number; text: string } & (
  | { kind: "press"; bounceMs?: number }
  | { kind: "release"; bounceMs?: number }
  | { kind: "wait"; ms: number }
  | { kind: "play"; camera: CameraSpec }
  | { kind: "visitor"; ring: boolean; leave: boolean }
  | { kind: "lamp"; on: boolean }
  | { kind: "light"; light: Light }
  | { kind: "drop-network" }
  | { kind: "restore-network" }
  | { kind: "restart-broker"; downMs: number }
  | { kind: "power-cut"; offMs: number }
  | { kind: "expect-event"; type: EventTypeName; withinMs: number; snapshot?: boolean }
  | { kind: "expect-no-event"; type?: EventTypeName; forMs: number }
  | { kind: "expect-log"; match: string | RegExp; withinMs: number }
  | { kind: "expect-all-opened"; withinMs: number }
  | VideoStep
  | UpdateStep
);

export interface Scenario {
  file: string;
  name: string;
  version: 1;
  description?: string;
  camera: CameraSpec;
  engine?: Engine;
  timeoutMs: number;
  /** A newly installed firmware's trial before it rolls back (`updateTrial`, default the firmware's 300 s). */
  updateTrialMs?: number;
  steps: Step[];
}

export class ScenarioError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

/** Parses "250ms", "2s", "1.5s" or "1m" into milliseconds; undefined when it is not one of those. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * (m[2] === "ms" ? 1 : m[2] === "s" ? 1000 : 60_000);
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

interface Ctx {
  file: string;
  dir: string;
  lines: LineCounter;
  problems: string[];
}

const at = (c: Ctx, node: Node | Pair | undefined) => {
  const range = (node as Node | undefined)?.range ?? ((node as Pair | undefined)?.key as Node | undefined)?.range;
  return `${c.file}:${range ? c.lines.linePos(range[0]).line : 1}`;
};
const problemAt = (c: Ctx, node: Node) => (message: string) => void c.problems.push(`${at(c, node)}: ${message}`);
const lineOf = (c: Ctx, node: Node) => (node.range ? c.lines.linePos(node.range[0]).line : 1);

export type OptionReader = {
  duration(key: string, required: boolean, fallbackMs?: number): number | undefined;
  string(key: string, required: boolean): string | undefined;
  bool(key: string, fallback: boolean): boolean;
  int(key: string, min: number, max: number): number | undefined;
  oneOf<T extends string>(key: string, values: readonly T[], required: boolean): T | undefined;
};

/** Options of one step: a map of known keys (or, for steps that allow it, one scalar for `scalarKey`). */
function options(
  c: Ctx,
  step: string,
  where: Node,
  value: Node | null,
  keys: string[],
  scalarKey?: string,
): OptionReader {
  const given = new Map<string, Node>();
  if (value === null || (isScalar(value) && value.value === null)) {
    // no options
  } else if (isMap(value)) {
    for (const pair of (value as YAMLMap<Node, Node>).items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      if (!keys.includes(key))
        c.problems.push(
          `${at(c, pair.key as Node)}: ${step}: unknown key "${key}"; expected ${keys.length ? keys.join(", ") : "no options"}`,
        );
      else given.set(key, pair.value as Node);
    }
  } else if (isScalar(value) && scalarKey) {
    given.set(scalarKey, value);
  } else {
    c.problems.push(
      `${at(c, value)}: ${step}: expected ${scalarKey ? `a ${scalarKey} or ` : ""}a map of ${keys.join(", ")}`,
    );
  }
  const scalar = (key: string) => {
    const node = given.get(key);
    if (!node) return undefined;
    if (!isScalar(node)) {
      c.problems.push(`${at(c, node)}: ${step}: ${key} must be a single value`);
      return undefined;
    }
    return { node, value: node.value };
  };
  const missing = (key: string, what: string) =>
    c.problems.push(`${at(c, where)}: ${step}: ${key} is required (${what})`);
  return {
    duration(key, required, fallbackMs) {
      const s = scalar(key);
      if (!s) {
        if (required) missing(key, "a duration such as 500ms or 2s");
        return fallbackMs;
      }
      const ms = parseDuration(String(s.value));
      if (ms === undefined || ms > MAX_WAIT_MS) {
        c.problems.push(
          `${at(c, s.node)}: ${step}: ${key} ${JSON.stringify(s.value)} is not accepted; expected a duration up ` +
            "to 10m with a unit: ms, s or m (500ms, 2s, 1.5m)",
        );
        return fallbackMs;
      }
      return ms;
    },
    string(key, required) {
      const s = scalar(key);
      if (!s) {
        if (required) missing(key, "text");
        return undefined;
      }
      return String(s.value);
    },
    bool(key, fallback) {
      const s = scalar(key);
      if (!s) return fallback;
      if (typeof s.value === "boolean") return s.value;
      if (s.value === "on") return true;
      if (s.value === "off") return false;
      c.problems.push(
        `${at(c, s.node)}: ${step}: ${key} ${JSON.stringify(s.value)} is not accepted; expected true or false`,
      );
      return fallback;
    },
    int(key, min, max) {
      const s = scalar(key);
      if (!s) return undefined;
      if (typeof s.value === "number" && Number.isInteger(s.value) && s.value >= min && s.value <= max) return s.value;
      c.problems.push(
        `${at(c, s.node)}: ${step}: ${key} ${JSON.stringify(s.value)} is not accepted; expected an integer from ${min} to ${max}`,
      );
      return undefined;
    },
    oneOf(key, values, required) {
      const s = scalar(key);
      if (!s) {
        if (required) missing(key, `one of ${values.join(", ")}`);
        return undefined;
      }
      if ((values as readonly unknown[]).includes(s.value)) return s.value as (typeof values)[number];
      c.problems.push(
        `${at(c, s.node)}: ${step}: ${key} ${JSON.stringify(s.value)} is not accepted; expected one of ${values.join(", ")}`,
      );
      return undefined;
    },
  };
}

const STEP_NAMES = [
  "press",
  "release",
  "wait",
  "play",
  "visitor",
  "lamp",
  "light",
  "drop-network",
  "restore-network",
  "restart-broker",
  "power-cut",
  "expect-event",
  "expect-no-event",
  "expect-log",
  "expect-all-opened",
  ...VIDEO_STEP_NAMES,
  ...UPDATE_STEP_NAMES,
] as const;

function parseStep(c: Ctx, node: Node): Step | undefined {
  let name: string;
  let value: Node | null = null;
  if (isScalar(node) && typeof node.value === "string") name = node.value;
  else if (isMap(node) && node.items.length === 1 && isScalar(node.items[0].key)) {
    name = String(node.items[0].key.value);
    value = (node.items[0].value as Node | null) ?? null;
  } else {
    c.problems.push(
      `${at(c, node)}: a step is one name, with its options as a map ` +
        `(for example "- wait: 2s" or "- expect-event: { type: ring, within: 5s }")`,
    );
    return undefined;
  }
  const base = { line: lineOf(c, node), text: name };
  const o = (keys: string[], scalarKey?: string) => options(c, name, node, value, keys, scalarKey);
  if (isUpdateStepName(name)) return { ...base, ...parseUpdateStep(name, o, problemAt(c, node)) };
  switch (name as (typeof STEP_NAMES)[number]) {
    case "press":
    case "release": {
      const r = o(["bounce"], "bounce");
      return { ...base, kind: name as "press", bounceMs: r.duration("bounce", false) };
    }
    case "wait":
      return { ...base, kind: "wait", ms: o(["for"], "for").duration("for", true, 0)! };
    case "play":
      return parsePlay(c, node, value, base);
    case "visitor": {
      const r = o(["ring", "leave"]);
      return { ...base, kind: "visitor", ring: r.bool("ring", true), leave: r.bool("leave", true) };
    }
    case "lamp": {
      const r = o(["on"], "on");
      return { ...base, kind: "lamp", on: r.bool("on", true) };
    }
    case "light":
      return {
        ...base,
        kind: "light",
        light: o(["light"], "light").oneOf("light", ["day", "night"] as const, true) ?? "day",
      };
    case "drop-network":
      o([]);
      return { ...base, kind: "drop-network" };
    case "restore-network":
      o([]);
      return { ...base, kind: "restore-network" };
    case "restart-broker":
      return { ...base, kind: "restart-broker", downMs: o(["down"], "down").duration("down", false, 1000)! };
    case "power-cut":
      return { ...base, kind: "power-cut", offMs: o(["off"], "off").duration("off", false, 1000)! };
    case "expect-event": {
      const r = o(["type", "within", "snapshot"]);
      const type = r.oneOf("type", EVENT_TYPES, true) ?? "ring";
      const withinMs = r.duration("within", true, 0)!;
      const snapshot = value && isMap(value) && value.has("snapshot") ? r.bool("snapshot", false) : undefined;
      return { ...base, kind: "expect-event", type, withinMs, snapshot };
    }
    case "expect-no-event": {
      const r = o(["type", "for"]);
      return {
        ...base,
        kind: "expect-no-event",
        type: r.oneOf("type", EVENT_TYPES, false),
        forMs: r.duration("for", true, 0)!,
      };
    }
    case "expect-log": {
      const r = o(["match", "within"]);
      const raw = r.string("match", true) ?? "";
      let match: string | RegExp = raw;
      const re = /^\/(.*)\/([i]?)$/.exec(raw);
      if (re) {
        try {
          match = new RegExp(re[1], re[2]);
        } catch (error) {
          c.problems.push(
            `${at(c, node)}: expect-log: match ${raw} is not a valid regular expression: ${(error as Error).message}`,
          );
        }
      }
      return { ...base, kind: "expect-log", match, withinMs: r.duration("within", true, 0)! };
    }
    case "expect-all-opened":
      return { ...base, kind: "expect-all-opened", withinMs: o(["within"], "within").duration("within", true, 0)! };
    case "live-view":
    case "expect-stream": {
      const problem = problemAt(c, node);
      const hasKey = (key: string) => value !== null && isMap(value) && value.has(key);
      return { ...base, ...parseVideoStep(name as "live-view", o, problem, hasKey) };
    }
  }
  c.problems.push(`${at(c, node)}: unknown step "${name}"; expected one of ${STEP_NAMES.join(", ")}`);
  return undefined;
}

function parsePlay(c: Ctx, node: Node, value: Node | null, base: { line: number; text: string }): Step | undefined {
  const r = options(c, "play", node, value, ["scene", "light", "frames", "video", "loop", "from", "count"]);
  const scene = r.oneOf("scene", ["porch"] as const, false);
  const frames = r.string("frames", false);
  const video = r.string("video", false);
  const light = r.oneOf("light", ["day", "night"] as const, false);
  const loop = r.bool("loop", false);
  const from = r.int("from", 0, 1_000_000);
  const count = r.int("count", 1, 1_000_000);
  const sources = [scene, frames, video].filter((s) => s !== undefined);
  if (sources.length !== 1) {
    c.problems.push(
      `${at(c, node)}: play: give exactly one of scene (porch), frames (a folder of .jpg) or video (a file, through ffmpeg)`,
    );
    return undefined;
  }
  if (scene) return { ...base, kind: "play", camera: { kind: "porch", light: light ?? "day" } };
  const path = resolve(c.dir, (frames ?? video)!);
  if (!existsSync(path)) {
    c.problems.push(`${at(c, node)}: play: ${frames ?? video} not found (looked for ${path})`);
    return undefined;
  }
  if (frames !== undefined) {
    if (!statSync(path).isDirectory()) {
      c.problems.push(`${at(c, node)}: play: frames must be a folder of .jpg files; ${path} is a file`);
      return undefined;
    }
    return { ...base, kind: "play", camera: { kind: "folder", dir: path, loop, from, count } };
  }
  return { ...base, kind: "play", camera: { kind: "ffmpeg", input: path } };
}

const TOP_KEYS = ["name", "version", "description", "camera", "engine", "timeout", "updateTrial", "steps"];

/** Parses scenario text; throws ScenarioError listing every problem, each with `file:line`. */
export function parseScenario(text: string, file: string): Scenario {
  const c: Ctx = { file, dir: dirname(resolve(file)), lines: new LineCounter(), problems: [] };
  const doc = parseDocument(text, { lineCounter: c.lines, uniqueKeys: true });
  for (const e of doc.errors) c.problems.push(`${file}:${e.linePos?.[0].line ?? 1}: YAML: ${e.message.split("\n")[0]}`);
  if (c.problems.length) throw new ScenarioError(c.problems);
  const root = doc.contents;
  if (!isMap(root)) throw new ScenarioError([`${file}:1: expected a map with name, version and steps`]);
  const get = (key: string) => root.items.find((p) => isScalar(p.key) && p.key.value === key);
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (!TOP_KEYS.includes(key))
      c.problems.push(`${at(c, pair.key as Node)}: unknown key "${key}"; expected ${TOP_KEYS.join(", ")}`);
  }
  const scalarAt = (key: string) => {
    const pair = get(key);
    return pair && isScalar(pair.value)
      ? { node: pair.value as Node, value: pair.value.value }
      : pair
        ? { node: pair.value as Node, value: undefined }
        : undefined;
  };
  const name = scalarAt("name");
  if (!name || typeof name.value !== "string" || !name.value.trim())
    c.problems.push(`${at(c, name?.node ?? root)}: name is required: a short text`);
  const version = scalarAt("version");
  if (version?.value !== 1)
    c.problems.push(
      `${at(c, version?.node ?? root)}: version ` +
        `${version ? JSON.stringify(version.value) : "is required"}${version ? " is not accepted" : ""}; expected 1`,
    );
  const description = scalarAt("description");
  let camera: CameraSpec = { kind: "porch", light: "day" };
  const cam = scalarAt("camera");
  if (cam) {
    const raw = String(cam.value);
    try {
      camera = parseCameraSpec(
        raw.startsWith("porch") || raw.startsWith("/dev/") || raw === "webcam" ? raw : resolve(c.dir, raw),
      );
    } catch (error) {
      c.problems.push(`${at(c, cam.node)}: camera: ${(error as Error).message}`);
    }
  }
  let engine: Engine | undefined;
  const eng = scalarAt("engine");
  if (eng) {
    if (eng.value === "xs" || eng.value === "node") engine = eng.value;
    else
      c.problems.push(`${at(c, eng.node)}: engine ${JSON.stringify(eng.value)} is not accepted; expected xs or node`);
  }
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  const to = scalarAt("timeout");
  if (to) {
    const ms = parseDuration(String(to.value));
    if (ms === undefined || ms <= 0 || ms > 30 * 60_000)
      c.problems.push(
        `${at(c, to.node)}: timeout ${JSON.stringify(to.value)} is not accepted; expected a duration up to 30m (90s, 5m)`,
      );
    else timeoutMs = ms;
  }
  const trial = scalarAt("updateTrial");
  const updateTrialMs = trial ? parseDuration(String(trial.value)) : undefined;
  if (trial && (updateTrialMs === undefined || updateTrialMs < 1000 || updateTrialMs > MAX_WAIT_MS))
    c.problems.push(
      `${at(c, trial.node)}: updateTrial ${JSON.stringify(trial.value)} is not accepted; expected 1s to 10m`,
    );
  const stepsPair = get("steps");
  const steps: Step[] = [];
  if (!stepsPair || !isSeq(stepsPair.value) || stepsPair.value.items.length === 0) {
    c.problems.push(`${at(c, (stepsPair?.value as Node | undefined) ?? root)}: steps is required: a list of steps`);
  } else {
    for (const item of stepsPair.value.items) {
      const step = parseStep(c, item as Node);
      if (step) steps.push(step);
    }
  }
  if (c.problems.length) throw new ScenarioError(c.problems);
  return {
    file,
    name: String(name!.value),
    version: 1,
    description: description ? String(description.value) : undefined,
    camera,
    engine,
    timeoutMs,
    ...(updateTrialMs === undefined ? {} : { updateTrialMs }),
    steps,
  };
}

/** Reads and parses a scenario file. */
export function readScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ScenarioError([
      `${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    ]);
  }
  return parseScenario(text, file);
}
