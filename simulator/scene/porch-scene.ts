// SPDX-License-Identifier: MIT
// The built-in camera scene: the view from the door over the porch, the front path and the street.
// A visitor walks up the path, stands at the door (ringing, when asked to) and leaves. Day or night
// lighting, and a porch lamp that changes the brightness of the whole view, as a lamp does for a real camera.
// Deterministic: the same times give the same pixels (the sensor noise is seeded by the frame time).
import type { Renderer } from "../../hosts/node/synthetic-camera.js";

export type Light = "day" | "night";

export interface PorchSceneOptions {
  light?: Light;
  lamp?: boolean;
  /** Called when a visitor presses the bell (level 1) and lets go (level 0). */
  onBell?(level: 0 | 1): void;
}

export interface VisitorOptions {
  /** Press the bell while standing at the door (default true). */
  ring?: boolean;
  /** Walk away after standing (default true); otherwise stay at the door until the next visitor. */
  leave?: boolean;
}

export interface PorchScene {
  render: Renderer;
  light: Light;
  lamp: boolean;
  /** Starts a visitor at scene time `atMs` (monotonic ms, the camera's clock). */
  sendVisitor(atMs: number, options?: VisitorOptions): void;
  /** The visitor's current phase, or "none". */
  visitorPhase(atMs: number): VisitorPhase;
  close(): void;
}

export type VisitorPhase = "none" | "street-in" | "approach" | "at-door" | "leave" | "street-out";

/** Phase lengths in ms, in order. */
export const VISITOR_TIMELINE_MS: ReadonlyArray<[VisitorPhase, number]> = [
  ["street-in", 3000],
  ["approach", 7000],
  ["at-door", 6000],
  ["leave", 6000],
  ["street-out", 3000],
];
/** When, after arriving at the door, the visitor presses the bell, and for how long. */
export const BELL_AFTER_ARRIVAL_MS = 1000;
export const BELL_HOLD_MS = 200;

type Rgb = [number, number, number];
const HORIZON = 0.36;
const FAR_Z = 12;
const NEAR_Z = 0.9;

export function createPorchScene(options: PorchSceneOptions = {}): PorchScene {
  let background: { key: string; rgb: Float32Array } | undefined;
  let visitor: { startMs: number; ring: boolean; leave: boolean } | undefined;
  const bellTimers: ReturnType<typeof setTimeout>[] = [];

  const scene: PorchScene = {
    light: options.light ?? "day",
    lamp: options.lamp ?? false,
    render(rgba, width, height, tMs) {
      const key = `${width}x${height}`;
      if (background?.key !== key) background = { key, rgb: paintBackground(width, height) };
      const rgb = background.rgb.slice();
      if (visitor) paintVisitor(rgb, width, height, visitorPose(visitor, tMs));
      light(rgba, rgb, width, height, scene.light, scene.lamp, tMs);
    },
    sendVisitor(atMs, o = {}) {
      visitor = { startMs: atMs, ring: o.ring ?? true, leave: o.leave ?? true };
      for (const t of bellTimers.splice(0)) clearTimeout(t);
      if (visitor.ring && options.onBell) {
        const pressInMs = VISITOR_TIMELINE_MS[0][1] + VISITOR_TIMELINE_MS[1][1] + BELL_AFTER_ARRIVAL_MS;
        bellTimers.push(setTimeout(() => options.onBell?.(1), pressInMs));
        bellTimers.push(setTimeout(() => options.onBell?.(0), pressInMs + BELL_HOLD_MS));
      }
    },
    visitorPhase: (atMs) => (visitor ? visitorPose(visitor, atMs).phase : "none"),
    close() {
      for (const t of bellTimers.splice(0)) clearTimeout(t);
    },
  };
  return scene;
}

interface Pose {
  phase: VisitorPhase;
  /** Distance from the camera in metres, horizontal position (fraction of the width), walk phase. */
  z: number;
  x: number;
  stride: number;
  facing: "camera" | "away" | "side";
}

function visitorPose(v: { startMs: number; leave: boolean }, tMs: number): Pose {
  let t = tMs - v.startMs;
  const stride = Math.sin(t / 140);
  if (t < 0) return { phase: "none", z: FAR_Z, x: -1, stride: 0, facing: "side" };
  for (const [phase, lengthMs] of VISITOR_TIMELINE_MS) {
    const stay = phase === "at-door" && !v.leave;
    if (t < lengthMs || stay) {
      const f = Math.min(1, t / lengthMs);
      switch (phase) {
        case "street-in":
          return { phase, z: FAR_Z, x: -0.1 + 0.6 * f, stride, facing: "side" };
        case "approach":
          return { phase, z: FAR_Z - f * (FAR_Z - NEAR_Z), x: 0.5, stride, facing: "camera" };
        case "at-door":
          return { phase, z: NEAR_Z, x: 0.5 + 0.01 * Math.sin(t / 900), stride: 0, facing: "camera" };
        case "leave":
          return { phase, z: NEAR_Z + f * (FAR_Z - NEAR_Z), x: 0.5, stride, facing: "away" };
        case "street-out":
          return { phase, z: FAR_Z, x: 0.5 + 0.6 * f, stride, facing: "side" };
      }
    }
    t -= lengthMs;
  }
  return { phase: "none", z: FAR_Z, x: 2, stride: 0, facing: "side" };
}

function mix(a: Rgb, b: Rgb, f: number): Rgb {
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** The scene without the visitor, as surface colours before lighting. */
function paintBackground(w: number, h: number): Float32Array {
  const rgb = new Float32Array(w * h * 3);
  const set = (x: number, y: number, c: Rgb) => {
    const i = (y * w + x) * 3;
    rgb[i] = c[0];
    rgb[i + 1] = c[1];
    rgb[i + 2] = c[2];
  };
  for (let y = 0; y < h; y++) {
    const v = y / h;
    for (let x = 0; x < w; x++) {
      const u = x / w;
      let c: Rgb;
      if (v < HORIZON) {
        c = mix([120, 170, 225], [205, 222, 238], v / HORIZON);
        const canopy = Math.hypot((u - 0.8) / 0.11, (v - 0.17) / 0.13);
        if (canopy < 1) c = mix([50, 100, 50], [80, 130, 70], (((x * 13) ^ (y * 7)) % 5) / 5);
        else if (u > 0.79 && u < 0.81 && v > 0.25) c = [90, 70, 50];
        if (u > 0.08 && u < 0.36) {
          const roofTop = 0.1 + Math.abs(u - 0.22) * 0.6;
          if (v > 0.2) c = [185, 165, 140];
          else if (v > roofTop) c = [125, 70, 60];
          const wx = (u - 0.11) % 0.08,
            wy = v - 0.24;
          if (v > 0.2 && wx > 0 && wx < 0.04 && wy > 0 && wy < 0.05 && u < 0.33) c = [80, 95, 115];
        }
      } else if (v < 0.42) {
        c = v > 0.41 ? [175, 175, 172] : [105, 105, 110];
      } else if (v < 0.8) {
        const f = (v - 0.42) / 0.38;
        const half = 0.04 + 0.16 * f;
        if (Math.abs(u - 0.5) < half) {
          const joint = Math.abs(Math.sin((1 / (v - HORIZON + 0.02)) * 3)) < 0.08;
          c = joint ? [140, 132, 120] : [178, 168, 152];
        } else if ((u < 0.12 || u > 0.88) && v < 0.62) {
          c = mix([40, 85, 40], [60, 110, 55], (((x * 31) ^ (y * 17)) % 7) / 7);
        } else {
          c = mix([85, 145, 65], [100, 160, 75], Math.floor(v * 40) % 2);
        }
      } else {
        const plank = Math.abs(Math.sin((1 / (v - HORIZON)) * 9)) < 0.1;
        c = plank ? [95, 68, 45] : [152, 112, 78];
        if (v > 0.92 && u > 0.34 && u < 0.66) c = [115, 58, 48];
      }
      if (u < 0.04 || u > 0.96) c = [228, 228, 222];
      set(x, y, c);
    }
  }
  return rgb;
}

/** Draws the visitor over the background, clipped to the frame. */
function paintVisitor(rgb: Float32Array, w: number, h: number, p: Pose): void {
  if (p.phase === "none") return;
  const hgt = (1.064 / p.z) * h;
  const feetY = (HORIZON + 0.856 / p.z) * h;
  const fx = p.x * w;
  const rect = (x0: number, y0: number, x1: number, y1: number, c: Rgb) => {
    for (let y = Math.max(0, Math.floor(y0)); y < Math.min(h, Math.ceil(y1)); y++) {
      for (let x = Math.max(0, Math.floor(x0)); x < Math.min(w, Math.ceil(x1)); x++) {
        const i = (y * w + x) * 3;
        rgb[i] = c[0];
        rgb[i + 1] = c[1];
        rgb[i + 2] = c[2];
      }
    }
  };
  const ellipse = (cx: number, cy: number, rx: number, ry: number, c: Rgb, upperOnly = false) => {
    for (
      let y = Math.max(0, Math.floor(cy - ry));
      y < Math.min(h, Math.ceil(upperOnly ? cy - ry * 0.25 : cy + ry));
      y++
    ) {
      for (let x = Math.max(0, Math.floor(cx - rx)); x < Math.min(w, Math.ceil(cx + rx)); x++) {
        if (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 > 1) continue;
        const i = (y * w + x) * 3;
        rgb[i] = c[0];
        rgb[i + 1] = c[1];
        rgb[i + 2] = c[2];
      }
    }
  };
  const jacket: Rgb = [190, 55, 45];
  const trousers: Rgb = [45, 55, 85];
  const skin: Rgb = [222, 178, 148];
  const hair: Rgb = [58, 40, 30];
  const s = hgt * 0.045 * p.stride;
  rect(fx - 0.085 * hgt + s, feetY - 0.48 * hgt, fx - 0.01 * hgt + s, feetY, trousers);
  rect(fx + 0.01 * hgt - s, feetY - 0.48 * hgt, fx + 0.085 * hgt - s, feetY, trousers);
  rect(fx - 0.12 * hgt, feetY - 0.82 * hgt, fx + 0.12 * hgt, feetY - 0.45 * hgt, jacket);
  rect(fx - 0.17 * hgt, feetY - 0.8 * hgt - s, fx - 0.115 * hgt, feetY - 0.5 * hgt - s, jacket);
  rect(fx + 0.115 * hgt, feetY - 0.8 * hgt + s, fx + 0.17 * hgt, feetY - 0.5 * hgt + s, jacket);
  rect(fx - 0.025 * hgt, feetY - 0.86 * hgt, fx + 0.025 * hgt, feetY - 0.81 * hgt, skin);
  const hx = fx,
    hy = feetY - 0.92 * hgt,
    rx = 0.055 * hgt,
    ry = 0.07 * hgt;
  if (p.facing === "away") {
    ellipse(hx, hy, rx, ry, hair);
    return;
  }
  ellipse(hx, hy, rx, ry, skin);
  ellipse(hx, hy, rx * 1.04, ry * 1.04, hair, true);
  if (p.facing === "camera" && hgt > h * 0.3) {
    ellipse(hx - rx * 0.38, hy + ry * 0.05, rx * 0.12, ry * 0.1, [40, 30, 30]);
    ellipse(hx + rx * 0.38, hy + ry * 0.05, rx * 0.12, ry * 0.1, [40, 30, 30]);
    rect(hx - rx * 0.3, hy + ry * 0.5, hx + rx * 0.3, hy + ry * 0.58, [150, 80, 80]);
  }
}

/**
 * Applies the lighting and the sensor's noise and writes RGBA. Night is dim, blue-grey and noisier; the
 * porch lamp raises the brightness of the whole view (slightly more in the foreground) and warms it.
 */
function light(
  rgba: Uint8Array,
  rgb: Float32Array,
  w: number,
  h: number,
  mode: Light,
  lamp: boolean,
  tMs: number,
): void {
  const night = mode === "night";
  const noiseAmp = night ? 7 : 3;
  // Sensor noise: a fixed table of triangular noise, read from a frame-dependent offset and stride.
  let offset = (Math.floor(tMs) * 2654435761) >>> 0;
  const stride = 1 + 2 * (offset % 97);
  for (let y = 0; y < h; y++) {
    const v = y / h;
    let gain = 1;
    let warm = 0;
    if (night) gain = lamp ? 0.5 + 0.08 * v : 0.17;
    else if (lamp) gain = 1.03;
    if (lamp) warm = night ? 0.15 : 0.03;
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      let r = rgb[i],
        g = rgb[i + 1],
        b = rgb[i + 2];
      if (night) {
        const grey = 0.3 * r + 0.59 * g + 0.11 * b;
        r = grey * 0.8 + r * 0.2;
        g = grey * 0.85 + g * 0.15;
        b = grey * 0.95 + b * 0.2;
        if (lamp) {
          r *= 1 + warm;
          b *= 1 - warm * 0.6;
        }
      }
      offset = (offset + stride) & NOISE_MASK;
      const n = NOISE[offset] * noiseAmp;
      const o = (y * w + x) * 4;
      rgba[o] = clamp(r * gain + n);
      rgba[o + 1] = clamp(g * gain + n);
      rgba[o + 2] = clamp(b * gain + n);
      rgba[o + 3] = 255;
    }
  }
}

const NOISE_MASK = 0xffff;
/** Triangular noise in [-1, 1], from a fixed xorshift seed. */
const NOISE = (() => {
  const table = new Float32Array(NOISE_MASK + 1);
  let seed = 0x9e3779b9;
  const rand = () => {
    seed ^= seed << 13;
    seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    return seed / 4294967296;
  };
  for (let i = 0; i < table.length; i++) table[i] = rand() + rand() - 1;
  return table;
})();

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}
