// SPDX-License-Identifier: MIT
// A camera that renders frames in software and encodes them as baseline JPEG (jpeg-js), at a fixed
// period. The renderer is pluggable: a test pattern by default, the porch scene in the simulator.
import type { CameraPort, ClockPort, Frame } from "../../modules/ports.js";
import { createJpegEncoder } from "./jpeg-encoder.js";

/** Fills `rgba` (width*height*4) for the frame at `tMs`. */
export type Renderer = (rgba: Uint8Array, width: number, height: number, tMs: number) => void;

export interface SyntheticCameraOptions {
  clock: ClockPort;
  width?: number;
  height?: number;
  framePeriodMs?: number;
  quality?: number;
  render?: Renderer;
}

/** A gradient with a bright square sweeping across it. */
export const testPattern: Renderer = (rgba, width, height, tMs) => {
  const sx = Math.floor(((tMs / 20) % (width + 40)) - 40);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const inSquare = x >= sx && x < sx + 40 && y >= height / 2 - 20 && y < height / 2 + 20;
      const v = inSquare ? 240 : 40 + Math.floor((x * 120) / width);
      rgba[i] = rgba[i + 1] = rgba[i + 2] = v;
      rgba[i + 3] = 255;
    }
  }
};

export interface SyntheticCamera extends CameraPort {
  /** Frames handed out and not yet released. */
  readonly outstanding: number;
  readonly restarts: number;
}

export function createSyntheticCamera(options: SyntheticCameraOptions): SyntheticCamera {
  const width = options.width ?? 320;
  const height = options.height ?? 240;
  const period = options.framePeriodMs ?? 200;
  const render = options.render ?? testPattern;
  const rgba = new Uint8Array(width * height * 4);
  const encoder = createJpegEncoder(options.quality ?? 70);
  let timer: ReturnType<typeof setInterval> | undefined;
  let onFrame: ((frame: Frame) => void) | undefined;
  let outstanding = 0;
  let restarts = 0;

  function capture() {
    const capturedAtMs = options.clock.monotonicMs();
    render(rgba, width, height, capturedAtMs);
    const data = encoder.encode(rgba, width, height);
    let released = false;
    outstanding++;
    onFrame?.({
      jpeg: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      capturedAtMs,
      release() {
        if (!released) outstanding--;
        released = true;
      },
    });
  }

  const start = () => {
    timer = setInterval(capture, period);
  };
  return {
    start(o) {
      onFrame = o.onFrame;
      start();
    },
    restart() {
      restarts++;
      if (timer) clearInterval(timer);
      start();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      onFrame = undefined;
    },
    get outstanding() {
      return outstanding;
    },
    get restarts() {
      return restarts;
    },
  };
}
