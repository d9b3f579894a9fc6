// SPDX-License-Identifier: MIT
// The last few camera frames, copied as they pass to the firmware, numbered for the page, each announced with
// the firmware's own motion verdict on it (motion-overlay.ts). While the device is on with motion enabled, a
// frame waits for its verdict (matched by capture time); a frame the firmware never judged (dropped while it
// was busy, or the device off) is announced without one. Only a handful of frames are kept.
import type { MotionVerdict } from "../modules/ports.js";
import { overlayFromVerdict } from "./motion-overlay.js";
import type { FrameRecord } from "./sim-records.js";

export interface FrameStore {
  /** Copies `jpeg` (the camera's buffer is reused); announces it with its verdict, or at once when none is due. */
  add(jpeg: Uint8Array, capturedAtMs: number): void;
  /** The firmware's verdict on the frame captured at `v.capturedAtMs`: announces that frame with it. */
  verdict(v: MotionVerdict): void;
  /** Whether frames wait for a verdict: the device is on and its motion detection is enabled. */
  expectVerdicts(on: boolean): void;
  get(n: number): Uint8Array | undefined;
  clear(): void;
}

const KEEP_FRAMES = 8;
/** Frames waiting for their verdict; past this the oldest is announced without one (the firmware skipped it). */
const MAX_WAITING = 3;

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

interface Waiting {
  n: number;
  capturedAtMs: number;
  width: number;
  height: number;
}

export function createFrameStore(o: { onFrame(record: FrameRecord): void }): FrameStore {
  const frames = new Map<number, Uint8Array>();
  const waiting: Waiting[] = [];
  let expecting = false;
  let n = 0;
  const announce = (w: Waiting, v?: MotionVerdict) =>
    o.onFrame({ n: w.n, t: Date.now(), width: w.width, height: w.height, motion: v && overlayFromVerdict(v) });
  const flush = () => {
    for (const w of waiting.splice(0)) announce(w);
  };
  return {
    add(jpeg, capturedAtMs) {
      const copy = jpeg.slice();
      const size = jpegSize(copy);
      if (!size) return;
      n++;
      frames.set(n, copy);
      frames.delete(n - KEEP_FRAMES);
      const w = { n, capturedAtMs, ...size };
      if (!expecting) return announce(w);
      waiting.push(w);
      while (waiting.length > MAX_WAITING) announce(waiting.shift()!);
    },
    verdict(v) {
      const at = waiting.findIndex((w) => w.capturedAtMs === v.capturedAtMs);
      if (at < 0) return; // announced already without it (the firmware was too slow), or from before a restart
      for (const w of waiting.splice(0, at)) announce(w); // older frames the firmware did not judge
      announce(waiting.shift()!, v);
    },
    expectVerdicts(on) {
      expecting = on;
      if (!on) flush();
    },
    get: (k) => frames.get(k),
    clear() {
      waiting.length = 0;
      frames.clear();
    },
  };
}
