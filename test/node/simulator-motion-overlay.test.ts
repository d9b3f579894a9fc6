// SPDX-License-Identifier: MIT
// The page's motion overlay runs the firmware's own decoder and detector on the camera's frames: a visitor
// walking up gives motion cells and a box around them; the porch lamp switching is lighting, with no cells.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createJpegEncoder } from "../../hosts/node/jpeg-encoder.js";
import { createMotionAnalyzer, type MotionOverlay } from "../../simulator/motion-overlay.js";
import { createPorchScene } from "../../simulator/scene/porch-scene.js";

const W = 640,
  H = 480;

function play(
  light: "day" | "night",
  script: (tMs: number, scene: ReturnType<typeof createPorchScene>) => void,
  untilMs: number,
) {
  const scene = createPorchScene({ light });
  const analyzer = createMotionAnalyzer();
  const encoder = createJpegEncoder(70);
  const rgba = new Uint8Array(W * H * 4);
  const out: { t: number; o: MotionOverlay }[] = [];
  for (let t = 0; t < untilMs; t += 200) {
    script(t, scene);
    scene.render(rgba, W, H, t);
    out.push({ t, o: analyzer.analyze(encoder.encode(rgba, W, H), t)! });
  }
  scene.close();
  return out;
}

test("a visitor walking up the path shows as motion cells with a box around them, on the 80x60 thumbnail grid", () => {
  const frames = play("day", (t, s) => t === 3000 && s.sendVisitor(t, { ring: false, leave: false }), 9000);
  assert.deepEqual([frames[0].o.cols, frames[0].o.rows], [80, 60]);
  assert.ok(
    frames.filter((f) => f.t < 3000 && f.t >= 2000).every((f) => !f.o.motion && f.o.cells.length === 0),
    "the empty porch is quiet once learnt",
  );
  const late = frames.at(-1)!.o;
  assert.ok(late.motion && late.cells.length > 10 && late.box, "motion, with cells and a box");
  const [x, y, w, h] = late.box!;
  for (const i of late.cells) {
    const cx = (i % late.cols) * 8,
      cy = Math.floor(i / late.cols) * 8;
    assert.ok(cx >= x - 8 && cx < x + w + 8 && cy >= y - 8 && cy < y + h + 8, `cell ${i} lies in the box`);
  }
  assert.ok(x < W / 2 && x + w > W / 2, "the box is on the path, in the middle of the frame");
});

test("the porch lamp switching at night is lighting: no motion and no cells", () => {
  const frames = play(
    "night",
    (t, s) => {
      if (t === 4000) s.lamp = true;
      if (t === 8000) s.lamp = false;
    },
    12_000,
  );
  assert.ok(
    frames.some((f) => f.t >= 4000 && f.t < 5000 && f.o.lighting),
    "the switch is seen as lighting",
  );
  assert.ok(
    frames.filter((f) => f.t >= 2000).every((f) => !f.o.motion),
    "never motion",
  );
});
