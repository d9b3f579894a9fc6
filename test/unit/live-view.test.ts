// SPDX-License-Identifier: MIT
// Issue 10 point 3: the signed `live-view` command starts a bounded live stream, a second start renews the same
// stream, stop ends it, and a ring during live view rings, seals and sends its event and clip first. Asserts on
// what is published and opened, on the fake clock. Runs under Node and inside XS.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bootVideo, CMD_TOPIC, EVENT_TOPIC, VIDEO_TOPIC } from "../support/video-device.js";

const live = (d: ReturnType<typeof bootVideo>) => d.viewer.frames.filter((f) => f.kind === "live");

describe("live view on demand (issue 10 point 3)", () => {
  test("start runs for its seconds at video.liveFps, then the stream ends complete", () => {
    const d = bootVideo({ video: { liveFps: 5, clips: false } });
    d.runTo(10_000);
    d.command({ live: { action: "start", seconds: 3 } });
    assert.equal(d.fw.video.live.running, true);
    d.runTo(20_000);
    const frames = live(d);
    assert.ok(frames.length >= 14 && frames.length <= 15, `about 3 s at 5 fps, got ${frames.length}`);
    assert.deepEqual(
      frames.map((f) => f.index),
      frames.map((_, i) => i),
    );
    assert.equal(d.fw.video.live.running, false, "expired");
    assert.deepEqual(
      d.viewer.ended.map((s) => [s.kind, s.complete, s.frames]),
      [["live", true, frames.length]],
    );
    assert.ok(d.host.lines.some((l) => l.tag === "video" && l.message.startsWith("live view stopped")));
  });

  test("a second start while running renews the same stream; stop ends it at once", () => {
    const d = bootVideo({ video: { liveFps: 5, clips: false } });
    d.runTo(10_000);
    d.command({ live: { action: "start", seconds: 3 } });
    const id = d.fw.video.live.streamId;
    d.runTo(12_000);
    d.command({ live: { action: "start", seconds: 3 } }); // a second viewer joins
    assert.equal(d.fw.video.live.streamId, id, "the same stream, not a second one");
    d.runTo(14_600); // past the first start's 3 s
    assert.equal(d.fw.video.live.running, true, "renewed to 3 s from the second start");
    d.command({ live: { action: "stop" } });
    d.runTo(16_000);
    assert.equal(d.viewer.opener.stats.streams, 1);
    assert.equal(d.fw.video.live.stats.renewals, 1);
    assert.ok(live(d).every((f) => f.streamId === id));
    assert.ok(live(d).every((f) => f.captureMs <= d.host.clock.wallOriginMs + 14_600));
    assert.deepEqual(
      d.viewer.ended.map((s) => [s.streamId, s.complete]),
      [[id, true]],
    );
  });

  test("live frames are QoS 0; the open message and the end marker are QoS 1", () => {
    const d = bootVideo({ video: { clips: false } });
    d.runTo(10_000);
    d.command({ live: { action: "start", seconds: 1 } });
    d.runTo(12_000);
    const qos = d.host.mqtt.published.filter((p) => p.topic === VIDEO_TOPIC).map((p) => p.options.qos);
    assert.equal(qos[0], 1);
    assert.equal(qos.at(-1), 1);
    assert.ok(qos.slice(1, -1).length > 0 && qos.slice(1, -1).every((q) => q === 0));
  });
});

describe("live view beside rings and broker restarts (issue 10 point 3)", () => {
  test("a ring during live view rings and sends its event and clip first; live frames wait for the clip", () => {
    const d = bootVideo({ video: { clipPreRollMs: 1000, clipPostMs: 1000 } });
    d.runTo(10_000);
    d.command({ live: { action: "start", seconds: 30 } });
    d.runTo(12_000);
    const before = d.host.mqtt.published.length;
    d.host.mqtt.autoAck = false; // the clip stays busy while its PUBACKs are outstanding
    d.press();
    d.runTo(13_000);
    const after = d.host.mqtt.published.slice(before);
    assert.equal(d.host.chime.writes[0]?.level, 1, "it rang");
    assert.equal(after[0].topic, EVENT_TOPIC, "the ring event is the first thing published after the press");
    const liveId = d.fw.video.live.streamId;
    const liveAfter = d.viewer.frames.filter((f) => f.streamId === liveId && f.captureMs > d.host.clock.wallMs() - 900);
    assert.equal(liveAfter.length, 0, "no live frame while the clip has frames waiting");
    assert.ok(d.fw.video.live.stats.framesDropped > 0, "the skipped live frames are counted");
    for (const p of d.host.mqtt.published) {
      const ack = p.ack;
      p.ack = undefined;
      ack?.();
    }
    d.host.mqtt.autoAck = true;
    d.runTo(16_000);
    assert.ok(
      live(d).some((f) => f.captureMs > d.host.clock.wallOriginMs + 14_000),
      "live resumes after the clip",
    );
  });

  test("a broker restart during live view: the view goes on in a new stream once the session is back", () => {
    const d = bootVideo({ video: { clips: false } });
    d.runTo(10_000);
    d.command({ live: { action: "start", seconds: 20 } });
    d.runTo(11_000);
    const first = d.fw.video.live.streamId;
    d.host.mqtt.drop("broker restart");
    d.runTo(13_000);
    d.host.mqtt.accept();
    d.runTo(15_000);
    const second = d.fw.video.live.streamId;
    assert.notEqual(second, first);
    assert.ok(live(d).some((f) => f.streamId === second));
    assert.equal(d.fw.video.live.stats.reopened, 1);
    assert.equal(d.viewer.opener.stats.streams, 2);
    const [, resumed] = d.viewer.frames.filter((f) => f.index === 0);
    assert.equal(resumed.streamId, second);
    const reported = live(d).filter((f) => f.streamId === second);
    assert.ok(reported.length >= 8, "about 2 s of frames in the new stream");
  });
});

describe("live view: refusals", () => {
  test("without the live-view command nothing is streamed; an unsigned or replayed command starts nothing", () => {
    const d = bootVideo({ video: { clips: false } });
    d.runTo(12_000);
    assert.equal(d.host.mqtt.published.filter((p) => p.topic === VIDEO_TOPIC).length, 0);
    d.host.mqtt.options!.onMessage("doorbell/frontdoor/sealed/cmd", new Uint8Array(200));
    assert.equal(d.fw.video.live.running, false);
    assert.ok(d.host.lines.some((l) => l.tag === "command" && l.message.startsWith("command refused")));
  });

  test("a replayed live-view command neither restarts nor renews the view; the refusal is logged", () => {
    const d = bootVideo({ video: { clips: false } });
    d.runTo(10_000);
    const start = d.command({ live: { action: "start", seconds: 2 } });
    d.runTo(13_000);
    assert.equal(d.fw.video.live.running, false, "expired");
    d.host.mqtt.options!.onMessage(CMD_TOPIC, start); // the same signed bytes again
    assert.equal(d.fw.video.live.running, false);
    assert.equal(d.fw.video.live.stats.starts, 1);
    assert.ok(d.host.lines.some((l) => l.message.startsWith("command refused: replayed")));
  });

  test("a live-view command sealed for another doorbell is refused on this one", () => {
    const d = bootVideo({ video: { clips: false } });
    d.runTo(10_000);
    d.command({ live: { action: "start", seconds: 30 } }, "live-view", "backdoor");
    assert.equal(d.fw.video.live.running, false);
    assert.ok(d.host.lines.some((l) => l.message.startsWith("command refused: wrong-topic")));
  });

  test("privacy zones apply to live frames: a frame that cannot be redacted is never streamed", () => {
    const d = bootVideo({ video: { clips: false }, privacy: { zones: [{ x: 0, y: 0, width: 8, height: 8 }] } });
    d.runTo(10_000); // the fake camera's frames are not decodable JPEG: the redactor refuses them
    d.command({ live: { action: "start", seconds: 2 } });
    d.runTo(13_000);
    assert.equal(live(d).length, 0);
    assert.ok(d.fw.video.live.stats.framesDropped >= 9);
    assert.equal(d.viewer.ended[0]?.droppedOnDevice, d.fw.video.live.stats.framesDropped);
  });
});
