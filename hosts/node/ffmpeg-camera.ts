// SPDX-License-Identifier: MIT
// A camera fed by ffmpeg: a video file (looped, at its own pace) or a V4L2 webcam, re-encoded as a stream of
// baseline JPEG frames at the frame period. Needs the ffmpeg program (Debian: `apt-get install ffmpeg`).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import type { CameraPort, ClockPort, Frame } from "../../modules/ports.js";
import { createFramePool } from "./frame-pool.js";

export const FFMPEG_MISSING =
  "ffmpeg is not installed; install it (Debian/Ubuntu: sudo apt-get install ffmpeg), or use --camera porch or a folder of .jpg frames";

export interface FfmpegCameraOptions {
  clock: ClockPort;
  /** A video file, or a V4L2 device such as /dev/video0. */
  input: string;
  framePeriodMs?: number;
  /** Output width in pixels; the height keeps the aspect ratio (default 640). */
  width?: number;
  /** Called with ffmpeg's error output when it stops by itself. */
  onError?(message: string): void;
  /** The ffmpeg program (default "ffmpeg" on the PATH). */
  ffmpeg?: string;
}

/** True when `ffmpeg -version` runs. */
export function ffmpegAvailable(ffmpeg = "ffmpeg"): boolean {
  return !spawnSync(ffmpeg, ["-version"], { stdio: "ignore" }).error;
}

/** The ffmpeg arguments that turn `input` into an MJPEG stream on stdout. */
export function ffmpegArgs(input: string, framePeriodMs: number, width: number): string[] {
  const webcam = input.startsWith("/dev/video");
  const source = webcam ? ["-f", "v4l2", "-i", input] : ["-re", "-stream_loop", "-1", "-i", input];
  const fps = (1000 / framePeriodMs).toFixed(3);
  return [
    "-hide_banner",
    "-loglevel",
    "error",
    "-nostdin",
    ...source,
    "-an",
    "-vf",
    `fps=${fps},scale=${width}:-2`,
    "-pix_fmt",
    "yuvj420p",
    "-f",
    "mjpeg",
    "-q:v",
    "5",
    "pipe:1",
  ];
}

/** Splits a byte stream of concatenated JPEGs (SOI ... EOI) into frames. */
export function createMjpegSplitter(onJpeg: (jpeg: Uint8Array) => void): (chunk: Uint8Array) => void {
  let buffer = new Uint8Array(0);
  return (chunk) => {
    const next = new Uint8Array(buffer.length + chunk.length);
    next.set(buffer);
    next.set(chunk, buffer.length);
    buffer = next;
    for (;;) {
      const start = indexOfMarker(buffer, 0xd8, 0);
      if (start < 0) {
        buffer = buffer.subarray(Math.max(0, buffer.length - 1));
        return;
      }
      // Inside entropy-coded data 0xFF is always stuffed (FF 00), so FF D9 is only ever the EOI marker.
      const end = indexOfMarker(buffer, 0xd9, start + 2);
      if (end < 0) {
        buffer = buffer.subarray(start);
        return;
      }
      onJpeg(buffer.slice(start, end + 2));
      buffer = buffer.subarray(end + 2);
    }
  };
}

function indexOfMarker(bytes: Uint8Array, marker: number, from: number): number {
  for (let i = from; i + 1 < bytes.length; i++) if (bytes[i] === 0xff && bytes[i + 1] === marker) return i;
  return -1;
}

export function createFfmpegCamera(options: FfmpegCameraOptions): CameraPort {
  const ffmpeg = options.ffmpeg ?? "ffmpeg";
  if (!ffmpegAvailable(ffmpeg)) throw new Error(FFMPEG_MISSING);
  if (!existsSync(options.input)) throw new Error(`camera ${options.input}: no such file or device`);
  const args = ffmpegArgs(options.input, options.framePeriodMs ?? 200, options.width ?? 640);
  const pool = createFramePool();
  let child: ChildProcess | undefined;
  let onFrame: ((frame: Frame) => void) | undefined;

  const kill = () => {
    const c = child;
    child = undefined;
    c?.kill("SIGKILL");
  };
  const run = () => {
    kill();
    const c = spawn(ffmpeg, args, { stdio: ["ignore", "pipe", "pipe"] });
    child = c;
    let errors = "";
    const split = createMjpegSplitter((jpeg) => {
      const frame = pool.take(jpeg, options.clock.monotonicMs());
      if (frame) onFrame?.(frame);
    });
    c.stdout!.on("data", (chunk: Buffer) => child === c && split(chunk));
    c.stderr!.on("data", (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2000)));
    c.on("exit", (code) => {
      if (child === c) options.onError?.(`ffmpeg stopped (exit ${code}): ${errors.trim() || "no message"}`);
    });
  };
  return {
    start(o) {
      onFrame = o.onFrame;
      run();
    },
    restart: run,
    stop() {
      onFrame = undefined;
      kill();
    },
  };
}
