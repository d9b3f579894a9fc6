// SPDX-License-Identifier: MIT
// The privacy mask: the privacy zones (modules/privacy/zone.ts) rasterised onto the thumbnail grid with the
// redactor's cell rule: a cell is masked when any of its 8x8 pixels is inside a rectangle (x <= px < x + width)
// or has its centre inside a polygon (even-odd rule per polygon), so a mask never leaks a sliver of what it
// covers. Masked cells take no part in any statistic of the detector.
import type { Zone } from "../privacy/zone.js";
import { markZoneCells } from "../privacy/zone-cells.js";

/** A polygon of at least three [x, y] vertices in frame pixels (0,0 = top-left corner of the frame). */
export type Polygon = ReadonlyArray<readonly [number, number]>;

/**
 * Fills `masked` (width x height cells, 1 = masked) for a frame of `frameWidth` x `frameHeight` pixels whose
 * 8x8 blocks are the cells, with the redactor's own rule (modules/privacy/zone-cells.ts), so the detector
 * ignores exactly the blocks the pictures blank. Returns the number of masked cells.
 */
export function rasterizeMask(
  zones: readonly Zone[],
  frameWidth: number,
  frameHeight: number,
  width: number,
  height: number,
  masked: Uint8Array,
): number {
  return markZoneCells(zones, frameWidth, frameHeight, { widthCells: width, heightCells: height, cells: masked });
}
