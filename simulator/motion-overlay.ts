// SPDX-License-Identifier: MIT
// What the page draws over the live camera: the motion cells and the bounding box. It runs the firmware's own
// thumbnail decoder and detector (modules/jpeg, modules/motion) on the same frames the device receives, in the
// simulator's process, so the overlay shows exactly what that code sees on these frames.
import { createThumbnailDecoder } from "../modules/jpeg/thumbnail-decoder.js";
import { createMotionDetector, type MotionParams } from "../modules/motion/detector.js";

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
  /** A frame it treated as a lighting change (or relearning), in which nothing is detected. */
  lighting?: boolean;
}

export interface MotionAnalyzer {
  readonly available: boolean;
  /** One line for the page's legend. */
  readonly description: string;
  /** Runs the detector on one JPEG frame captured at monotonic `atMs`; undefined when the frame cannot be decoded. */
  analyze(jpeg: Uint8Array, atMs: number): MotionOverlay | undefined;
  /** Forgets the background, as after a reboot or a change of camera source. */
  reset(): void;
  /** New privacy zones (the device restarts on them): the detector starts over and ignores them. */
  setZones(zones: MotionParams["zones"]): void;
}

/** The detector with the device's own motion settings; with motion off in the config there is nothing to draw. */
export function createMotionAnalyzer(params: Partial<MotionParams> & { enabled?: boolean } = {}): MotionAnalyzer {
  const { enabled = true, ...detectorParams } = params;
  if (!enabled) {
    return {
      available: false,
      description: "motion detection is off in the device's config",
      analyze: () => undefined,
      reset() {},
      setZones() {},
    };
  }
  const decoder = createThumbnailDecoder();
  let detector = createMotionDetector(detectorParams);
  return {
    available: true,
    description: "the firmware's motion detector, on the same frames",
    analyze(jpeg, atMs) {
      let thumb: ReturnType<typeof decoder.decode>;
      try {
        thumb = decoder.decode(jpeg);
      } catch {
        return undefined;
      }
      const r = detector.process(thumb, atMs);
      const map = detector.foreground();
      const cells: number[] = [];
      for (let i = 0; i < thumb.width * thumb.height; i++) if (map[i]) cells.push(i);
      const box = r.box[2] > 0 ? ([...r.box] as [number, number, number, number]) : undefined;
      return { cols: thumb.width, rows: thumb.height, cells, box, motion: r.active, lighting: r.lighting || undefined };
    },
    reset: () => detector.reset(),
    setZones(zones) {
      detector = createMotionDetector({ ...detectorParams, zones });
    },
  };
}
