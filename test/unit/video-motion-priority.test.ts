// SPDX-License-Identifier: MIT
// Issue 10 point 3: motion handling keeps priority over live frames. During a live view, the camera frame that
// starts motion is sealed and published as a motion_start event first, and its live copy yields to the motion's
// clip, which goes before live frames; they resume once it is sent. On the fake clock; runs under Node and inside XS.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { box, createScene, thumbnailJpeg } from "../support/motion-scenes.js";
import { bootVideo, EVENT_TOPIC } from "../support/video-device.js";

describe("live view beside motion (issue 10 point 3)", () => {
  test("the frame that starts motion goes out as its event first, its live copy yields, and the motion clip goes before live", () => {
    const d = bootVideo({
      motion: { enabled: true, endQuietMs: 1000 },
      video: { clipPreRollMs: 1000, clipPostMs: 1000, liveFps: 5 },
    });
    d.command({ live: { action: "start", seconds: 60 } });
    const scene = createScene(20, 15);
    let motionSlice: string[] | undefined;
    let liveDroppedBefore = 0;
    let liveDroppedAtStart = 0;
    for (let i = 0; i < 24 && !motionSlice; i++) {
      d.host.clock.advance(200);
      const before = d.host.mqtt.published.length;
      liveDroppedBefore = d.fw.video.live.stats.framesDropped;
      const jpeg = thumbnailJpeg(scene.frame(i >= 12 ? box(i - 12, 4, i - 7, 11, 235, 20) : undefined));
      d.host.camera.capture(d.host.clock.nowMs, jpeg);
      const slice = d.host.mqtt.published.slice(before).map((p) => p.topic);
      if (d.events().some((e) => e.header.type === "motion_start")) {
        motionSlice = slice;
        liveDroppedAtStart = d.fw.video.live.stats.framesDropped;
        d.host.mqtt.autoAck = false; // the motion clip stays busy while its PUBACKs are outstanding
      }
    }
    assert.ok(motionSlice, "motion started during the live view");
    assert.ok(d.fw.video.live.stats.framesSent >= 5, "live frames were flowing before");
    assert.deepEqual(motionSlice, [EVENT_TOPIC], "that frame: the sealed motion_start, and no live copy before it");
    assert.equal(liveDroppedAtStart, liveDroppedBefore + 1, "its live copy yielded to the motion's clip, counted");

    // The motion clip (pre-roll from the clip ring) has frames waiting: live frames yield to it.
    const liveBefore = d.fw.video.live.stats.framesSent;
    d.runTo(d.host.clock.nowMs + 1000);
    assert.equal(d.fw.video.live.stats.framesSent, liveBefore, "no live frame while the motion clip waits");
    assert.ok(d.fw.video.live.stats.framesDropped > liveDroppedAtStart, "the skipped live frames are counted");
    for (let guard = 0; guard < 200 && d.host.mqtt.published.some((p) => p.ack); guard++)
      for (const p of d.host.mqtt.published) {
        const ack = p.ack;
        p.ack = undefined;
        ack?.();
      }
    d.host.mqtt.autoAck = true;
    d.runTo(d.host.clock.nowMs + 4000);
    const motionClip = d.viewer.frames.filter((f) => f.kind === "clip" && f.trigger === "motion");
    assert.ok(motionClip.length > 0, "the motion clip reached the owner");
    assert.ok(
      motionClip.some((f) => f.captureMs < f.triggerMs!),
      "with frames from before motion started",
    );
    assert.ok(d.fw.video.live.stats.framesSent > liveBefore, "live resumes after the clip");
  });
});
