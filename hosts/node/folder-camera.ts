// SPDX-License-Identifier: MIT
// A camera that plays a folder of JPEG frames in name order at the frame period, such as the CDnet
// sequences. It loops, or holds the last frame (a still scene) when `loop` is false.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { CameraPort, ClockPort, Frame } from "../../modules/ports.js";
import { createFramePool } from "./frame-pool.js";

export interface FolderCameraOptions {
  clock: ClockPort;
  dir: string;
  framePeriodMs?: number;
  /** Start over after the last frame (default true); otherwise keep sending the last one. */
  loop?: boolean;
  /** Index of the first frame to play, 0-based, in name order (default 0). */
  from?: number;
  /** How many frames to play from `from` (default: to the end). */
  count?: number;
}

export interface FolderCamera extends CameraPort {
  /** Frames in the clip. */
  readonly length: number;
  /** Frames sent so far since the last start (counting repeats of a held last frame). */
  readonly sent: number;
  /** True once a non-looping clip has reached its last frame. */
  readonly finished: boolean;
}

/** The JPEG files of `dir` in name order; throws a clear error when there are none. */
export function listJpegFrames(dir: string): string[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error("not a directory");
    names = readdirSync(dir);
  } catch (error) {
    throw new Error(`camera folder ${dir}: ${(error as Error).message}; give a folder of .jpg frames`);
  }
  const frames = names.filter((n) => /\.jpe?g$/i.test(n)).sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  if (frames.length === 0) throw new Error(`camera folder ${dir}: no .jpg or .jpeg files in it`);
  return frames.map((n) => join(dir, n));
}

export function createFolderCamera(options: FolderCameraOptions): FolderCamera {
  const all = listJpegFrames(options.dir);
  const from = Math.max(0, Math.min(options.from ?? 0, all.length - 1));
  const files = all.slice(from, options.count === undefined ? undefined : from + options.count);
  if (files.length === 0) throw new Error(`camera folder ${options.dir}: no frames from index ${from}`);
  const period = options.framePeriodMs ?? 200;
  const loop = options.loop ?? true;
  const pool = createFramePool();
  let timer: ReturnType<typeof setInterval> | undefined;
  let onFrame: ((frame: Frame) => void) | undefined;
  let index = 0;
  let sent = 0;

  function capture() {
    const file = files[Math.min(index, files.length - 1)];
    index = index + 1 >= files.length && loop ? 0 : Math.min(index + 1, files.length);
    sent++;
    const frame = pool.take(new Uint8Array(readFileSync(file)), options.clock.monotonicMs());
    if (frame) onFrame?.(frame);
  }
  const run = () => {
    if (timer) clearInterval(timer);
    timer = setInterval(capture, period);
  };
  return {
    start(o) {
      onFrame = o.onFrame;
      index = 0;
      sent = 0;
      run();
    },
    restart: run,
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      onFrame = undefined;
    },
    get length() {
      return files.length;
    },
    get sent() {
      return sent;
    },
    get finished() {
      return !loop && index >= files.length;
    },
  };
}
