// SPDX-License-Identifier: MIT
// The camera's frame buffers, as the ESP32 driver has them: a fixed number of frames can be out at once,
// and a frame captured while none is free is dropped (the driver's FB-OVF) instead of piling up.
import type { Frame } from "../../modules/ports.js";

export interface FramePool {
  /** Hands `jpeg` out as a frame, or returns undefined (and counts a drop) when every buffer is taken. */
  take(jpeg: Uint8Array, capturedAtMs: number): Frame | undefined;
  readonly outstanding: number;
  readonly dropped: number;
}

/** `buffers` frames at most may be unreleased at once (the ESP32 camera driver has three). */
export function createFramePool(buffers = 3): FramePool {
  let outstanding = 0;
  let dropped = 0;
  return {
    take(jpeg, capturedAtMs) {
      if (outstanding >= buffers) {
        dropped++;
        return undefined;
      }
      outstanding++;
      let released = false;
      return {
        jpeg,
        capturedAtMs,
        release() {
          if (!released) outstanding--;
          released = true;
        },
      };
    },
    get outstanding() {
      return outstanding;
    },
    get dropped() {
      return dropped;
    },
  };
}
