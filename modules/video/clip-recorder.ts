// SPDX-License-Identifier: MIT
// Event clips: on a ring or a motion start, the frames of the clip ring from `preRollMs` before the trigger to
// `postMs` after it, sealed as one stream and paced by PUBACKs (at most `maxInFlight` frames unacknowledged).
// Frames wait only in the bounded ring: one evicted before it could be sent, or that cannot be published, is
// dropped and counted, and the count travels in the stream (docs/firmware.md, "Video memory budget").
import type { Logger } from "../logger.js";
import type { ClockPort, TimerHandle, TimerPort } from "../ports.js";
import type { FrameRing, RingFrame } from "./frame-ring.js";
import type { StreamTrigger } from "./stream-format.js";
import type { VideoPublisher, VideoStream } from "./video-publisher.js";

/** Redacts a picture for the privacy zones before sealing; undefined when it must be withheld. */
export type RedactFrame = (jpeg: Uint8Array) => Uint8Array | undefined;

export interface ClipRecorderOptions {
  clock: ClockPort;
  timers: TimerPort;
  log: Logger;
  ring: FrameRing;
  publisher: VideoPublisher;
  redact: RedactFrame;
  preRollMs: number;
  postMs: number;
  /** Clip frames handed to MQTT and not yet acknowledged, at most. */
  maxInFlight: number;
}

export interface ClipStats {
  clips: number;
  framesSent: number;
  /** Frames of clips dropped on the device: evicted unsent, unpublishable (no session), withheld, lost. */
  framesDropped: number;
  /** Motion starts while a clip was running: that clip covers them. */
  triggersCovered: number;
}

export interface ClipRecorder {
  /** A ring or a motion start at monotonic `atMs`, sealed as event `eventSeq` and dated `atWallMs`. */
  trigger(trigger: StreamTrigger, eventSeq: number, atMs: number, atWallMs: number): void;
  /** Sends what the ring holds for the running clip, within the in-flight bound. Call after each ring push. */
  pump(): void;
  /** A clip is running and has frames waiting or in flight: live frames yield to it. */
  readonly busy: boolean;
  readonly stats: Readonly<ClipStats>;
  close(): void;
}

interface Clip {
  trigger: StreamTrigger;
  eventSeq: number;
  atWallMs: number;
  endMs: number;
  /** The next ring id to send. */
  cursor: number;
  stream?: VideoStream;
  /** Frames dropped before the stream existed or after it was lost. */
  dropped: number;
  /** The start turn has come (the event went first): frames are sent (or dropped) from then on. */
  started: boolean;
  /** The stream is opened at the clip's first frame, so a clip with no frame publishes nothing. */
  openTried: boolean;
  /** Inside publisher.open(): a PUBACK may arrive there, and the pump must wait for the stream. */
  opening: boolean;
  /** Called on each PUBACK of the clip's messages. */
  onAck: () => void;
  done: boolean;
  deadline?: TimerHandle;
}

/** Counts a clip frame dropped on the device, in the stream's running count while the stream can still carry it. */
function drop(stats: ClipStats, c: Clip): void {
  stats.framesDropped++;
  if (c.stream && !c.stream.lost) c.stream.dropped++;
  else c.dropped++;
}

/** Ends a clip once: the end marker when asked (and the stream has not ended), then one log line. */
function finish(o: ClipRecorderOptions, c: Clip, endMarker: boolean): void {
  if (c.done) return;
  c.done = true;
  if (endMarker && c.stream && !c.stream.ended && !c.stream.lost) c.stream.send(undefined, o.clock.monotonicMs(), true);
  if (c.deadline) o.timers.clear(c.deadline);
  const dropped = (c.stream?.dropped ?? 0) + c.dropped;
  if (!c.openTried) o.log.info("clip done: no frame in its time; nothing sent", { trigger: c.trigger });
  else o.log.info("clip done", { stream: c.stream?.id, trigger: c.trigger, sent: c.stream?.framesSent ?? 0, dropped });
}

/** Opens the clip's stream (its open message, QoS 1) before its first frame; frames dropped so far go into it. */
function openStream(o: ClipRecorderOptions, c: Clip): void {
  c.openTried = true;
  c.opening = true;
  const meta = { triggerMs: c.atWallMs, startMs: o.clock.wallMs() };
  c.stream = o.publisher.open({ kind: "clip", trigger: c.trigger, eventSeq: c.eventSeq, ...meta }, 1, c.onAck);
  c.opening = false;
  if (c.stream) [c.stream.dropped, c.dropped] = [c.dropped, 0];
  else o.log.warn("clip not sent: no broker session or owner key; its frames are dropped and counted");
}

/** Redacts, seals and publishes one ring frame of the clip, or drops it (counted); the clip's last when `last`. */
function sendOne(o: ClipRecorderOptions, stats: ClipStats, c: Clip, frame: RingFrame, last: boolean): void {
  const stream = c.stream;
  if (!stream) return drop(stats, c);
  // A frame the stream cannot send is counted in the stream's own dropped count (VideoStream.send). It is
  // dropped before redaction, the costly step: a backlog met by a lost session is skipped in little work,
  // not redacted frame by frame in one turn (which ended the XS simulator's firmware on its compute limit).
  const redacted = stream.sendable ? o.redact(frame.jpeg) : undefined;
  if (stream.sendable && !redacted) return drop(stats, c);
  if (stream.send(redacted, frame.capturedAtMs, last)) stats.framesSent++;
  else stats.framesDropped++;
}

/** Sends what the ring holds for clip `c`, within the in-flight bound, and finishes it at its end. */
function pumpClip(o: ClipRecorderOptions, stats: ClipStats, c: Clip): void {
  const { ring } = o;
  const now = o.clock.monotonicMs();
  // Bounded by the frames between the cursor and the newest: each pass sends, drops or stops.
  for (let guard = ring.nextId - c.cursor + 1; guard > 0 && !c.done; guard--) {
    if (c.stream && c.stream.inFlight >= o.maxInFlight) return;
    if (c.cursor >= ring.nextId) return now >= c.endMs ? finish(o, c, true) : undefined;
    const f = ring.get(c.cursor);
    c.cursor++;
    if (!f) {
      drop(stats, c); // evicted before it could be sent
      continue;
    }
    if (f.capturedAtMs > c.endMs) return finish(o, c, true);
    if (!c.openTried) {
      openStream(o, c);
      if (c.stream && c.stream.inFlight >= o.maxInFlight) {
        c.cursor--; // the open message took the room: this frame goes on its PUBACK
        return;
      }
    }
    const next = c.cursor < ring.nextId ? ring.get(c.cursor) : undefined;
    const last = next ? next.capturedAtMs > c.endMs : now >= c.endMs;
    sendOne(o, stats, c, f, last);
    if (last) finish(o, c, !c.stream?.ended);
  }
}

export function createClipRecorder(o: ClipRecorderOptions): ClipRecorder {
  const { ring } = o;
  const stats: ClipStats = { clips: 0, framesSent: 0, framesDropped: 0, triggersCovered: 0 };
  let clip: Clip | undefined;
  let starting: TimerHandle | undefined;

  const pump = () => {
    if (clip?.started && !clip.opening) pumpClip(o, stats, clip);
    if (clip?.done) clip = undefined;
  };

  const start = (c: Clip) => {
    starting = undefined;
    if (clip !== c) return;
    c.started = true;
    c.deadline = o.timers.set(pump, Math.max(0, c.endMs - o.clock.monotonicMs()));
    pump();
  };

  return {
    trigger(trigger, eventSeq, atMs, atWallMs) {
      if (clip && trigger === "motion") {
        stats.triggersCovered++;
        return;
      }
      if (clip) finish(o, clip, true); // a ring ends the running clip and starts its own
      if (starting) o.timers.clear(starting);
      stats.clips++;
      const cursor = ring.firstAtOrAfter(atMs - o.preRollMs) ?? ring.nextId;
      const c: Clip = {
        trigger,
        eventSeq,
        atWallMs,
        endMs: atMs + o.postMs,
        cursor,
        dropped: 0,
        started: false,
        openTried: false,
        opening: false,
        onAck: pump,
        done: false,
      };
      clip = c;
      // Next turn: the event's own publish goes first, and the seal-ahead has made the next KEM by then.
      starting = o.timers.set(() => start(c), 0);
    },
    pump,
    get busy() {
      return clip !== undefined && (clip.cursor < ring.nextId || (clip.stream?.inFlight ?? 0) > 0);
    },
    stats,
    close() {
      if (starting) o.timers.clear(starting);
      if (clip?.deadline) o.timers.clear(clip.deadline);
      clip = undefined;
    },
  };
}
