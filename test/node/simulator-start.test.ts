// SPDX-License-Identifier: MIT
// The README's first command, end to end: `npm start` prints one line with the page's address, the page
// and its API are served on loopback only, a press becomes a ring the owner opens with its snapshot, and
// SIGINT stops everything (the XS worker included) with exit code 0.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createServer, request, type Server } from "node:http";
import { test } from "node:test";
import { repoPath } from "../../hosts/xs/bundle.js";

const post = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** A GET with a chosen Host header (fetch does not let a caller set it). */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on("error", reject)
      .end();
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  context = () => "",
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - start > timeoutMs) assert.fail(`timed out waiting for ${what}\n${context()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("npm start: one ready line, the page on loopback, a press opens as a ring with its snapshot, SIGINT stops it all", async () => {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      repoPath("simulator/start.ts"),
      "--http-port",
      "0",
      "--mqtt-port",
      "0",
      "--visitor-every",
      "0",
      "--verbose",
    ],
    {
      cwd: repoPath(""),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  let workers: number[] = [];
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    const url = await until(
      "the ready line",
      () => /^Simulator ready at (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(out)?.[1],
      60_000,
    );
    const page = await (await fetch(url)).text();
    assert.match(page, /<html/);
    assert.match(page, /data-testid="ring-button"/);
    // Only loopback: the Host guard refuses a request addressed to another name.
    assert.equal(await getWithHost(url, "attacker.example"), 421);
    assert.equal(
      (await fetch(`${url}/api/button`, { method: "POST", body: "level=1" })).status,
      415,
      "actions are JSON only",
    );

    assert.equal((await post(`${url}/api/button`, { level: 1, bounce: true })).status, 200);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal((await post(`${url}/api/button`, { level: 0, bounce: true })).status, 200);
    const ring = await until(
      "a ring the owner opened",
      async () => {
        const state = (await (await fetch(`${url}/api/state`)).json()) as {
          events: { type: string; id: string; snapshotBytes?: number }[];
        };
        return state.events.find((e) => e.type === "ring");
      },
      20_000,
      () => err.slice(-4000),
    );
    assert.ok(ring.snapshotBytes! > 1000, "the ring carries its snapshot");
    const jpeg = await fetch(`${url}/api/snapshots/${ring.id}.jpg`);
    assert.equal(jpeg.headers.get("content-type"), "image/jpeg");
    const bytes = new Uint8Array(await jpeg.arrayBuffer());
    assert.deepEqual([bytes[0], bytes[1]], [0xff, 0xd8]);
    const listening = spawnSync("ss", ["-Hltnp"], { encoding: "utf8" })
      .stdout.split("\n")
      .filter((l) => l.includes(`pid=${child.pid},`));
    for (const line of listening) assert.match(line, /127\.0\.0\.1:\d+/, `listens beyond loopback: ${line}`);
    workers = spawnSync("pgrep", ["-P", String(child.pid), "xsnap-worker"], { encoding: "utf8" })
      .stdout.split("\n")
      .filter(Boolean)
      .map(Number);
    assert.ok(workers.length >= 1, "the firmware runs in an XS worker process");
  } finally {
    child.kill("SIGINT");
  }
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("still running"), 8000))]);
  assert.equal(code, 0, `exit after SIGINT; stderr:\n${err.slice(-2000)}`);
  assert.equal(out.split("\n").filter(Boolean).length, 1, `stdout is the one ready line:\n${out}`);
  for (const pid of workers) assert.equal(alive(pid), false, `XS worker ${pid} left running`);
});

test("npm start with the default ports moves to free ones when they are busy", async () => {
  // Hold the defaults (8480 and 1883); if something else already holds them, they are busy all the same.
  const hold = (port: number) =>
    new Promise<Server | undefined>((resolve) => {
      const server = createServer()
        .once("error", () => resolve(undefined))
        .listen(port, "127.0.0.1", () => resolve(server));
    });
  const held = [await hold(8480), await hold(1883)];
  const child = spawn(process.execPath, ["--import", "tsx", repoPath("simulator/start.ts"), "--visitor-every", "0"], {
    cwd: repoPath(""),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise((resolve) => child.on("exit", resolve));
  try {
    const url = await until(
      "the ready line",
      () => /Simulator ready at (http:\/\/127\.0\.0\.1:(\d+))/.exec(out) ?? undefined,
      60_000,
    );
    assert.notEqual(url[2], "8480");
    const state = (await (await fetch(`${url[1]}/api/state`)).json()) as { status: { brokerUrl: string } };
    assert.doesNotMatch(state.status.brokerUrl, /:1883$/);
  } finally {
    child.kill("SIGINT");
    await exited;
    for (const server of held) server?.close();
  }
});
