// SPDX-License-Identifier: MIT
// Issue 10 on the device: a ring or motion start sends a sealed clip that starts before the trigger; the clip ring
// holds copies so camera buffers go back; a broker outage drops clip frames by the documented policy and reports
// the count; privacy zones apply to clip frames as to snapshots. Asserts on what is published and opened, never on
// time. Runs under Node and inside XS.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createRedactor } from "../../modules/jpeg/redact.js";
import { createPicturePrivacy } from "../../modules/privacy/picture-privacy.js";
import { frameBytes } from "../support/fake-host.js";
import { synthJpeg } from "../support/jpeg-synth.js";
import { bootVideo, EVENT_TOPIC, VIDEO_TOPIC } from "../support/video-device.js";

const CLIP = { clipPreRollMs: 2000, clipPostMs: 2000, clipFps: 5 };

describe("event clips (issue 10 point 2)", () => {
  test("a ring sends a clip: pre-roll frames from before the press, then frames after it, then its end", () => {
    const d = bootVideo({ video: CLIP });
    d.runTo(12_000);
    d.press(); // at 12,000 ms
    d.runTo(16_000);
    const ring = d.events().find((e) => e.header.type === "ring")!;
    assert.ok(ring, "the ring event is sent");
    const clip = d.viewer.frames.filter((f) => f.kind === "clip");
    assert.ok(clip.length > 0, "clip frames opened");
    const { triggerMs, eventSeq, trigger } = clip[0];
    assert.deepEqual([trigger, eventSeq, triggerMs], ["ring", ring.header.seq, ring.header.atMs]);
    const preRoll = clip.filter((f) => f.captureMs < triggerMs!);
    assert.ok(preRoll.length >= 9, `2 s of pre-roll at 5 fps, got ${preRoll.length}`);
    assert.ok(clip[0].captureMs >= triggerMs! - CLIP.clipPreRollMs);
    assert.ok(clip.every((f) => f.captureMs <= triggerMs! + CLIP.clipPostMs));
    assert.ok(clip.at(-1)!.captureMs >= triggerMs! + CLIP.clipPostMs - 200, "runs to about 2 s after the press");
    assert.deepEqual(
      clip.map((f) => f.index),
      clip.map((_, i) => i),
    );
    assert.deepEqual(
      d.viewer.ended.map((s) => [s.kind, s.complete, s.gaps, s.droppedOnDevice]),
      [["clip", true, 0, 0]],
    );
    assert.ok(d.host.camera.outstanding <= 2, "the clip ring holds copies: camera buffers go back");
    const soi = [0xff, 0xd8, 0xff, 0xfe]; // the fake camera's JPEG start: never in the clear on the broker
    const clear = d.host.mqtt.published
      .filter((p) => p.topic === VIDEO_TOPIC)
      .some((p) => p.payload.some((_, i) => soi.every((b, k) => p.payload[i + k] === b)));
    assert.equal(clear, false, "no JPEG bytes in any video payload");
    const firstVideo = d.host.mqtt.published.findIndex((p) => p.topic === VIDEO_TOPIC);
    const ringAt = d.host.mqtt.published.findIndex((p) => p.topic === EVENT_TOPIC && p.payload.length > 200);
    assert.ok(ringAt >= 0 && ringAt < firstVideo, "the ring event goes out before its clip");
  });

  test("clip frames are paced by PUBACKs: at most video.maxInFlight unacknowledged", () => {
    const d = bootVideo({ video: { ...CLIP, maxInFlight: 2 } });
    d.runTo(12_000);
    d.host.mqtt.autoAck = false;
    d.press();
    d.runTo(13_000);
    const unacked = d.host.mqtt.published.filter((p) => p.topic === VIDEO_TOPIC && p.options.qos === 1);
    assert.equal(unacked.length, 2, "the open message and one frame: the open counts against the bound");
    for (const p of unacked) p.ack?.();
    const after = d.host.mqtt.published.filter((p) => p.topic === VIDEO_TOPIC).length;
    assert.equal(after, 4, "each PUBACK lets one more frame go");
  });
});

describe("event clips: drops are counted and reported, privacy zones apply (issue 10 point 2)", () => {
  test("with the broker unreachable the ring event waits in the outbox; clip frames are dropped and reported", () => {
    const d = bootVideo({ video: CLIP });
    d.runTo(12_000);
    d.host.mqtt.drop("broker gone");
    d.press();
    d.runTo(16_000);
    assert.equal(d.viewer.frames.length, 0);
    assert.ok(d.fw.video.dropped >= 19, `every clip frame is counted as dropped, got ${d.fw.video.dropped}`);
    assert.ok(d.host.lines.some((l) => l.tag === "video" && l.message.startsWith("clip not sent")));
    d.host.mqtt.accept();
    d.host.clock.advance(1);
    const types = d.events().map((e) => e.header.type);
    assert.ok(types.includes("ring"), "the ring event came out of the outbox");
    const status = d
      .events()
      .filter((e) => e.header.type === "status")
      .at(-1)!;
    assert.equal((status.header.stats as Record<string, number>).videoFramesDropped, d.fw.video.dropped);
  });

  test("a frame evicted from the clip ring before it could be sent is dropped, counted and reported in the stream", () => {
    // A ring of 128 KiB holds about 4 frames of 30 KB: with no PUBACK the clip's backlog is evicted.
    const big = (t: number) => {
      const j = new Uint8Array(30_000).fill(t & 0xff);
      j.set([0xff, 0xd8]);
      return j;
    };
    const d = bootVideo({ video: { ...CLIP, ringKiB: 128, maxInFlight: 1 } });
    d.host.clock.advance(10_000);
    for (let t = 10_200; t <= 12_000; t += 200) {
      d.host.clock.advance(200);
      d.host.camera.capture(t, big(t));
    }
    d.host.mqtt.autoAck = false;
    d.press();
    for (let t = 12_300; t <= 16_000; t += 200) {
      d.host.clock.advance(200);
      d.host.camera.capture(t, big(t));
    }
    for (let i = 0; i < 40; i++)
      for (const p of d.host.mqtt.published) {
        const ack = p.ack;
        p.ack = undefined;
        ack?.();
      }
    d.feed();
    assert.ok(d.fw.video.stats.framesDropped > 0, "frames were evicted unsent");
    assert.ok(d.fw.video.ring.bytesHeld <= 128 * 1024);
    const [summary] = d.viewer.ended;
    assert.equal(summary.complete, true);
    assert.equal(summary.droppedOnDevice, d.fw.video.stats.framesDropped, "the end marker carries the count");
  });

  test("privacy zones apply to clip frames exactly as to snapshots", () => {
    const Y = { id: 1, h: 2, v: 2, tq: 0, td: 0, ta: 0 };
    const C = (id: number) => ({ id, h: 1, v: 1, tq: 1, td: 1, ta: 1 });
    const jpeg = synthJpeg({ width: 64, height: 32, components: [Y, C(2), C(3)], block: (_c, i) => [i * 3] });
    const zones = [{ x: 16, y: 8, width: 8, height: 8 }];
    const d = bootVideo({ video: CLIP, privacy: { zones } });
    d.host.clock.advance(10_000);
    for (let t = 10_200; t <= 12_000; t += 200) {
      d.host.clock.advance(200);
      d.host.camera.capture(t, jpeg);
    }
    d.press();
    for (let t = 12_300; t <= 14_500; t += 200) {
      d.host.clock.advance(200);
      d.host.camera.capture(t, jpeg);
    }
    d.feed();
    const expected = createPicturePrivacy({ zones, grey: 128, redactor: createRedactor() }).apply(jpeg);
    assert.ok(expected.ok);
    assert.notDeepEqual(expected.jpeg, jpeg, "the zone changes the picture");
    assert.ok(d.viewer.frames.length > 0);
    for (const f of d.viewer.frames) assert.deepEqual(f.jpeg, expected.jpeg);
    const ring = d.events().find((e) => e.header.type === "ring")!;
    assert.deepEqual(ring.jpeg, expected.jpeg, "the snapshot is redacted the same way");
  });

  test("a frame that cannot be redacted is withheld from the clip and counted as dropped", () => {
    const d = bootVideo({ video: CLIP, privacy: { zones: [{ x: 0, y: 0, width: 8, height: 8 }] } });
    d.runTo(12_000); // the fake camera's frames are not decodable JPEG: the redactor refuses them
    d.press();
    d.runTo(14_600);
    assert.equal(d.viewer.frames.length, 0);
    assert.ok(d.fw.video.stats.framesDropped >= 20);
    assert.equal(d.viewer.ended[0]?.droppedOnDevice, d.fw.video.stats.framesDropped);
  });
});

describe("the clip ring backs the ring's snapshot; a clip with no frame sends nothing", () => {
  test("when the loop reaches a press after the pre-roll moved on, the snapshot comes from the clip ring", () => {
    const d = bootVideo({ video: CLIP });
    d.runTo(12_000);
    d.runTo(12_800); // the loop was busy: four more frames went through before it reached the press at 12,050
    d.host.button.edge(1, 12_050);
    d.host.button.edge(0, 12_200);
    d.host.clock.advance(500);
    const ring = d.events().find((e) => e.header.type === "ring")!;
    assert.ok(ring, "the ring event is sent");
    assert.equal(ring.header.frameAgeMs, 50);
    assert.deepEqual(ring.jpeg, frameBytes(12_000), "the frame at the press instant, from the clip ring");
    assert.equal(d.fw.ring.stats.snapshotsFromClipRing, 1);
  });

  test("a ring with no camera frame opens no clip stream and publishes nothing on the video topic", () => {
    const d = bootVideo({ video: CLIP });
    d.host.clock.advance(10_000);
    d.press();
    d.host.clock.advance(12_000);
    assert.ok(d.events().some((e) => e.header.type === "ring"));
    assert.equal(d.host.mqtt.published.filter((p) => p.topic === VIDEO_TOPIC).length, 0);
    assert.equal(d.fw.video.stats.clips, 1);
    assert.ok(d.host.lines.some((l) => l.tag === "video" && l.message.startsWith("clip done: no frame")));
  });
});
