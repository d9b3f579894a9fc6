// SPDX-License-Identifier: MIT
// Camera frames -> DC thumbnail -> motion detector -> events: a motion start publishes motion_start with the
// frame that started it and the motion box, the end motion_end with the event's whole box and the frame then.
// A frame that does not decode is counted and skipped; the doorbell keeps ringing whatever the camera sends.
import { toHex } from "./bytes.js";
import type { Config } from "./config.js";
import type { EventType } from "./events.js";
import { JpegError } from "./jpeg/jpeg-error.js";
import type { ThumbnailDecoder } from "./jpeg/thumbnail-decoder.js";
import type { Logger } from "./logger.js";
import { createMotionDetector, type MotionDetector, type MotionResult } from "./motion/detector.js";
import type { ClockPort, CryptoPort, Frame, MotionViewPort } from "./ports.js";
import type { DraftEvent, EmitEvent } from "./ring-flow.js";

export interface MotionFlowOptions {
  clock: ClockPort;
  crypto: Pick<CryptoPort, "randomBytes">;
  log: Logger;
  deviceId: string;
  /** The config's motion section (`enabled` is the caller's business). */
  params: Config["motion"];
  /** The privacy zones (`privacy.zones`): the detector never looks at the cells they touch. */
  zones: Config["privacy"]["zones"];
  /** Native C on the device (host.thumbnails), the TypeScript decoder elsewhere. */
  decoder: ThumbnailDecoder;
  /** Hands the event and its JPEG (valid only during the call) to sealing and delivery. */
  emit: EmitEvent;
  /** Shown each frame's verdict (the host's motionView: the simulator's overlay), when there is one. */
  view?: MotionViewPort;
}

export interface MotionFlowStats {
  frames: number;
  /** Frames that were not decodable baseline JPEG (each a JpegError). */
  undecodable: number;
  lightingEvents: number;
  starts: number;
  ends: number;
}

export interface MotionFlow {
  /** One camera frame, in capture order; runs synchronously and keeps nothing of the frame. */
  frame(frame: Frame): void;
  /** Motion is on: started and not yet ended. */
  readonly active: boolean;
  /** The detector's latest verdict (for the simulator's overlay). */
  readonly last: MotionResult | undefined;
  readonly detector: MotionDetector;
  readonly stats: MotionFlowStats;
}

/** Undecodable frames are logged once, then every this many. */
const LOG_EVERY_UNDECODABLE = 1000;

export function createMotionFlow(o: MotionFlowOptions): MotionFlow {
  const { enabled: _enabled, ...params } = o.params;
  const detector = createMotionDetector({ ...params, zones: o.zones });
  const stats: MotionFlowStats = { frames: 0, undecodable: 0, lightingEvents: 0, starts: 0, ends: 0 };
  let last: MotionResult | undefined;

  const wallAt = (monoMs: number) => o.clock.wallMs() - (o.clock.monotonicMs() - monoMs);
  const draft = (type: EventType, atMs: number, box: readonly number[], r: MotionResult): DraftEvent => ({
    v: 1,
    type,
    id: toHex(o.crypto.randomBytes(8)),
    device: o.deviceId,
    atMs: wallAt(atMs),
    frameAgeMs: 0,
    box: [box[0], box[1], box[2], box[3]],
    motion: { cells: r.foregroundCells, areaPct: r.areaPct, light: r.light, gain: Math.round(r.gain * 100) / 100 },
  });

  return {
    frame(frame) {
      stats.frames++;
      let result: MotionResult;
      let cols: number, rows: number;
      try {
        const thumbnail = o.decoder.decode(frame.jpeg);
        cols = thumbnail.width;
        rows = thumbnail.height;
        result = detector.process(thumbnail, frame.capturedAtMs);
      } catch (error) {
        if (!(error instanceof JpegError)) throw error;
        if (stats.undecodable++ % LOG_EVERY_UNDECODABLE === 0) {
          o.log.warn("frame skipped: not a decodable baseline JPEG", {
            code: error.code,
            size: frame.jpeg.length,
            skipped: stats.undecodable,
          });
        }
        return;
      }
      last = result;
      if (o.view) {
        o.view.verdict({
          capturedAtMs: frame.capturedAtMs,
          cols,
          rows,
          cells: detector.foreground(),
          box: result.box,
          active: result.active,
          light: result.light,
        });
      }
      stats.lightingEvents = detector.stats.lightingEvents;
      if (result.event === "start") {
        stats.starts++;
        const h = draft("motion_start", frame.capturedAtMs, result.box, result);
        o.log.info("motion start", {
          id: h.id,
          x: h.box![0],
          y: h.box![1],
          w: h.box![2],
          h: h.box![3],
          cells: result.foregroundCells,
          light: result.light,
        });
        o.emit(h, frame.jpeg);
      } else if (result.event === "end") {
        stats.ends++;
        const h = draft("motion_end", frame.capturedAtMs, result.eventBox, result);
        o.log.info("motion end", { id: h.id });
        o.emit(h, frame.jpeg);
      }
    },
    get active() {
      return last?.active ?? false;
    },
    get last() {
      return last;
    },
    detector,
    stats,
  };
}
