// SPDX-License-Identifier: MIT
// The README's first command, end to end: the simulator starts the broker, the firmware in XS and the
// owner's side; simulated presses come out as sealed events the owner opens; Ctrl-C stops everything.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { repoPath } from "../../hosts/xs/bundle.js";

test("npm start: a simulated press becomes a ring the owner opens, with its snapshot; SIGINT stops it cleanly", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", repoPath("simulator/start.ts"), "--mqtt-port", "0", "--press-every", "2"], {
    cwd: repoPath(""), stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    const start = Date.now();
    while (!/owner: opened ring .*snapshot [\d,]+ bytes/.test(out)) {
      if (Date.now() - start > 60_000 || child.exitCode !== null) assert.fail(`no opened ring; output:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(out, /firmware on the XS engine/);
    assert.match(out, /🔔 chime/);
    assert.doesNotMatch(out, /refused/);
  } finally {
    child.kill("SIGINT");
  }
  assert.equal(await exited, 0, out.slice(-2000));
});
