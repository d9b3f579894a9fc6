// SPDX-License-Identifier: MIT
// Runs one parsed scenario against a fresh simulation, in real time: the real broker, the firmware and the
// owner's bridge. Expectations are checked on what the bridge opened (and on the logs). Every wait is bounded;
// the scenario's own timeout bounds the whole run. Writes a JSONL artifact of traffic, logs and events.
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Engine } from "../device-runner.js";
import type { EventRecord, LogRecord } from "../sim-records.js";
import { startSimulation, type Simulation } from "../simulation.js";
import { startWebServer } from "../web-server.js";
import type { Scenario, Step } from "./parse-scenario.js";
import { countText, holds } from "./video-steps.js";
import { updateCondition } from "./update-steps.js";

export type Outcome = "pass" | "fail" | "timeout";

export interface ScenarioResult {
  file: string;
  name: string;
  outcome: Outcome;
  /** Why it failed or timed out, starting with the step's line. */
  message?: string;
  durationMs: number;
  artifact: string;
}

export interface RunOptions {
  /** Overrides the scenario's engine (default xs). */
  engine?: Engine;
  /** Where the JSONL artifact goes. */
  artifactPath: string;
  /** Also serve the page on this port while it runs, to watch. */
  httpPort?: number;
  /** How long the device may take to boot and come online before the steps start (default 60 s). */
  readyTimeoutMs?: number;
  onStep?(step: Step): void;
}

class Failure extends Error {}
class Timeout extends Error {}

const POLL_MS = 25;

/** What the steps see of a run: the events the bridge opened, the log lines, and the run's bounded waits. */
/** One video stream the bridge opened, as the scenario saw it. */
interface StreamSeen {
  kind: "live" | "clip";
  trigger?: "ring" | "motion";
  frames: number;
  /** Clip frames captured before the trigger. */
  preRoll: number;
  ended?: { complete: boolean; droppedOnDevice: number; gaps: number };
  consumed?: boolean;
}

interface Run {
  opened: (EventRecord & { consumed?: boolean })[];
  streams: Map<string, StreamSeen>;
  logs: LogRecord[];
  /** Sleeps up to `ms`, checking `done` every few ms; throws Timeout past the scenario's deadline. */
  waitFor(ms: number, done?: () => boolean): Promise<boolean>;
  /** Bounds an action (a broker restart, a power cycle) by the deadline. */
  bounded<T>(what: string, action: Promise<T>): Promise<T>;
}

export async function runScenario(s: Scenario, o: RunOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const engine = o.engine ?? s.engine ?? "xs";
  mkdirSync(dirname(o.artifactPath), { recursive: true });
  const artifact = createWriteStream(o.artifactPath);
  const write = (record: Record<string, unknown>) => artifact.write(`${JSON.stringify(record)}\n`);
  write({ t: started, record: "scenario", file: s.file, name: s.name, engine, timeoutMs: s.timeoutMs });
  const dataDir = mkdtempSync(join(tmpdir(), "doorbell-scenario-"));
  let sim: Simulation | undefined;
  let web: Awaited<ReturnType<typeof startWebServer>> | undefined;
  const run: Run = { opened: [], streams: new Map(), logs: [], ...deadlineWaits(started + s.timeoutMs, s.timeoutMs) };

  let outcome: Outcome = "pass";
  let message: string | undefined;
  try {
    const options = {
      engine,
      host: "127.0.0.1",
      mqttPort: 0,
      fallbackWhenBusy: false,
      dataDir,
      camera: s.camera,
      ...(s.updateTrialMs ? { updateConfirmS: s.updateTrialMs / 1000 } : {}),
    };
    sim = await run.bounded("starting the simulation", startSimulation(options));
    const live = sim;
    recordRun(live, run, write);
    if (o.httpPort !== undefined) {
      web = await startWebServer({ sim: live, host: "127.0.0.1", port: o.httpPort, fallbackWhenBusy: true });
      process.stderr.write(`scenario ${s.name}: watch at ${web.url}\n`);
    }
    const readyMs = o.readyTimeoutMs ?? 60_000;
    // Ready: the device is online and its first status event has reached the bridge, so events flow end to end.
    const ready = () => live.status().deviceOnline && run.opened.some((e) => e.type === "status");
    if (!(await run.waitFor(readyMs, ready)))
      throw new Timeout(`the device did not come online and report its status within ${readyMs / 1000} s`);
    for (const step of s.steps) {
      o.onStep?.(step);
      write({ t: Date.now(), record: "step", line: step.line, step: step.text });
      if (!(await act(live, step, run))) await expect(live, step, run);
    }
  } catch (error) {
    outcome = error instanceof Timeout ? "timeout" : "fail";
    message = (error as Error).message;
  } finally {
    await web?.close();
    await Promise.race([sim?.close(), new Promise((r) => setTimeout(r, 10_000))]).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const durationMs = Date.now() - started;
  write({ t: Date.now(), record: "result", outcome, message, durationMs });
  await new Promise<void>((resolve) => artifact.end(() => resolve()));
  return { file: s.file, name: s.name, outcome, message, durationMs, artifact: o.artifactPath };
}

/** The run's waits, bounded by the scenario's deadline. */
function deadlineWaits(deadline: number, timeoutMs: number): Pick<Run, "waitFor" | "bounded"> {
  return {
    async waitFor(ms, done = () => false) {
      const until = Date.now() + ms;
      for (;;) {
        if (done()) return true;
        const now = Date.now();
        if (now >= deadline) throw new Timeout(`the scenario's timeout of ${timeoutMs / 1000} s ran out`);
        if (now >= until) return false;
        await new Promise((r) => setTimeout(r, Math.min(POLL_MS, until - now, deadline - now)));
      }
    },
    async bounded(what, action) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Timeout(`${what} did not finish before the scenario's timeout`)),
          Math.max(0, deadline - Date.now()),
        );
      });
      try {
        return await Promise.race([action, late]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Keeps what the expectations check, and writes traffic, logs, events and status changes to the artifact. */
function recordRun(sim: Simulation, run: Run, write: (record: Record<string, unknown>) => void): void {
  sim.bus.on("traffic", (r) => write({ record: "traffic", ...r }));
  sim.bus.on("log", (r) => {
    run.logs.push(r);
    write({ record: "log", ...r });
  });
  sim.bus.on("event", (r) => {
    run.opened.push(r);
    write({ record: "event", ...r });
  });
  sim.bus.on("video", (r) => {
    write({ ...r, record: `video-${r.record}` });
    const seen = run.streams.get(r.streamId) ?? { kind: r.kind, frames: 0, preRoll: 0 };
    run.streams.set(r.streamId, seen);
    if (r.record === "ended") seen.ended = { complete: r.complete, droppedOnDevice: r.droppedOnDevice, gaps: r.gaps };
    else {
      seen.trigger = r.trigger;
      seen.frames++;
      if (r.triggerMs !== undefined && r.captureMs < r.triggerMs) seen.preRoll++;
    }
  });
  sim.bus.on("status", ({ power, wifi, broker, deviceOnline }) =>
    write({ record: "status", t: Date.now(), power, wifi, broker, deviceOnline }),
  );
}

/** Performs an action step (a press, a fault, a scene change); false when `step` is an expectation. */
async function act(sim: Simulation, step: Step, run: Run): Promise<boolean> {
  switch (step.kind) {
    case "press":
    case "release":
      sim.note(`scenario line ${step.line}: ${step.kind}`);
      sim.button(step.kind === "press" ? 1 : 0, step.bounceMs);
      return true;
    case "wait":
      await run.waitFor(step.ms);
      return true;
    case "play":
      sim.useCamera(step.camera);
      return true;
    case "visitor":
      sim.sendVisitor({ ring: step.ring, leave: step.leave });
      return true;
    case "lamp":
      sim.setLamp(step.on);
      return true;
    case "light":
      sim.setLight(step.light);
      return true;
    case "drop-network":
    case "restore-network":
      sim.setWifi(step.kind === "restore-network");
      return true;
    case "restart-broker":
      await run.bounded("the broker restart", sim.restartBroker(step.downMs));
      return true;
    case "power-cut":
      await run.bounded("the power cycle", sim.powerCut(step.offMs));
      return true;
    case "update":
      sim.note(`scenario line ${step.line}: update to ${step.version}`);
      sim.installUpdate({
        version: step.version,
        ...(step.sizeKiB ? { sizeBytes: step.sizeKiB * 1024 } : {}),
        corrupt: step.corrupt,
        unreachableBroker: step.unreachableBroker,
        allowDowngrade: step.allowDowngrade,
      });
      return true;
    case "live-view":
      sim.note(`scenario line ${step.line}: live-view ${step.action}${step.seconds ? ` ${step.seconds} s` : ""}`);
      await run.bounded(
        "the live-view command",
        sim.liveView(step.action === "start" ? { action: "start", seconds: step.seconds ?? 60 } : { action: "stop" }),
      );
      return true;
  }
  return false;
}

/** Checks an expectation step; throws Failure, naming the step's line, when it does not hold in time. */
async function expect(sim: Simulation, step: Step, run: Run): Promise<void> {
  const fail = (why: string): never => {
    throw new Failure(`line ${step.line}: ${step.text}: ${why}`);
  };
  const { opened, logs, waitFor } = run;
  switch (step.kind) {
    case "expect-event": {
      const match = () => opened.find((e) => !e.consumed && e.type === step.type);
      if (!(await waitFor(step.withinMs, () => match() !== undefined))) {
        const seen = opened.map((e) => `${e.type} (seq ${e.seq})`).join(", ") || "none";
        fail(`no ${step.type} event opened within ${step.withinMs} ms; opened so far: ${seen}`);
      }
      const event = match()!;
      event.consumed = true;
      if (step.snapshot === true && !event.snapshotBytes)
        fail(`the ${step.type} event (seq ${event.seq}) came without a snapshot`);
      if (step.snapshot === false && event.snapshotBytes)
        fail(`the ${step.type} event (seq ${event.seq}) came with a snapshot`);
      return;
    }
    case "expect-no-event": {
      const from = opened.length;
      const offending = () => opened.slice(from).find((e) => (step.type ? e.type === step.type : e.type !== "status"));
      if (await waitFor(step.forMs, () => offending() !== undefined)) {
        const e = offending()!;
        fail(`a ${e.type} event (seq ${e.seq}) was opened during the ${step.forMs} ms that should have had none`);
      }
      return;
    }
    case "expect-log": {
      const test = (r: LogRecord) => {
        const line = `${r.tag} ${r.message}`;
        return typeof step.match === "string" ? line.includes(step.match) : step.match.test(line);
      };
      if (!(await waitFor(step.withinMs, () => logs.some((r) => r.source !== "simulator" && test(r)))))
        fail(`no firmware or bridge log line matching ${String(step.match)} within ${step.withinMs} ms`);
      return;
    }
    case "expect-stream":
      return expectStream(step, run, fail);
    case "expect-update":
    case "expect-firmware": {
      const since = step.kind === "expect-firmware" && step.fresh ? Date.now() : 0;
      const view = () => ({
        ...sim.status(),
        lastStatusFw: run.opened.filter((e) => e.type === "status" && e.t >= since).at(-1)?.stats?.fw as
          | string
          | undefined,
      });
      const c = updateCondition(step, view);
      if (!(await waitFor(step.withinMs, c.done))) fail(c.why());
      return;
    }
    case "expect-all-opened": {
      const missing = () => {
        const { broker, opened: got } = sim.seqs();
        const have = new Set(got);
        return broker.filter((seq) => !have.has(seq));
      };
      if (!(await waitFor(step.withinMs, () => missing().length === 0)))
        fail(`the broker carried sealed events the bridge never opened: seq ${missing().join(", ")}`);
      return;
    }
  }
}

/** Waits for an ended stream of the step's kind (and trigger) whose counts hold; each stream is used once. */
async function expectStream(step: Extract<Step, { kind: "expect-stream" }>, run: Run, fail: (why: string) => never) {
  const matches = (v: StreamSeen) =>
    !v.consumed &&
    v.ended !== undefined &&
    v.kind === step.stream &&
    (step.trigger === undefined || v.trigger === step.trigger) &&
    (step.frames === undefined || holds(step.frames, v.frames)) &&
    (step.preRollFrames === undefined || holds(step.preRollFrames, v.preRoll)) &&
    (step.complete === undefined || v.ended.complete === step.complete);
  const find = () => [...run.streams.values()].find(matches);
  if (!(await run.waitFor(step.withinMs, () => find() !== undefined))) {
    const seen =
      [...run.streams.values()]
        .map((v) => {
          const end = v.ended ? (v.ended.complete ? "complete" : "cut short") : "running";
          return `${v.kind}${v.trigger ? `/${v.trigger}` : ""}: ${v.frames} frames, ${v.preRoll} pre-roll, ${end}`;
        })
        .join("; ") || "none";
    const want = [
      step.frames && `frames ${countText(step.frames)}`,
      step.preRollFrames && `preRollFrames ${countText(step.preRollFrames)}`,
    ].filter(Boolean);
    fail(
      `no ${step.stream} stream ended ${want.length ? `with ${want.join(", ")} ` : ""}within ${step.withinMs} ms; seen: ${seen}`,
    );
  }
  find()!.consumed = true;
}
