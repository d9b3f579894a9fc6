// SPDX-License-Identifier: MIT
// `npm run scenario`: every scenario in simulator/scenarios/ passes against the real pieces (the firmware on
// XS, the broker, the bridge); a missed expectation exits 1 and a scenario past its timeout exits 42; each run
// leaves a JSONL artifact of broker traffic and firmware logs; and `play` feeds a folder of frames to the device.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { repoPath } from "../../hosts/xs/bundle.js";
import { createJpegEncoder } from "../../hosts/node/jpeg-encoder.js";
import { startSimulation } from "../../simulator/simulation.js";

const out = mkdtempSync(join(tmpdir(), "scenario-run-"));

function scenarioCli(...args: string[]) {
  return spawnSync(
    process.execPath,
    ["--import", "tsx", repoPath("simulator/scenario/scenario-cli.ts"), "--out", out, ...args],
    {
      encoding: "utf8",
      cwd: repoPath(""),
      timeout: 15 * 60_000,
    },
  );
}

function writeScenario(name: string, text: string): string {
  const file = join(out, name);
  writeFileSync(file, text);
  return file;
}

const records = (artifact: string) =>
  readFileSync(artifact, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("npm run scenario: the shipped scenarios and their artifacts", () => {
  test("every scenario in simulator/scenarios/ passes (exit 0), each with its JSONL artifact", () => {
    const files = readdirSync(repoPath("simulator/scenarios"))
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
    assert.ok(files.length >= 5, `at least five scenarios, found ${files.join(", ")}`);
    const r = scenarioCli(...files.map((f) => join("simulator/scenarios", f)));
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^${files.length} passed, 0 failed, 0 timed out$`, "m"));
    for (const f of files) {
      const lines = records(join(out, f.replace(/\.ya?ml$/, ".jsonl")));
      assert.equal(lines.at(-1)?.record, "result");
      assert.equal(lines.at(-1)?.outcome, "pass");
    }
  });

  test("the update scenarios: a power cut resumed past chunk 0; a corrupt chunk was never verified; a rollback went back", () => {
    const logs = (name: string) =>
      records(join(out, `${name}.jsonl`))
        .filter((l) => l.record === "log")
        .map((l) => `${l.tag} ${l.message}`);
    const resumed = logs("update-power-cut-resume").find((l) => l.includes("update resumes after a restart"));
    assert.match(resumed ?? "", /next=[1-9]\d*/);
    const corrupt = logs("update-corrupt-refused");
    assert.ok(corrupt.some((l) => l.includes("update refused: chunk-hash")));
    assert.ok(!corrupt.some((l) => l.includes("update verified")));
    const rollback = logs("update-rollback");
    const order = ["new firmware on trial", "rolling back", "bootloader: rollback"].map((m) =>
      rollback.findIndex((l) => l.includes(m)),
    );
    assert.ok(
      order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1])),
      `in order: ${order.join(", ")}`,
    );
  });

  test("the artifact holds the broker's traffic (ciphertext, by size and prefix), the firmware's logs and what the bridge opened", () => {
    const lines = records(join(out, "visitor-rings.jsonl"));
    const sealed = lines.filter((l) => l.record === "traffic" && l.kind === "event");
    assert.ok(
      sealed.some((l) => (l.size as number) > 5000 && /^01[0-9a-f]{30}$/.test(l.hex as string)),
      "a sealed ring with its snapshot, shown as a hex prefix",
    );
    assert.ok(
      lines.some((l) => l.record === "log" && l.source === "firmware" && l.tag === "ring"),
      "the firmware's ring log line",
    );
    assert.ok(
      lines.some((l) => l.record === "event" && l.type === "ring" && (l.snapshotBytes as number) > 0),
      "the ring the bridge opened",
    );
    assert.ok(
      lines.some((l) => l.record === "step" && l.step === "visitor"),
      "the steps, with their lines",
    );
  });
});

describe("npm run scenario: failures and timeouts", () => {
  test("a missed expectation fails the scenario with exit 1, naming the step's line", () => {
    const file = writeScenario(
      "nobody-rings.yaml",
      "name: nobody rings\nversion: 1\nengine: node\nsteps:\n  - wait: 200ms\n  - expect-event: { type: ring, within: 1s }\n",
    );
    const r = scenarioCli(file);
    assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^FAIL +nobody rings .*: line 6: expect-event: no ring event opened within 1000 ms/m);
  });

  test("a scenario that runs past its timeout exits 42", () => {
    const file = writeScenario(
      "too-slow.yaml",
      "name: too slow\nversion: 1\nengine: node\ntimeout: 3s\nsteps:\n  - wait: 1m\n",
    );
    const r = scenarioCli(file);
    assert.equal(r.status, 42, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^TIMEOUT too slow .*timeout of 3 s ran out/m);
  });
});

describe("npm run scenario: play", () => {
  test("play: a folder of JPEG frames feeds the device, and the ring's snapshot is one of them", async () => {
    const dir = join(out, "frames");
    mkdirSync(dir);
    const encoder = createJpegEncoder(80);
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 6; i++) {
      const rgba = new Uint8Array(64 * 48 * 4).fill(40 * i + 20);
      frames.push(encoder.encode(rgba, 64, 48));
      writeFileSync(join(dir, `in${String(i + 1).padStart(6, "0")}.jpg`), frames[i]);
    }
    const sim = await startSimulation({
      engine: "node",
      host: "127.0.0.1",
      mqttPort: 0,
      fallbackWhenBusy: false,
      dataDir: join(out, "play-data"),
      camera: { kind: "folder", dir, loop: true },
    });
    try {
      const ring = new Promise<string>((resolve) => sim.bus.on("event", (e) => e.type === "ring" && resolve(e.id)));
      await new Promise((r) => setTimeout(r, 800));
      sim.button(1);
      await new Promise((r) => setTimeout(r, 150));
      sim.button(0);
      const id = await Promise.race([
        ring,
        new Promise<string>((_, reject) => setTimeout(() => reject(new Error("no ring within 10 s")), 10_000)),
      ]);
      const snapshot = sim.snapshot(id)!;
      assert.ok(
        frames.some((f) => Buffer.compare(Buffer.from(f), Buffer.from(snapshot)) === 0),
        "the snapshot is byte for byte one of the folder's frames",
      );
    } finally {
      await sim.close();
    }
  });
});
