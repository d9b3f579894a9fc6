// SPDX-License-Identifier: MIT
// Lighting must not be motion, and a visitor walking up must be: sequences built from the CDnet highway
// background (the per-pixel median of 60 frames, so no cars: test/fixtures/cdnet-highway/background.pgm), lit
// by lamp steps, an IR-style switch, exposure ramps and dusk, each frame JPEG-encoded (jpeg-js, quality 80) and
// run through the thumbnail decoder and the detector with the config defaults at 5 fps.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import jpeg from "jpeg-js";
import { defaultConfig } from "../../modules/config.js";
import { createThumbnailDecoder } from "../../modules/jpeg/thumbnail-decoder.js";
import { createMotionDetector } from "../../modules/motion/detector.js";
import {
  BACKGROUND_FRAMES,
  fullHighway,
  HIGHWAY_SUBSET,
  medianBackground,
  skipWithoutFullHighway,
} from "../support/cdnet.js";
import { seededRandom } from "../support/seeded-random.js";

const W = 320,
  H = 240;
let background: Uint8Array;

/** The committed background: a binary PGM (P5) of W x H grey pixels. */
function readBackground(): Uint8Array {
  const pgm = readFileSync(join(HIGHWAY_SUBSET, "background.pgm"));
  const header = `P5\n${W} ${H}\n255\n`;
  assert.equal(pgm.subarray(0, header.length).toString("latin1"), header, "background.pgm: a P5 PGM of 320x240");
  assert.equal(pgm.length, header.length + W * H, "background.pgm: one byte per pixel after the header");
  return new Uint8Array(pgm.subarray(header.length));
}

before(() => {
  background = readBackground();
});

test("background.pgm is the median of frames 1, 11, ..., 591 of the full highway sequence", {
  skip: skipWithoutFullHighway(),
}, () => {
  const dir = fullHighway() as string;
  const median = medianBackground(join(dir, "input"), BACKGROUND_FRAMES, W, H);
  assert.equal(Buffer.compare(Buffer.from(median), Buffer.from(background)), 0);
});

type Light = (x: number, y: number, v: number) => number;
type Figure = { cx: number; cy: number; rx: number; ry: number } | undefined;

/** Runs `frames` frames (after 15 plain ones) and returns the motion events and lighting-event count. */
function play(
  frames: number,
  light: (i: number) => Light | undefined,
  figure: (i: number) => Figure = () => undefined,
  noise = 3,
) {
  const rnd = seededRandom(frames * 7 + 1);
  const { enabled: _e, ...params } = defaultConfig().motion;
  const detector = createMotionDetector(params);
  const decoder = createThumbnailDecoder();
  const rgba = new Uint8Array(W * H * 4);
  const events: { event: string; frame: number }[] = [];
  for (let i = -15; i < frames; i++) {
    const l = i >= 0 ? light(i) : undefined;
    const f = i >= 0 ? figure(i) : undefined;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let v = background[y * W + x];
        if (f && ((x - f.cx) / f.rx) ** 2 + ((y - f.cy) / f.ry) ** 2 <= 1)
          v = 35 + ((x >> 3) % 3) * 10 + (y > f.cy - f.ry * 0.7 ? 0 : 120); // coat, and a face at the top
        if (l) v = l(x, y, v);
        v += (rnd() + rnd() + rnd() - 1.5) * noise * 1.4;
        const o = (y * W + x) * 4,
          g = Math.max(0, Math.min(255, Math.round(v)));
        rgba[o] = rgba[o + 1] = rgba[o + 2] = g;
        rgba[o + 3] = 255;
      }
    }
    const bytes = new Uint8Array(jpeg.encode({ data: rgba, width: W, height: H }, 80).data);
    const r = detector.process(decoder.decode(bytes), (i + 15) * 200);
    if (r.event) events.push({ event: r.event, frame: i });
  }
  return { events, lighting: detector.stats.lightingEvents };
}

const clamp = (v: number) => Math.max(0, Math.min(255, v));

describe("lighting is not motion (highway background)", () => {
  test("a porch lamp switched on and off twice (x1.5, brighter towards the camera): no motion", () => {
    const lamp: Light = (_x, y, v) => clamp(v * 1.5 + 25 * (y / H));
    const r = play(90, (i) => ((i >= 10 && i < 35) || (i >= 55 && i < 75) ? lamp : undefined));
    assert.deepEqual(r.events, []);
    assert.ok(r.lighting >= 4, `each switch is an illumination event (${r.lighting})`);
  });

  test("a lamp that lights only the near half (x1.8 below, x1.1 above): no motion", () => {
    const r = play(60, (i) => (i >= 10 ? (_x, y, v) => clamp(v * (y > H / 2 ? 1.8 : 1.1)) : undefined));
    assert.deepEqual(r.events, []);
  });

  test("an IR-cut switch (flatter grey, bright centre, dark corners, more noise) and back: no motion", () => {
    const ir: Light = (x, y, v) =>
      clamp((0.55 * v + 60) * (1.25 - (((x - W / 2) / W) ** 2 + ((y - H / 2) / H) ** 2) * 1.6));
    const r = play(80, (i) => (i >= 15 && i < 50 ? ir : undefined), undefined, 5);
    assert.deepEqual(r.events, []);
  });

  test("auto-exposure ramps: up 80% over 40 frames with clipping, hold, and back down; then dusk to 40%: no motion", () => {
    const ramp = play(110, (i) => {
      const g = 1 + 0.8 * Math.max(0, Math.min(1, i < 55 ? i / 40 : (95 - i) / 40));
      return (_x, _y, v) => clamp(255 * ((v * g) / 255) ** 0.9);
    });
    assert.deepEqual(ramp.events, []);
    const dusk = play(150, (i) => (_x, _y, v) => v * (1 - 0.6 * Math.min(1, i / 140)));
    assert.deepEqual(dusk.events, []);
  });
});

describe("a visitor walking up is motion", () => {
  const walkUp = (i: number): Figure => {
    if (i < 5 || i >= 50) return undefined; // arrives at frame 5, stands, leaves at 50
    const s = Math.min(1, (i - 4) / 25); // grows over 5 s to fill 85% of the frame
    return { cx: W / 2, cy: H - 60 * s - 20, rx: 30 + 150 * s, ry: 40 + 120 * s };
  };

  test("one motion event from a small figure to one filling 85% of the frame, ended after they leave", () => {
    // Leaving uncovers the background the standing visitor had joined (motion.stillFrames, 6 s): that
    // ghost is absorbed in turn, and motion ends endQuietMs later.
    const r = play(130, () => undefined, walkUp);
    assert.deepEqual(
      r.events.map((e) => e.event),
      ["start", "end"],
    );
    assert.ok(r.events[0].frame < 12, `noticed while still far (frame ${r.events[0].frame})`);
    assert.ok(
      r.events[1].frame >= 50 && r.events[1].frame < 50 + 30 + 15 + 10,
      `ends after the visitor left (frame ${r.events[1].frame})`,
    );
  });

  test("still one event when the porch lamp switches on half-way up (a motion-triggered light)", () => {
    const r = play(80, (i) => (i >= 18 ? (_x, y, v) => clamp(v * 1.5 + 25 * (y / H)) : undefined), walkUp);
    assert.equal(r.events.filter((e) => e.event === "start").length, 1);
  });
});
