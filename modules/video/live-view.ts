// SPDX-License-Identifier: MIT
// Live view on the owner's demand: one sealed stream while it runs, frames at `fps` (QoS 0: a late frame is
// worthless), a bounded duration the owner renews with another start, and a stop. Live frames yield to clips:
// while a clip has frames waiting, live frames are skipped and counted in the stream's dropped count.
import type { Logger } from "../logger.js";
import type { ClockPort, Frame, MqttPort, TimerHandle, TimerPort } from "../ports.js";
import type { RedactFrame } from "./clip-recorder.js";
import type { VideoPublisher, VideoStream } from "./video-publisher.js";

export interface LiveViewOptions {
  clock: ClockPort;
  timers: TimerPort;
  mqtt: Pick<MqttPort, "connected">;
  log: Logger;
  publisher: VideoPublisher;
  redact: RedactFrame;
  /** Live frames per second, at most. */
  fps: number;
}

export interface LiveViewStats {
  starts: number;
  renewals: number;
  stops: number;
  framesSent: number;
  framesDropped: number;
  /** Streams opened again after the previous one was lost (a broker restart during the view). */
  reopened: number;
}

export interface LiveView {
  /** Starts for `seconds`, or renews the running view to `seconds` from now (the same stream). */
  start(seconds: number): void;
  /** Ends the view now: the stream's end marker goes out. */
  stop(reason: string): void;
  /** One camera frame; `yieldToClip` when a clip has frames waiting. */
  frame(frame: Frame, yieldToClip: boolean): void;
  readonly running: boolean;
  /** The running stream's id (16 hex digits), if one is open. */
  readonly streamId: string | undefined;
  readonly stats: Readonly<LiveViewStats>;
  close(): void;
}

/** A frame counts for the fps budget when at least this share of the period has passed (capture jitter). */
const PERIOD_SHARE = 0.75;

export function createLiveView(o: LiveViewOptions): LiveView {
  const { log } = o;
  const periodMs = 1000 / o.fps;
  const stats: LiveViewStats = { starts: 0, renewals: 0, stops: 0, framesSent: 0, framesDropped: 0, reopened: 0 };
  let running = false;
  let stream: VideoStream | undefined;
  let expiry: TimerHandle | undefined;
  let lastSentAtMs = -Infinity;
  let droppedBeforeStream = 0;

  /** Opens the live stream; frames dropped while there was none are carried into its count. */
  const openStream = () => {
    stream = o.publisher.open({ kind: "live", startMs: o.clock.wallMs() }, 0);
    if (stream) [stream.dropped, droppedBeforeStream] = [droppedBeforeStream, 0];
  };
  const drop = () => {
    stats.framesDropped++;
    if (stream && !stream.lost) stream.dropped++;
    else droppedBeforeStream++;
  };

  const stop = (reason: string) => {
    if (!running) return;
    running = false;
    stats.stops++;
    if (expiry) o.timers.clear(expiry);
    expiry = undefined;
    if (stream && !stream.lost) stream.send(undefined, o.clock.monotonicMs(), true);
    log.info("live view stopped", { stream: stream?.id, reason, sent: stats.framesSent, dropped: stats.framesDropped });
    stream = undefined;
  };

  return {
    start(seconds) {
      if (expiry) o.timers.clear(expiry);
      expiry = o.timers.set(() => stop("expired"), seconds * 1000);
      if (running) {
        stats.renewals++;
        log.info("live view renewed", { stream: stream?.id, seconds });
        return;
      }
      running = true;
      stats.starts++;
      droppedBeforeStream = 0;
      lastSentAtMs = -Infinity;
      openStream();
      log.info("live view started", { stream: stream?.id, seconds });
    },
    stop,
    frame(frame, yieldToClip) {
      if (!running || frame.capturedAtMs - lastSentAtMs < periodMs * PERIOD_SHARE) return;
      lastSentAtMs = frame.capturedAtMs;
      if ((!stream || stream.lost) && o.mqtt.connected) {
        if (stream) stats.reopened++;
        openStream();
      }
      // Priority: a clip's frames first; and QoS 0 frames are not queued behind one still being written.
      if (yieldToClip || !stream || stream.lost || stream.inFlight > 1) return drop();
      const jpeg = o.redact(frame.jpeg);
      if (!jpeg) return drop();
      if (stream.send(jpeg, frame.capturedAtMs, false)) stats.framesSent++;
      else stats.framesDropped++;
    },
    get running() {
      return running;
    },
    get streamId() {
      return stream?.id;
    },
    stats,
    close() {
      if (expiry) o.timers.clear(expiry);
      expiry = undefined;
      running = false;
      stream = undefined;
    },
  };
}
