// SPDX-License-Identifier: MIT
// Scenario steps for owner updates (docs/ota.md, simulator/scenarios/README.md): `update` packs one and has the
// bridge publish it; `expect-update` waits for the device's progress (a percentage, installed, or refused with a
// reason); `expect-firmware` waits until the device runs a version and its status event says so.
import type { OptionReader } from "./parse-scenario.js";
import { type Count, countText, holds } from "./video-steps.js";

export type UpdateStep =
  | {
      kind: "update";
      version: string;
      sizeKiB?: number;
      corrupt: boolean;
      unreachableBroker: boolean;
      allowDowngrade: boolean;
    }
  | { kind: "expect-update"; withinMs: number; progress?: Count; state?: "installed" | "refused"; reason?: string }
  | { kind: "expect-firmware"; version: string; withinMs: number; slot?: "a" | "b"; fresh: boolean };

export const UPDATE_STEP_NAMES = ["update", "expect-update", "expect-firmware"] as const;

export function isUpdateStepName(name: string): name is (typeof UPDATE_STEP_NAMES)[number] {
  return (UPDATE_STEP_NAMES as readonly string[]).includes(name);
}

/** Parses an update step's options; problems go to the reader, which names the file and line. */
export function parseUpdateStep(
  name: (typeof UPDATE_STEP_NAMES)[number],
  o: (keys: string[], scalarKey?: string) => OptionReader,
  problem: (message: string) => void,
): UpdateStep {
  if (name === "update") {
    const r = o(["version", "sizeKiB", "corrupt", "unreachableBroker", "allowDowngrade"], "version");
    return {
      kind: "update",
      version: r.string("version", true) ?? "0.0.0",
      sizeKiB: r.int("sizeKiB", 1, 1536),
      corrupt: r.bool("corrupt", false),
      unreachableBroker: r.bool("unreachableBroker", false),
      allowDowngrade: r.bool("allowDowngrade", false),
    };
  }
  if (name === "expect-firmware") {
    const r = o(["version", "within", "slot", "fresh"]);
    return {
      kind: "expect-firmware",
      version: r.string("version", true) ?? "",
      withinMs: r.duration("within", true, 0)!,
      slot: r.oneOf("slot", ["a", "b"] as const, false),
      fresh: r.bool("fresh", false),
    };
  }
  const r = o(["progress", "state", "reason", "within"]);
  const raw = r.string("progress", false);
  let progress: Count | undefined;
  if (raw !== undefined) {
    const m = /^(>=|<=)?\s*(\d{1,3})\s*%?$/.exec(raw.trim());
    if (m && Number(m[2]) <= 100) progress = { op: (m[1] as Count["op"] | undefined) ?? "=", n: Number(m[2]) };
    else
      problem(`expect-update: progress ${JSON.stringify(raw)} is not accepted; expected a percentage such as ">=30"`);
  }
  const state = r.oneOf("state", ["installed", "refused"] as const, false);
  const reason = r.string("reason", false);
  if (reason !== undefined && state !== "refused") problem("expect-update: reason goes with state refused");
  if (!progress && !state) problem("expect-update: give progress or state");
  return { kind: "expect-update", withinMs: r.duration("within", true, 0)!, progress, state, reason };
}

export interface UpdateView {
  /** The device's last progress message, as the bridge saw it. */
  update?: { state: string; next?: number; chunks?: number; reason?: string };
  firmwareVersion: string;
  firmwareSlot?: string;
  power: string;
  /** The firmware version of the newest status event the bridge opened (with `fresh`: since the step began). */
  lastStatusFw?: string;
}

/** The condition an expect step waits for, and what to say when it does not come. */
export function updateCondition(
  step: Exclude<UpdateStep, { kind: "update" }>,
  view: () => UpdateView,
): { done: () => boolean; why: () => string } {
  if (step.kind === "expect-firmware") {
    return {
      done: () => {
        const v = view();
        return (
          v.power === "on" &&
          v.firmwareVersion === step.version &&
          v.lastStatusFw === step.version &&
          (step.slot === undefined || v.firmwareSlot === step.slot)
        );
      },
      why: () => {
        const v = view();
        return (
          `the device did not run ${step.version}${step.slot ? ` from slot ${step.slot}` : ""} and report it within ` +
          `${step.withinMs} ms; it runs ${v.firmwareVersion} from slot ${v.firmwareSlot}, its last status said ${v.lastStatusFw}`
        );
      },
    };
  }
  const percent = (u: UpdateView["update"]) =>
    u?.state === "want" && u.chunks ? Math.floor((100 * (u.next ?? 0)) / u.chunks) : undefined;
  let best = -1;
  return {
    done: () => {
      const u = view().update;
      const p = percent(u);
      if (p !== undefined) best = Math.max(best, p);
      if (step.progress) return best >= 0 && holds(step.progress, best);
      return u !== undefined && u.state === step.state && (step.reason === undefined || u.reason === step.reason);
    },
    why: () => {
      const u = view().update;
      const want = step.progress
        ? `progress ${countText(step.progress)} %`
        : `${step.state}${step.reason ? ` (${step.reason})` : ""}`;
      return `the update did not reach ${want} within ${step.withinMs} ms; last progress: ${JSON.stringify(u ?? null)}`;
    },
  };
}
