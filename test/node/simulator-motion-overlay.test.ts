// SPDX-License-Identifier: MIT
// The page's motion overlay is the firmware's own verdict on each frame (issue 13 point 5): the device reports it
// through the host's motionView port (over the XS bridge as "motion.verdict"), and the frame store announces
// each frame with the verdict on it. No second detector runs beside the firmware.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { createJpegEncoder } from "../../hosts/node/jpeg-encoder.js";
import type { MotionVerdict } from "../../modules/ports.js";
import { createFrameStore } from "../../simulator/frame-store.js";
import type { EventRecord, FrameRecord } from "../../simulator/sim-records.js";
import { startSimulation } from "../../simulator/simulation.js";

const jpeg = (() => {
  const rgba = new Uint8Array(16 * 16 * 4).fill(128);
  return createJpegEncoder(80).encode(rgba, 16, 16);
})();

const verdict = (capturedAtMs: number, cells: number[], active = true): MotionVerdict => {
  const map = new Uint8Array(4);
  for (const c of cells) map[c] = 1;
  return {
    capturedAtMs,
    cols: 2,
    rows: 2,
    cells: map,
    box: active ? [0, 0, 8, 16] : [0, 0, 0, 0],
    active,
    light: "steady",
  };
};

describe("the frame store pairs each frame with the firmware's verdict on it", () => {
  test("a frame waits for its verdict (matched by capture time); one the firmware skipped goes out without", () => {
    const out: FrameRecord[] = [];
    const store = createFrameStore({ onFrame: (r) => out.push(r) });
    store.expectVerdicts(true);
    store.add(jpeg, 100);
    store.add(jpeg, 200);
    assert.equal(out.length, 0, "both wait for the firmware");
    store.verdict(verdict(200, [0, 2]));
    assert.deepEqual(
      out.map((r) => [r.n, r.motion?.cells]),
      [
        [1, undefined],
        [2, [0, 2]],
      ],
      "frame 1 was never judged (dropped while the firmware was busy); frame 2 carries its cells",
    );
    assert.deepEqual(out[1].motion?.box, [0, 0, 8, 16]);
    assert.equal(out[1].motion?.motion, true);
    store.verdict(verdict(200, [1]));
    assert.equal(out.length, 2, "a late or repeated verdict announces nothing");
    for (let t = 300; t <= 800; t += 100) store.add(jpeg, t);
    assert.equal(out.length, 5, "at most three frames wait; older ones go out without a verdict");
    store.expectVerdicts(false);
    assert.equal(out.length, 8, "the device is off: the waiting frames go out");
    store.add(jpeg, 900);
    assert.equal(out.length, 9, "and new frames at once");
    assert.equal(out[8].motion, undefined);
  });
});

describe("the simulator's overlay on the firmware inside XS", () => {
  test("a visitor's motion on the page is the device's: cells, and the box of the frame that started motion_start", {
    timeout: 120_000,
  }, async () => {
    const sim = await startSimulation({
      engine: "xs",
      host: "127.0.0.1",
      mqttPort: 0,
      fallbackWhenBusy: false,
      dataDir: mkdtempSync(join(tmpdir(), "sim-overlay-")),
      camera: { kind: "porch", light: "day" },
      frameSize: { width: 320, height: 240 },
    });
    const frames: FrameRecord[] = [];
    const events: EventRecord[] = [];
    sim.bus.on("frame", (f) => frames.push(f));
    sim.bus.on("event", (e) => events.push(e));
    const waitFor = async (what: string, ok: () => boolean, ms: number) => {
      const end = Date.now() + ms;
      while (!ok()) {
        if (Date.now() > end) throw new Error(`no ${what} within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      assert.match(sim.status().motionDetector, /firmware's own/);
      await waitFor("judged frames", () => frames.filter((f) => f.motion?.light === "steady").length >= 10, 40_000);
      const quiet = frames.filter((f) => f.motion?.light === "steady");
      assert.ok(
        quiet.every((f) => !f.motion!.motion),
        "the empty porch is quiet",
      );
      assert.deepEqual([quiet[0].motion!.cols, quiet[0].motion!.rows], [40, 30], "the device's 40x30 thumbnail grid");
      sim.sendVisitor({ ring: false });
      await waitFor("motion_start", () => events.some((e) => e.type === "motion_start"), 40_000);
      const start = events.find((e) => e.type === "motion_start")!;
      const first = frames.find((f) => f.motion?.motion);
      assert.ok(first, "a frame shows motion on");
      assert.ok(first.motion!.cells.length > 0, "with the cells the firmware saw");
      assert.deepEqual(first.motion!.box, start.box, "the page's box on the start frame is the event's box");
      assert.equal(
        start.motion?.cells,
        first.motion!.cells.length,
        "the event's reason: the cells of the frame that fired",
      );
      assert.equal(start.motion?.light, first.motion!.light, "and that frame's lighting state");

      // A power cut restarts the firmware, and with it its detector: the overlay learns the scene again.
      await sim.powerCut(500);
      const after = frames.length;
      await waitFor("verdicts after the reboot", () => frames.slice(after).some((f) => f.motion), 40_000);
      assert.equal(frames.slice(after).find((f) => f.motion)!.motion!.light, "relearning");
    } finally {
      await sim.close();
    }
  });
});
