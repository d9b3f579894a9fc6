// SPDX-License-Identifier: MIT
// Restarts a stalled camera: when no frame has arrived for `stallS`, the camera is re-initialised, with a log
// line and a counter. The OV2640 driver can stop delivering after a brown-out or an SCCB glitch.
import type { Logger } from "./logger.js";
import type { CameraPort, ClockPort, TimerHandle, TimerPort } from "./ports.js";

export interface CameraWatchdog {
  /** Call for every frame. */
  frame(): void;
  readonly restarts: number;
  close(): void;
}

export function createCameraWatchdog(o: {
  camera: CameraPort;
  clock: ClockPort;
  timers: TimerPort;
  log: Logger;
  stallS: number;
}): CameraWatchdog {
  let lastFrameMs = o.clock.monotonicMs();
  let restarts = 0;
  let timer: TimerHandle | undefined;
  const periodMs = o.stallS * 1000;

  function check(): void {
    const quietMs = o.clock.monotonicMs() - lastFrameMs;
    if (quietMs >= periodMs) {
      restarts++;
      o.log.warn("camera stalled; re-initialising", { quietMs, restarts });
      lastFrameMs = o.clock.monotonicMs(); // give the restarted camera a full period
      o.camera.restart();
      timer = o.timers.set(check, periodMs);
    } else {
      timer = o.timers.set(check, periodMs - quietMs);
    }
  }

  if (periodMs > 0) timer = o.timers.set(check, periodMs);
  return {
    frame() {
      lastFrameMs = o.clock.monotonicMs();
    },
    get restarts() {
      return restarts;
    },
    close() {
      if (timer) o.timers.clear(timer);
      timer = undefined;
    },
  };
}
