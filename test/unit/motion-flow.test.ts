// SPDX-License-Identifier: MIT
// Motion in the firmware: camera frames -> thumbnails -> detector -> sealed motion_start / motion_end events
// with the box and the frame, on the in-memory host (Node and XS).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { toHex } from "../../modules/bytes.js";
import { startFirmware } from "../../modules/firmware.js";
import { decodeThumbnail, type ThumbnailDecoder } from "../../modules/jpeg/thumbnail-decoder.js";
import { createFakeHost, type FakeHost } from "../support/fake-host.js";
import { box, createScene, thumbnailJpeg } from "../support/motion-scenes.js";
import { openEventForTest, testOwnerKeys } from "../support/owner.js";

const owner = testOwnerKeys();

function boot(config: object = {}, host: FakeHost = createFakeHost()) {
  const fw = startFirmware(host, {
    firmwareVersion: "test",
    config: { deviceId: "frontdoor", keys: { ownerPublic: owner.publicHex }, ...config },
  });
  host.mqtt.accept();
  return { host, fw };
}

function events(host: FakeHost, devicePublic: Uint8Array) {
  return host.mqtt.published
    .filter((p) => p.topic === "doorbell/frontdoor/sealed/event")
    .map((p) => openEventForTest(owner, toHex(devicePublic), "frontdoor", p.topic, p.payload))
    .filter((e) => e.header.type.startsWith("motion"));
}

/** Plays `count` frames at 5 fps of a 160x120 scene: quiet ones, then an object crossing from frame `from` to `to`. */
function play(host: FakeHost, count: number, from: number, to: number): Uint8Array[] {
  const scene = createScene(20, 15);
  const sent: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    host.clock.advance(200);
    const jpeg = thumbnailJpeg(
      scene.frame(i >= from && i < to ? box(i - from, 4, i - from + 5, 11, 235, 20) : undefined),
    );
    sent.push(jpeg);
    host.camera.onFrame?.({ jpeg, capturedAtMs: host.clock.nowMs, release() {} });
  }
  return sent;
}

describe("motion in the firmware", () => {
  test("a visitor crossing the frame publishes motion_start with its frame and box, then motion_end", () => {
    const { host, fw } = boot({ motion: { endQuietMs: 1000 } });
    const sent = play(host, 36, 12, 28);
    const got = events(host, fw.devicePublicKey);
    assert.deepEqual(
      got.map((e) => e.header.type),
      ["motion_start", "motion_end"],
    );
    const [start, end] = got;
    const startIndex = sent.findIndex((j) => toHex(j) === toHex(start.jpeg!));
    assert.ok(startIndex >= 12 && startIndex < 18, `the snapshot is the frame that started it (frame ${startIndex})`);
    const [x, y, w, h] = start.header.box!;
    const objectX = (startIndex - 12) * 8;
    assert.ok(
      x <= objectX && x + w >= objectX + 40 && y <= 32 && y + h >= 88,
      `box ${start.header.box} holds the object`,
    );
    assert.ok(end.header.box![2] > w, "motion_end carries the box of the whole event");
    // Why it fired (issue 13): the cells seen moving in that frame, their share of the frame, the lighting.
    const why = start.header.motion!;
    assert.ok(why.cells >= 4 && why.cells <= 6 * 8, `the object's cells (${why.cells})`);
    assert.equal(why.areaPct, Math.round((why.cells * 1000) / 300) / 10, "cells as a share of the 20x15 grid");
    assert.equal(why.light, "steady");
    assert.ok(Math.abs(why.gain - 1) < 0.05, `gain ${why.gain}`);
    assert.ok(end.jpeg && end.jpeg.length > 0, "motion_end carries a frame too");
    assert.ok(end.header.seq > start.header.seq);
    assert.equal(fw.motion!.stats.starts, 1);
    assert.ok(host.lines.some((l) => l.tag === "motion" && l.message.startsWith("motion start")));
  });

  test("motion.enabled false: no detector, no motion events", () => {
    const { host, fw } = boot({ motion: { enabled: false, endQuietMs: 1000 } });
    play(host, 30, 12, 28);
    assert.equal(fw.motion, undefined);
    assert.deepEqual(events(host, fw.devicePublicKey), []);
  });

  test("the config's privacy zones keep motion inside them from ever being published", () => {
    const { host, fw } = boot({
      motion: { endQuietMs: 1000 },
      privacy: { zones: [{ x: 0, y: 0, width: 160, height: 120 }] },
    });
    play(host, 30, 12, 28);
    assert.deepEqual(events(host, fw.devicePublicKey), []);
  });

  test("frames that are not baseline JPEG are counted and logged once; the doorbell keeps working", () => {
    const { host, fw } = boot();
    for (let i = 0; i < 5; i++) {
      host.clock.advance(200);
      host.camera.capture(host.clock.nowMs); // a JPEG-shaped marker with no image
    }
    assert.equal(fw.motion!.stats.undecodable, 5);
    assert.equal(host.lines.filter((l) => l.tag === "motion" && l.level === "warn").length, 1);
  });

  test("the host's thumbnail decoder (native on the device) is used when it has one", () => {
    const host = createFakeHost();
    let calls = 0;
    const spy: ThumbnailDecoder = { decode: (jpeg) => (calls++, decodeThumbnail(jpeg)) };
    host.thumbnails = spy;
    boot({}, host);
    play(host, 3, 10, 10);
    assert.equal(calls, 3);
  });
});

describe("the firmware's motion verdict for the simulator's overlay", () => {
  test("the host's motion view gets the verdict on every judged frame: the cells, the box and the state", () => {
    const host = createFakeHost();
    const seen: { at: number; cells: number; box: number[]; active: boolean; light: string; size: number[] }[] = [];
    host.motionView = {
      verdict: (v) =>
        seen.push({
          at: v.capturedAtMs,
          cells: v.cells.reduce((a, b) => a + b, 0),
          box: [...v.box],
          active: v.active,
          light: v.light,
          size: [v.cols, v.rows],
        }),
    };
    const { fw } = boot({ motion: { endQuietMs: 1000 } }, host);
    play(host, 36, 12, 28);
    assert.equal(seen.length, 36, "one verdict per frame");
    assert.deepEqual(seen[0].size, [20, 15]);
    assert.equal(seen[0].light, "relearning");
    const start = events(host, fw.devicePublicKey).find((e) => e.header.type === "motion_start")!;
    const first = seen.findIndex((v) => v.active);
    assert.ok(first > 12 && seen[first].cells > 0, "motion on, with the cells seen");
    assert.deepEqual(seen[first].box, start.header.box, "the start frame's box is the event's");
    assert.ok(
      seen.slice(0, 12).every((v) => v.cells === 0 && !v.active),
      "quiet before the object",
    );
  });
});
