// SPDX-License-Identifier: MIT
// Lighting changes laid over real frames, for `npm run eval:motion -- --light <change>@<frame>` and the lighting
// tests: each frame is decoded to grey pixels (jpeg-js), the change is applied per pixel (clipped at 0 and 255,
// as a sensor clips) and the thumbnail is the mean of each 8x8 block, which is what the DC decode gives. The
// ground truth is unchanged. Without a change the same path gives the baseline the changes are compared with.
import jpeg from "jpeg-js";
import type { Thumbnail } from "../../modules/jpeg/thumbnail-decoder.js";

/** The changes: a lamp switched on or off, a slow exposure ramp up or down, an IR-cut switch to night mode. */
export const LIGHT_CHANGES = ["none", "step-up", "step-down", "ramp-up", "ramp-down", "ir"] as const;
export type LightChangeName = (typeof LIGHT_CHANGES)[number];

export interface LightChange {
  name: LightChangeName;
  /** The frame number (CDnet numbering) where the change starts. */
  at: number;
}

/** A step multiplies every pixel by this (brighter) or STEP_DOWN (darker); bright areas clip at 255. */
export const STEP_UP = 1.5;
export const STEP_DOWN = 0.5;
/** A ramp reaches STEP_UP or STEP_DOWN over this many frames (5 s at 30 fps). */
export const RAMP_FRAMES = 150;
/** IR mode: grey = IR_GAIN x luma + IR_OFFSET (flatter), plus noise per pixel and per 8x8 block (sigma, grey levels). */
export const IR_GAIN = 0.6;
export const IR_OFFSET = 45;
export const IR_PIXEL_NOISE = 6;
export const IR_BLOCK_NOISE = 2.5;

/** Parses "step-up@900"; "none" needs no frame. Throws an error naming the accepted changes. */
export function parseLightChange(text: string): LightChange {
  const [name, at] = text.split("@");
  if (!(LIGHT_CHANGES as readonly string[]).includes(name))
    throw new Error(`--light ${text}: unknown change "${name}"; accepted: ${LIGHT_CHANGES.join(", ")}`);
  if (name === "none") return { name: "none", at: 0 };
  const frame = Number(at);
  if (!Number.isInteger(frame) || frame < 1)
    throw new Error(`--light ${text}: give the first frame of the change, as in ${name}@900`);
  return { name: name as LightChangeName, at: frame };
}

/** The grey pixels (BT.601 luma, 0..255) of a JPEG, with its size. */
export function decodeGrey(bytes: Uint8Array): { width: number; height: number; grey: Uint8Array } {
  const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
  const n = img.width * img.height;
  const grey = new Uint8Array(n);
  const d = img.data;
  for (let i = 0; i < n; i++) grey[i] = Math.round(0.299 * d[3 * i] + 0.587 * d[3 * i + 1] + 0.114 * d[3 * i + 2]);
  return { width: img.width, height: img.height, grey };
}

/** Gaussian noise (Box-Muller) from a seeded uniform source. */
function gaussian(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
}

/** The multiplicative gain of a step or ramp at `frame` (1 before the change). */
export function gainAt(change: LightChange, frame: number): number {
  if (change.name === "none" || change.name === "ir" || frame < change.at) return 1;
  const ramp = Math.min(1, (frame - change.at + 1) / RAMP_FRAMES);
  switch (change.name) {
    case "step-up":
      return STEP_UP;
    case "step-down":
      return STEP_DOWN;
    case "ramp-up":
      return 1 + (STEP_UP - 1) * ramp;
    default:
      return 1 + (STEP_DOWN - 1) * ramp;
  }
}

/**
 * The thumbnail of `frame` (grey pixels, width x height) under `change` at frame number `n`: each 8x8 block's
 * mean after the change, clipped per pixel. `rnd` feeds the IR noise. `out` is reused (ceil(w/8) x ceil(h/8)).
 */
export function litThumbnail(
  frame: { width: number; height: number; grey: Uint8Array },
  change: LightChange,
  n: number,
  rnd: () => number,
  out: Uint8Array,
): Thumbnail {
  const { width, height, grey } = frame;
  const cw = Math.ceil(width / 8),
    ch = Math.ceil(height / 8);
  const ir = change.name === "ir" && n >= change.at;
  const gain = gainAt(change, n);
  const sums = new Float64Array(cw * ch),
    counts = new Uint16Array(cw * ch);
  const blockNoise = new Float64Array(cw * ch);
  if (ir) for (let c = 0; c < blockNoise.length; c++) blockNoise[c] = IR_BLOCK_NOISE * gaussian(rnd);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = (y >> 3) * cw + (x >> 3);
      let v = grey[y * width + x];
      v = ir ? IR_GAIN * v + IR_OFFSET + blockNoise[c] + IR_PIXEL_NOISE * gaussian(rnd) : v * gain;
      sums[c] += v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
      counts[c]++;
    }
  }
  for (let c = 0; c < cw * ch; c++) out[c] = Math.round(sums[c] / counts[c]);
  return { width: cw, height: ch, frameWidth: width, frameHeight: height, luma: out.subarray(0, cw * ch) };
}
