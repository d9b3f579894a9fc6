// SPDX-License-Identifier: MIT
// What feeds the live view in the video bench: something that acts as the device does on `live-view start`/`stop`
// and hands opened frames to a FrameSink. Pluggable: the default runs the firmware on XS and opens its sealed frames
// (xs-live-producer.ts); the synthetic one below, on Node alone, skips the firmware and the opener (--producer synthetic).
import { randomBytes } from "node:crypto";
import type { FrameSink } from "../../bridge/video/opened-frame.js";
import type { LiveViewRequest } from "../../modules/commands.js";

export interface LiveProducer {
  /** What produces the frames, for the report. */
  readonly name: string;
  /** The live-view command, as the device would get it. */
  command(live: LiveViewRequest): void;
  /** Frames handed to the sink so far. */
  readonly frames: number;
  /** Resolves once the producer can take a command (a device booted); the run's clients connect after it. */
  readonly ready?: Promise<void>;
  close(): void | Promise<void>;
}

export type LiveProducerFactory = (o: { sink: FrameSink; deviceId: string; fps: number }) => LiveProducer;

/**
 * A camera at `fps` handing the given JPEGs round-robin, stamped with the capture time (this machine's clock, as the
 * bridge's: the delay measured is the bridge's and HTTP's, not a clock offset). Starts on `start`, stops on `stop`
 * or when the asked seconds run out, ending the stream as the opener would.
 */
export function syntheticLiveProducer(jpegs: readonly Uint8Array[]): LiveProducerFactory {
  return ({ sink, deviceId, fps }) => {
    const periodMs = 1000 / fps;
    let timer: NodeJS.Timeout | undefined;
    let streamId = "";
    let index = 0;
    let frames = 0;
    let startedAt = 0;
    let untilMs = 0;
    const stop = () => {
      if (!timer) return;
      clearTimeout(timer);
      timer = undefined;
      sink.streamEnded({
        deviceId,
        streamId,
        kind: "live",
        frames: index,
        complete: true,
        gaps: 0,
        refused: {},
        droppedOnDevice: 0,
      });
    };
    const tick = () => {
      const now = Date.now();
      if (now >= untilMs) return stop();
      const last = now + periodMs >= untilMs;
      sink.frame({
        deviceId,
        streamId,
        kind: "live",
        index,
        captureMs: now,
        last,
        jpeg: jpegs[index % jpegs.length],
        openedAtMs: now,
      });
      index++;
      frames++;
      const next = startedAt + index * periodMs; // no drift: the schedule follows the camera's clock
      timer = setTimeout(tick, Math.max(0, next - performance.now()));
    };
    return {
      name: "synthetic camera on Node",
      command(live) {
        if (live.action === "stop") return stop();
        untilMs = Date.now() + live.seconds * 1000;
        if (timer) return; // a renew
        streamId = randomBytes(8).toString("hex");
        index = 0;
        startedAt = performance.now();
        tick();
      },
      get frames() {
        return frames;
      },
      close: stop,
    };
  };
}
