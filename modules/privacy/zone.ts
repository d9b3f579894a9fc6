// SPDX-License-Identifier: MIT
// A privacy zone: a part of the picture that is never transmitted, stored or shown. In image pixels, origin
// top left. The same zones drive the redaction of every picture and the motion detector's mask.

/** A rectangle: pixels with x <= px < x + width and y <= py < y + height. */
export interface RectZone {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A polygon of [x, y] vertices: a pixel is inside when its centre (px + 0.5, py + 0.5) is (even-odd rule). */
export interface PolygonZone {
  polygon: [number, number][];
}

export type Zone = RectZone | PolygonZone;
