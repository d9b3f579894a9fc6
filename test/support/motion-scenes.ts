// SPDX-License-Identifier: MIT
// Synthetic DC thumbnails for detector tests (Node and XS): a textured background with sensor noise, moving
// or growing objects, and lighting changes, all from a seeded generator so every run sees the same frames.
import type { Thumbnail } from "../../modules/jpeg/thumbnail-decoder.js";
import { createMotionDetector, type MotionParams, type MotionResult } from "../../modules/motion/detector.js";
import { synthJpeg } from "./jpeg-synth.js";
import { seededRandom } from "./seeded-random.js";

export interface Scene {
  width: number;
  height: number;
  background: Float64Array;
  /** The next frame: background x gain (+ offset), objects drawn on top, noise of +-`noise` grey levels. */
  frame(
    draw?: (luma: Float64Array) => void,
    light?: { gain?: number; offset?: number; map?: (x: number, y: number, v: number) => number },
  ): Thumbnail;
}

/** A 40x30 (or any) porch-like scene: a gradient, some texture, dark and bright areas. */
export function createScene(width = 40, height = 30, seed = 1, noise = 2): Scene {
  const rnd = seededRandom(seed);
  const background = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      background[y * width + x] = 60 + 100 * (y / height) + 25 * Math.sin(x / 3) * Math.cos(y / 4) + (rnd() - 0.5) * 20;
    }
  }
  return {
    width,
    height,
    background,
    frame(draw, light) {
      const luma = Float64Array.from(background);
      draw?.(luma);
      const out = new Uint8Array(width * height);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = y * width + x;
          let v = luma[i] * (light?.gain ?? 1) + (light?.offset ?? 0);
          if (light?.map) v = light.map(x, y, v);
          v += (rnd() + rnd() - 1) * noise;
          out[i] = Math.max(0, Math.min(255, Math.round(v)));
        }
      }
      return { width, height, frameWidth: width * 8, frameHeight: height * 8, luma: out };
    },
  };
}

/** Draws a textured rectangle of cells [x0, x1) x [y0, y1) with mean `level`. */
export function box(
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  level: number,
  width = 40,
): (luma: Float64Array) => void {
  return (luma) => {
    const height = luma.length / width;
    for (let y = Math.max(0, Math.floor(y0)); y < Math.min(height, Math.ceil(y1)); y++) {
      for (let x = Math.max(0, Math.floor(x0)); x < Math.min(width, Math.ceil(x1)); x++)
        luma[y * width + x] = level + ((x * 7 + y * 3) % 5) * 4;
    }
  };
}

/**
 * A grayscale baseline JPEG whose DC thumbnail is exactly `t` (Q0 = 8, so DC = luma - 128; no AC), of
 * `t.width * 8` x `t.height * 8` pixels: camera frames for firmware tests, in Node and XS.
 */
export function thumbnailJpeg(t: Thumbnail): Uint8Array {
  return synthJpeg({
    width: t.width * 8,
    height: t.height * 8,
    components: [{ id: 1, h: 1, v: 1, tq: 0, td: 0, ta: 0 }],
    block: (_comp, bx, by) => {
      const b = new Int16Array(64);
      b[0] = t.luma[by * t.width + bx] - 128;
      return b;
    },
  });
}

/** The doorbell's frame period: 5 fps. */
export const SCENE_PERIOD_MS = 200;

export interface SceneRun {
  events: { event: "start" | "end"; frame: number; box: number[] }[];
  lighting: number;
  results: MotionResult[];
}

/** Feeds `frames` frames (frame i drawn by `draw(i)`, lit by `light(i)`) after 20 quiet ones. */
export function runScene(
  scene: Scene,
  frames: number,
  draw: (i: number) => ((l: Float64Array) => void) | undefined,
  light: (i: number) => Parameters<Scene["frame"]>[1] = () => undefined,
  params: Partial<MotionParams> = {},
): SceneRun {
  const detector = createMotionDetector(params);
  const out: SceneRun = { events: [], lighting: 0, results: [] };
  let t = 0;
  for (let i = -20; i < frames; i++) {
    const r = detector.process(
      scene.frame(i < 0 ? undefined : draw(i), i < 0 ? undefined : light(i)),
      (t += SCENE_PERIOD_MS),
    );
    if (i < 0) continue;
    if (r.event) out.events.push({ event: r.event, frame: i, box: [...(r.event === "end" ? r.eventBox : r.box)] });
    if (r.lighting) out.lighting++;
    out.results.push({ ...r });
  }
  return out;
}
