// SPDX-License-Identifier: MIT
// What the page draws over the live camera: the motion cells and the box, as the firmware judged each frame.
// The device reports its verdict on every frame it processed (the host's motionView port: over the XS bridge as
// "motion.verdict", directly on Node); nothing here runs a detector of its own.
import type { MotionVerdict } from "../modules/ports.js";

export interface MotionOverlay {
  /** Grid size in cells: the DC thumbnail, one cell per 8x8 block of the frame. */
  cols: number;
  rows: number;
  /** Indices (row * cols + col) of the cells where motion is seen in this frame. */
  cells: number[];
  /** The bounding box of the motion in frame pixels [x, y, w, h], when there is some. */
  box?: [number, number, number, number];
  /** The detector's state: motion on (between its start and end events). */
  motion: boolean;
  /** A frame it treated as a lighting change (a step, settling, a ramp or relearning). */
  lighting?: boolean;
  /** The firmware's lighting state for this frame (steady, step, settling, ramp, relearning). */
  light: string;
}

/** The page's overlay of one firmware verdict (copied: the verdict's cell map is valid only during the call). */
export function overlayFromVerdict(v: MotionVerdict): MotionOverlay {
  const cells: number[] = [];
  const n = Math.min(v.cells.length, v.cols * v.rows);
  for (let i = 0; i < n; i++) if (v.cells[i]) cells.push(i);
  const box = v.box[2] > 0 ? ([v.box[0], v.box[1], v.box[2], v.box[3]] as [number, number, number, number]) : undefined;
  return {
    cols: v.cols,
    rows: v.rows,
    cells,
    box,
    motion: v.active,
    lighting: v.light !== "steady" || undefined,
    light: v.light,
  };
}

/** The status line's description of where the overlay comes from. */
export function overlaySource(motionEnabled: boolean): string {
  return motionEnabled
    ? "the firmware's own motion verdict, reported by the device for each frame"
    : "motion detection is off in the device's config";
}
