// SPDX-License-Identifier: MIT
// Node-only: a real Mosquitto (Debian's `mosquitto`, installed by .ci/run) for the tests, on a free
// loopback port, with the listener and ACL that `doorbell device add` generated. Never the system service:
// its own process, config, log and persistence under a temp directory; stopped by the test.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { userInfo } from "node:os";
import { join } from "node:path";
import { until } from "./mqtt-watch.js";

/** Where Debian puts the broker; /usr/sbin is often not on a non-root PATH. */
export function mosquittoBinary(): string {
  for (const dir of [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/usr/local/sbin"]) {
    const path = join(dir, "mosquitto");
    if (dir && existsSync(path)) return path;
  }
  throw new Error("mosquitto is not installed: apt-get install mosquitto (.ci/run does)");
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export interface Mosquitto {
  port: number;
  /** Everything the broker logged so far. */
  log(): string;
  stop(): Promise<void>;
  /** SIGKILL, as a crash or power loss: nothing is saved beyond what autosave already wrote. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** The running broker's process id, for reading /proc/<pid>/status. */
  pid(): number | undefined;
}

/** A process's resident set now and at its peak (VmRSS, VmHWM in /proc/<pid>/status), in bytes. Linux only. */
export function residentBytes(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kib("VmRSS"), peak: kib("VmHWM") };
}

/**
 * Starts Mosquitto with `listenerConf` (the generated snippet), bound to 127.0.0.1 only. `dir` holds the
 * test's config and log.
 */
export async function startMosquitto(o: {
  dir: string;
  listenerConf: string;
  port: number;
  /**
   * `autosave_on_changes true` with `autosave_interval 1`: the database is written after every change, so a
   * kill loses at most the last main-loop pass (docs/scaling.md).
   */
  saveOnEveryChange?: boolean;
}): Promise<Mosquitto> {
  const listener = readFileSync(o.listenerConf, "utf8").replace(/^listener (\d+)$/m, `listener ${o.port} 127.0.0.1`);
  if (!listener.includes(`listener ${o.port} 127.0.0.1`))
    throw new Error(`${o.listenerConf}: no listener line for port ${o.port}`);
  const conf = join(o.dir, "mosquitto-test.conf");
  writeFileSync(
    conf,
    [
      "# Test broker: its own persistence (sessions and retained messages survive a restart, as with Debian's",
      "# default config), log to stderr, and no change of user (it must read the test's 0600 keys).",
      "persistence true",
      `persistence_location ${o.dir}/`,
      ...(o.saveOnEveryChange ? ["autosave_on_changes true", "autosave_interval 1"] : []),
      "log_dest stderr",
      "log_type error",
      "log_type warning",
      "log_type notice",
      "log_type information",
      "log_type subscribe",
      `user ${userInfo().username}`,
      listener,
    ].join("\n"),
  );
  const binary = mosquittoBinary();
  let child: ChildProcess | undefined;
  let output = "";
  let exited = true;

  async function start(): Promise<void> {
    child = spawn(binary, ["-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
    exited = false;
    const mine = child;
    mine.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    mine.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    mine.once("exit", () => {
      if (child === mine) exited = true;
    });
    let up = false;
    let probing = false;
    await until(
      () => {
        if (exited) throw new Error(`mosquitto exited at start:\n${output}`);
        if (!probing) {
          probing = true;
          void accepts(o.port).then((ok) => {
            up ||= ok;
            probing = false;
          });
        }
        return up;
      },
      `mosquitto to listen on 127.0.0.1:${o.port}`,
      10_000,
    );
  }

  async function stop(): Promise<void> {
    const running = child;
    if (!running || exited) return;
    running.kill("SIGTERM");
    try {
      await until(() => exited, "mosquitto to stop", 5000);
    } catch {
      running.kill("SIGKILL");
      await until(() => exited, "mosquitto to be killed", 5000);
    }
  }

  async function kill(): Promise<void> {
    const running = child;
    if (!running || exited) return;
    running.kill("SIGKILL");
    await until(() => exited, "mosquitto to be killed", 5000);
  }

  await start();
  return { port: o.port, log: () => output, stop, kill, start, pid: () => (exited ? undefined : child?.pid) };
}
