// SPDX-License-Identifier: MIT
// The simulated device's camera socket: the firmware sees one camera, while the simulator can swap the
// source behind it (the porch scene, a folder of frames, ffmpeg) and watch every frame on its way in.
import type { CameraPort, Frame } from "../../modules/ports.js";
import { createFramePool } from "./frame-pool.js";

export interface CameraSwitch extends CameraPort {
  /** Puts `camera` behind the socket; a running capture moves over to it. The old source is stopped. */
  use(camera: CameraPort): void;
  readonly running: boolean;
  /** Frames dropped because the firmware still held every buffer. */
  readonly dropped: number;
}

export interface CameraSwitchOptions {
  initial: CameraPort;
  /** Sees each frame before the firmware does; must not keep `frame.jpeg` past the call (copy it). */
  onTap?(frame: Frame): void;
  /** Frames the firmware may hold at once; more are dropped, as by the ESP32 driver (default 3). */
  buffers?: number;
}

export function createCameraSwitch(options: CameraSwitchOptions): CameraSwitch {
  let current = options.initial;
  let onFrame: ((frame: Frame) => void) | undefined;
  const pool = createFramePool(options.buffers ?? 3);
  const forward = (frame: Frame) => {
    options.onTap?.(frame);
    const slot = onFrame && pool.take(frame.jpeg, frame.capturedAtMs);
    if (!onFrame || !slot) {
      frame.release();
      return;
    }
    onFrame({
      jpeg: frame.jpeg,
      capturedAtMs: frame.capturedAtMs,
      release() {
        slot.release();
        frame.release();
      },
    });
  };
  return {
    use(camera) {
      if (camera === current) return;
      if (onFrame) current.stop();
      current = camera;
      if (onFrame) current.start({ onFrame: forward });
    },
    start(o) {
      onFrame = o.onFrame;
      current.start({ onFrame: forward });
    },
    restart: () => current.restart(),
    stop() {
      onFrame = undefined;
      current.stop();
    },
    get running() {
      return onFrame !== undefined;
    },
    get dropped() {
      return pool.dropped;
    },
  };
}
