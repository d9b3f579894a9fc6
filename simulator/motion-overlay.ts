// SPDX-License-Identifier: MIT
// What the page draws over the live camera: the motion cells and the bounding box. It runs the firmware's own
// detector (modules/motion) on the same frames the device receives, in the simulator's process, so the
// overlay shows exactly what that code sees. Builds without the detector report it as unavailable.

export interface MotionOverlay {
  /** Grid size in cells. */
  cols: number;
  rows: number;
  /** Indices (row * cols + col) of the active cells. */
  cells: number[];
  /** The bounding box of the motion in frame pixels [x, y, w, h], when there is motion. */
  box?: [number, number, number, number];
  /** The detector's verdict for this frame. */
  motion: boolean;
  /** A frame it treated as a lighting change rather than motion. */
  lighting?: boolean;
}

export interface MotionAnalyzer {
  readonly available: boolean;
  /** One line for the page's legend. */
  readonly description: string;
  /** Runs the detector on one JPEG frame; undefined when it cannot (no detector, undecodable frame). */
  analyze(jpeg: Uint8Array): MotionOverlay | undefined;
  /** Forgets the background, as after a reboot or a change of camera source. */
  reset(): void;
}

export function createMotionAnalyzer(): MotionAnalyzer {
  return {
    available: false,
    description: "motion detector not in this build",
    analyze: () => undefined,
    reset() {},
  };
}
