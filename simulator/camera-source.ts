// SPDX-License-Identifier: MIT
// The `--camera` sources: the built-in porch scene (day or night), a folder of JPEG frames, or a video file
// or webcam through ffmpeg. Parses the flag's value and builds the camera behind the device's socket.
import { existsSync, statSync } from "node:fs";
import type { CameraPort, ClockPort } from "../modules/ports.js";
import { createFfmpegCamera } from "../hosts/node/ffmpeg-camera.js";
import { createFolderCamera, listJpegFrames } from "../hosts/node/folder-camera.js";
import { createSyntheticCamera } from "../hosts/node/synthetic-camera.js";
import type { Light, PorchScene } from "./scene/porch-scene.js";

export type CameraSpec =
  | { kind: "porch"; light: Light }
  | { kind: "folder"; dir: string; loop: boolean; from?: number; count?: number }
  | { kind: "ffmpeg"; input: string };

export const CAMERA_HELP =
  "porch (the built-in scene, day), porch:night, a folder of .jpg frames, a video file, or webcam (= /dev/video0) / /dev/videoN";

/** Parses `--camera`; the error names what is accepted. Checks that a folder holds frames. */
export function parseCameraSpec(value: string): CameraSpec {
  if (value === "porch" || value === "porch:day") return { kind: "porch", light: "day" };
  if (value === "porch:night") return { kind: "porch", light: "night" };
  if (value === "webcam") return { kind: "ffmpeg", input: "/dev/video0" };
  if (value.startsWith("/dev/video")) return { kind: "ffmpeg", input: value };
  if (!existsSync(value)) throw new Error(`--camera ${value}: no such file or folder; expected ${CAMERA_HELP}`);
  if (statSync(value).isDirectory()) {
    listJpegFrames(value);
    return { kind: "folder", dir: value, loop: true };
  }
  return { kind: "ffmpeg", input: value };
}

/** A short description for the page and the logs. */
export function describeCamera(spec: CameraSpec): string {
  switch (spec.kind) {
    case "porch":
      return `porch scene (${spec.light})`;
    case "folder":
      return `frames from ${spec.dir}${spec.loop ? ", looping" : ""}`;
    case "ffmpeg":
      return spec.input.startsWith("/dev/video") ? `webcam ${spec.input} (ffmpeg)` : `video ${spec.input} (ffmpeg)`;
  }
}

export interface CameraBuildOptions {
  clock: ClockPort;
  framePeriodMs: number;
  /** The porch scene's frame size; default 640x480. */
  width?: number;
  height?: number;
  /** The porch scene to render, for a porch spec. */
  scene: PorchScene;
  onError(message: string): void;
}

/** Builds the camera for `spec`; throws a clear error when it cannot (ffmpeg missing, no frames). */
export function createCamera(spec: CameraSpec, o: CameraBuildOptions): CameraPort {
  switch (spec.kind) {
    case "porch":
      o.scene.light = spec.light;
      return createSyntheticCamera({
        clock: o.clock,
        width: o.width ?? 640,
        height: o.height ?? 480,
        framePeriodMs: o.framePeriodMs,
        render: o.scene.render,
      });
    case "folder":
      return createFolderCamera({
        clock: o.clock,
        dir: spec.dir,
        framePeriodMs: o.framePeriodMs,
        loop: spec.loop,
        from: spec.from,
        count: spec.count,
      });
    case "ffmpeg":
      return createFfmpegCamera({
        clock: o.clock,
        input: spec.input,
        framePeriodMs: o.framePeriodMs,
        onError: o.onError,
      });
  }
}
