// SPDX-License-Identifier: MIT
// A clip whose session is lost drops its backlog without redacting it. Redaction is the costly step of a clip
// frame; redacting every waiting frame in one turn, only to drop it, ended the simulator's XS firmware on its
// compute limit after a restart during a clip. Runs under Node and inside XS.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createLogger } from "../../modules/logger.js";
import type { TimerHandle } from "../../modules/ports.js";
import { createClipRecorder } from "../../modules/video/clip-recorder.js";
import { createFrameRing } from "../../modules/video/frame-ring.js";
import type { StreamMeta } from "../../modules/video/stream-format.js";
import type { VideoPublisher, VideoStream } from "../../modules/video/video-publisher.js";

/** A clip recorder over a ring of `frames` frames, 100 ms apart, with a publisher whose session can be cut. */
function backlog(frames: number) {
  let now = 0;
  const due: { fn: () => void; handle: TimerHandle }[] = [];
  const ring = createFrameRing({ capacityBytes: 64 * 1024, maxFrames: 64 });
  for (let i = 0; i < frames; i++) ring.push(new Uint8Array([0xff, 0xd8, i & 0xff, 0xff, 0xd9]), (now = i * 100));
  const session = { up: true, sent: 0, redacted: 0 };
  const publisher: VideoPublisher = {
    open(meta: StreamMeta): VideoStream {
      let lost = false;
      const stream: VideoStream = {
        id: "00000000000000aa",
        meta,
        inFlight: 0,
        get lost() {
          return lost;
        },
        ended: false,
        get sendable() {
          return !lost && session.up;
        },
        dropped: 0,
        get framesSent() {
          return session.sent;
        },
        send(jpeg) {
          if (lost || !session.up || !jpeg) {
            lost = true;
            stream.dropped++;
            return false;
          }
          session.sent++;
          return true;
        },
      };
      return stream;
    },
  };
  const recorder = createClipRecorder({
    clock: { monotonicMs: () => now, wallMs: () => 1_800_000_000_000 + now },
    timers: {
      set(fn) {
        const handle = {} as TimerHandle;
        due.push({ fn, handle });
        return handle;
      },
      clear(handle) {
        const i = due.findIndex((d) => d.handle === handle);
        if (i >= 0) due.splice(i, 1);
      },
    },
    log: createLogger({ write() {} }, "video"),
    ring,
    publisher,
    redact: (jpeg) => {
      session.redacted++;
      return jpeg;
    },
    preRollMs: frames * 100,
    postMs: 10_000,
    maxInFlight: 1_000,
  });
  const runTimers = () => {
    for (let guard = 0; guard < 100 && due.length; guard++) due.shift()!.fn();
  };
  return { ring, recorder, session, runTimers };
}

describe("a clip's backlog when the session is lost", () => {
  test("with the session up, each frame of the backlog is redacted and sent (the control)", () => {
    const b = backlog(40);
    b.recorder.trigger("ring", 7, 3_900, 1_800_000_003_900);
    b.runTimers();
    assert.equal(b.session.sent, 40);
    assert.equal(b.session.redacted, 40);
  });

  test("with the session lost, the backlog is dropped and counted, and no frame is redacted", () => {
    const b = backlog(40);
    b.recorder.trigger("ring", 7, 3_900, 1_800_000_003_900);
    b.session.up = false; // the stream opens (its open message was handed over), then the session goes
    b.runTimers();
    assert.equal(b.session.sent, 0);
    assert.equal(b.session.redacted, 0, "no frame redacted only to be dropped");
    assert.equal(b.recorder.stats.framesDropped, 40, "every frame of the backlog is counted");
  });
});
