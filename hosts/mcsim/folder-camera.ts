// SPDX-License-Identifier: MIT
// The camera port in mcsim: a folder of JPEG frames played in name order (numbers compared as numbers)
// at the frame period, looping, read with Moddable's `file` module over the desktop's files. Each frame
// reports itself to the skin. As on the board (hosts/esp32/camera.ts: the driver's 3 frame buffers), a
// capture is skipped and counted while FRAME_BUFFERS frames are unreleased, so a frame the firmware
// forgets to release shows up here as it would stall a board.
// Limit: the bytes are not checked to be baseline JPEG; the firmware's decoders refuse what is not.
import { File, Iterator } from "file";
import Timer from "timer";
import type { CameraPort, ClockPort, Frame, LogPort } from "../../modules/ports.js";
import { callSafely, describeError } from "../esp32/guard.js";
import type { SkinLink } from "./skin-link.js";

const TAG = "camera";
/** The ESP32 driver's frame buffers: a capture is skipped while this many frames are unreleased. */
export const FRAME_BUFFERS = 3;
const JPEG_NAME = /\.jpe?g$/i;

/** Compares names with runs of digits as numbers, so frame2.jpg comes before frame10.jpg. */
export function compareFrameNames(a: string, b: string): number {
  const split = (s: string) => s.match(/\d+|\D+/g) ?? [];
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] as string;
    const q = y[i] as string;
    if (p === q) continue;
    const numeric = /^\d/.test(p) && /^\d/.test(q);
    if (numeric && Number(p) !== Number(q)) return Number(p) - Number(q);
    return p < q ? -1 : 1;
  }
  return x.length - y.length;
}

/** The `.jpg`/`.jpeg` files of `dir` in name order; a clear error when there is no such folder or no frame. */
export function listFrameFiles(dir: string): string[] {
  let names: string[];
  try {
    names = [];
    const listing = new Iterator(dir);
    for (let entry = listing.next(); entry !== undefined; entry = listing.next())
      if (entry.length !== undefined && JPEG_NAME.test(entry.name)) names.push(entry.name); // no length: a directory
  } catch (error) {
    throw new Error(
      `camera: frames folder ${dir}: ${describeError(error)}; give a folder of .jpg frames (frames=<folder>)`,
    );
  }
  if (names.length === 0) throw new Error(`camera: frames folder ${dir} has no .jpg or .jpeg files`);
  return names.sort(compareFrameNames);
}

function readWhole(path: string): Uint8Array {
  const file = new File(path);
  try {
    return new Uint8Array(file.read(ArrayBuffer, file.length));
  } finally {
    file.close();
  }
}

export interface McsimCameraOptions {
  /** Absolute path of the frames folder. */
  dir: string;
  /** Time between frames in ms. Default 200. */
  framePeriodMs?: number;
  link: SkinLink;
  /** Also gets each delivered frame's bytes, after the firmware (the skin's picture, frame-view.ts). */
  preview?: (jpeg: Uint8Array) => void;
  clock: ClockPort;
  log: LogPort;
}

export interface McsimCamera extends CameraPort {
  /** Frames in the folder. */
  readonly length: number;
  /** Frames delivered since the last start. */
  readonly delivered: number;
  /** Captures skipped because FRAME_BUFFERS frames were still unreleased. */
  readonly skipped: number;
  /** Frames delivered and not yet released. */
  readonly held: number;
}

/** Creates the camera and lists the folder now, so a bad folder stops the app at start with its path. */
export function createMcsimCamera(options: McsimCameraOptions): McsimCamera {
  const { dir, link, clock, log } = options;
  const names = listFrameFiles(dir);
  const periodMs = options.framePeriodMs ?? 200;
  const base = dir.endsWith("/") ? dir : `${dir}/`;
  let timer: Timer | undefined;
  let onFrame: ((frame: Frame) => void) | undefined;
  let next = 0;
  let delivered = 0;
  let skipped = 0;
  let held = 0;

  function capture(): void {
    if (!onFrame) return;
    if (held >= FRAME_BUFFERS) {
      skipped++;
      return;
    }
    const index = next;
    const name = names[index] as string;
    next = (next + 1) % names.length;
    let jpeg: Uint8Array;
    try {
      jpeg = readWhole(base + name);
    } catch (error) {
      const reason = `${name}: ${describeError(error)}`;
      log.write("warn", TAG, `skipped a frame: ${reason}`);
      link.post({ cameraError: reason });
      return;
    }
    let released = false;
    held++;
    const frame: Frame = {
      jpeg,
      capturedAtMs: clock.monotonicMs(),
      release() {
        if (released) return;
        released = true;
        held--;
      },
    };
    delivered++;
    link.post({ frame: { name, index, count: names.length } });
    const deliver = onFrame;
    callSafely(log, TAG, "onFrame", () => deliver(frame));
    const preview = options.preview;
    if (preview) callSafely(log, TAG, "preview", () => preview(jpeg));
  }

  const run = () => {
    if (timer !== undefined) Timer.clear(timer);
    timer = Timer.repeat(capture, periodMs);
  };
  return {
    start(o) {
      onFrame = o.onFrame;
      next = 0;
      delivered = 0;
      skipped = 0;
      log.write("info", TAG, `playing ${names.length} frames from ${dir} every ${periodMs} ms`);
      run();
    },
    restart: run,
    stop() {
      if (timer !== undefined) Timer.clear(timer);
      timer = undefined;
      onFrame = undefined;
    },
    get length() {
      return names.length;
    },
    get delivered() {
      return delivered;
    },
    get skipped() {
      return skipped;
    },
    get held() {
      return held;
    },
  };
}
