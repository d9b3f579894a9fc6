// SPDX-License-Identifier: MIT
// The last few camera frames, copied as they pass to the firmware, numbered for the page, with the motion
// overlay computed on each. Frames come and go at the camera's pace; only a handful are kept.
import type { FrameRecord } from "./sim-records.js";
import type { MotionAnalyzer } from "./motion-overlay.js";

export interface FrameStore {
  /** Copies `jpeg` (the camera's buffer is reused) and announces it. */
  add(jpeg: Uint8Array, capturedAtMs: number): void;
  get(n: number): Uint8Array | undefined;
  clear(): void;
}

const KEEP_FRAMES = 8;

/** Width and height from a JPEG's SOF marker (T.81 §B.2.2), or undefined. */
export function jpegSize(jpeg: Uint8Array): { width: number; height: number } | undefined {
  let i = 2;
  while (i + 9 < jpeg.length) {
    if (jpeg[i] !== 0xff) return undefined;
    const marker = jpeg[i + 1];
    const length = (jpeg[i + 2] << 8) | jpeg[i + 3];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (jpeg[i + 5] << 8) | jpeg[i + 6], width: (jpeg[i + 7] << 8) | jpeg[i + 8] };
    }
    i += 2 + length;
  }
  return undefined;
}

export function createFrameStore(o: { onFrame(record: FrameRecord): void; motion: MotionAnalyzer }): FrameStore {
  const frames = new Map<number, Uint8Array>();
  let n = 0;
  return {
    add(jpeg, capturedAtMs) {
      const copy = jpeg.slice();
      const size = jpegSize(copy);
      if (!size) return;
      n++;
      frames.set(n, copy);
      frames.delete(n - KEEP_FRAMES);
      o.onFrame({ n, t: Date.now(), ...size, motion: o.motion.analyze(copy, capturedAtMs) });
    },
    get: (k) => frames.get(k),
    clear: () => frames.clear(),
  };
}
