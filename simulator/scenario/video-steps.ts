// SPDX-License-Identifier: MIT
// Scenario steps for sealed video (simulator/scenarios/README.md): `live-view` sends the owner's signed command,
// `expect-stream` checks a clip or live stream the bridge opened, with counts such as `preRollFrames: ">=1"`.
import type { OptionReader } from "./parse-scenario.js";

/** A count condition: `3`, `">=1"`, `"<=10"`. */
export interface Count {
  op: ">=" | "<=" | "=";
  n: number;
}

export type VideoStep =
  | { kind: "live-view"; action: "start" | "stop"; seconds?: number }
  | {
      kind: "expect-stream";
      stream: "clip" | "live";
      withinMs: number;
      trigger?: "ring" | "motion";
      frames?: Count;
      preRollFrames?: Count;
      complete?: boolean;
    };

export const VIDEO_STEP_NAMES = ["live-view", "expect-stream"] as const;

export function holds(c: Count, value: number): boolean {
  return c.op === ">=" ? value >= c.n : c.op === "<=" ? value <= c.n : value === c.n;
}

export const countText = (c: Count) => `${c.op === "=" ? "" : c.op}${c.n}`;

/** Parses a video step's options; problems go to the reader, which names the file and line. */
export function parseVideoStep(
  name: (typeof VIDEO_STEP_NAMES)[number],
  o: (keys: string[], scalarKey?: string) => OptionReader,
  problem: (message: string) => void,
  hasKey: (key: string) => boolean,
): VideoStep {
  if (name === "live-view") {
    const r = o(["action", "seconds"], "action");
    const action = r.oneOf("action", ["start", "stop"] as const, true) ?? "start";
    const seconds = r.int("seconds", 1, 300);
    if (action === "stop" && seconds !== undefined) problem("live-view: seconds goes with action start only");
    return { kind: "live-view", action, seconds };
  }
  const r = o(["kind", "within", "trigger", "frames", "preRollFrames", "complete"]);
  const stream = r.oneOf("kind", ["clip", "live"] as const, true) ?? "clip";
  const count = (key: string): Count | undefined => {
    const raw = r.string(key, false);
    if (raw === undefined) return undefined;
    const m = /^(>=|<=)?\s*(\d{1,6})$/.exec(raw.trim());
    if (!m) {
      problem(
        `expect-stream: ${key} ${JSON.stringify(raw)} is not accepted; expected a count such as 3, ">=1" or "<=10"`,
      );
      return undefined;
    }
    return { op: (m[1] as Count["op"] | undefined) ?? "=", n: Number(m[2]) };
  };
  const preRollFrames = count("preRollFrames");
  if (preRollFrames && stream !== "clip") problem("expect-stream: preRollFrames goes with kind clip only");
  return {
    kind: "expect-stream",
    stream,
    withinMs: r.duration("within", true, 0)!,
    trigger: r.oneOf("trigger", ["ring", "motion"] as const, false),
    frames: count("frames"),
    preRollFrames,
    complete: hasKey("complete") ? r.bool("complete", true) : undefined,
  };
}
