// SPDX-License-Identifier: MIT
// The camera port over Moddable's `embedded:io/image/in/camera`: sensor-side JPEG, frames handed out
// zero-copy from PSRAM ("buffer/disposable"). Needs PSRAM; the driver has 3 frame buffers, so the
// firmware may hold at most 2 frames, and must copy anything it keeps longer than a few frames.
// The XCLK uses LEDC timer 0 / channel 0: nothing else may use that PWM channel.
import Camera, { type DisposableFrame } from "embedded:io/image/in/camera";
import type { CameraPort, ClockPort, Frame, LogPort } from "../../modules/ports.js";
import { describeError } from "./guard.js";

const TAG = "camera";

export interface Esp32CameraOptions {
  /** Requested width in pixels; the sensor picks the smallest frame size at least this wide. Default 640. */
  width?: number;
  /** Requested height in pixels. Default 480 (VGA, an 80x60 DC thumbnail). */
  height?: number;
  /** Stamps each frame. */
  clock: ClockPort;
  log: LogPort;
}

/** Wraps one disposable frame; `release()` closes it exactly once. */
function wrapFrame(buffer: DisposableFrame, capturedAtMs: number, log: LogPort): Frame {
  let held = true;
  return {
    jpeg: new Uint8Array(buffer),
    capturedAtMs,
    release() {
      if (!held) return;
      held = false;
      try {
        buffer.close();
      } catch (error) {
        log.write("warn", TAG, `frame release failed: ${describeError(error)}`);
      }
    },
  };
}

/**
 * Creates the camera port; the sensor is initialised by `start()`, never at import.
 * - Frames reach `onFrame` oldest first: every ready frame is drained in one callback.
 * - A frame whose `onFrame` threw is released by the host (its `jpeg` becomes empty), so a failing
 *   firmware cannot hold the driver's 3 buffers and stall capture.
 * - `capturedAtMs` is when the host read the frame, at most one frame period after exposure
 *   (later when the event loop was busy).
 * - `stop()` and `restart()` detach frames the firmware still holds: their `jpeg` becomes empty
 *   and `release()` does nothing.
 * - A failed sensor init is logged, not thrown, so the doorbell keeps ringing; `restart()` retries.
 */
export function createEsp32Camera(options: Esp32CameraOptions): CameraPort {
  const { clock, log } = options;
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  let camera: Camera<"buffer/disposable"> | undefined;
  let onFrame: ((frame: Frame) => void) | undefined;

  const drain = (source: Camera<"buffer/disposable">) => {
    while (source === camera) {
      const buffer = source.read();
      if (buffer === undefined) return;
      const frame = wrapFrame(buffer, clock.monotonicMs(), log);
      const deliver = onFrame;
      if (!deliver) {
        frame.release();
        continue;
      }
      try {
        deliver(frame);
      } catch (error) {
        // A firmware that threw may never release it: close it here, or three such frames stall the driver.
        log.write("error", TAG, `onFrame threw: ${describeError(error)}; frame released`);
        frame.release();
      }
    }
  };

  const open = () => {
    let created: Camera<"buffer/disposable"> | undefined;
    try {
      const sensor: Camera<"buffer/disposable"> = new Camera({
        width,
        height,
        imageType: "jpeg",
        format: "buffer/disposable",
        onReadable: () => drain(sensor),
      });
      created = sensor;
      sensor.start();
      camera = sensor;
      log.write("info", TAG, `capturing ${sensor.width}x${sensor.height} jpeg`);
    } catch (error) {
      camera = undefined;
      try {
        created?.close();
      } catch {
        // the sensor is unusable either way; the first error is the one worth reporting
      }
      log.write(
        "error",
        TAG,
        `sensor init failed (${describeError(error)}); check the ribbon cable and PSRAM; restart() retries`,
      );
    }
  };

  const close = () => {
    const current = camera;
    camera = undefined;
    if (!current) return;
    // stop() first: it detaches held frames, so their close() is a no-op instead of a throw.
    try {
      current.stop();
    } catch (error) {
      log.write("warn", TAG, `stop failed: ${describeError(error)}`);
    }
    try {
      current.close();
    } catch (error) {
      log.write("warn", TAG, `close failed: ${describeError(error)}`);
    }
  };

  return {
    start(startOptions) {
      onFrame = startOptions.onFrame;
      if (!camera) open();
    },
    restart() {
      log.write("warn", TAG, "restarting the sensor");
      close();
      if (onFrame) open();
    },
    stop() {
      close();
      onFrame = undefined;
    },
  };
}
