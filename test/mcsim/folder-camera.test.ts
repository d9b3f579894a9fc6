// SPDX-License-Identifier: MIT
// hosts/mcsim/folder-camera.ts inside XS on the `file` and `timer` fakes: a folder of JPEG frames becomes
// camera frames in name order at the frame period, looping; the skin hears of each; frames the firmware
// holds are bounded as on the board; a bad folder is refused at start with its path.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createEsp32Clock } from "../../hosts/esp32/clock.js";
import { compareFrameNames, createMcsimCamera, FRAME_BUFFERS } from "../../hosts/mcsim/folder-camera.js";
import { createSkinLink } from "../../hosts/mcsim/skin-link.js";
import type { Frame } from "../../modules/ports.js";
import { advance } from "../xs/moddable-fakes/event-loop.js";
import { Directory, flashFiles } from "../xs/moddable-fakes/file.js";
import { appPosted, fakeScreen } from "../xs/moddable-fakes/screen.js";
import { frameBytes, freshDesktop, writeFolder } from "./rig.js";

const DIR = "/frames";

function rig(files: Record<string, Uint8Array>, framePeriodMs = 100) {
  const log = freshDesktop();
  writeFolder(DIR, files);
  const clock = createEsp32Clock();
  const link = createSkinLink({ screen: fakeScreen, log });
  const camera = createMcsimCamera({ dir: DIR, framePeriodMs, link, clock, log });
  return { log, camera };
}

const tag = (frame: Frame) => frame.jpeg[6];

test("mcsim folder camera: names compare with digit runs as numbers", () => {
  const names = ["f10.jpg", "f2.jpg", "f1.jpg", "a.jpg", "f02.jpg"];
  assert.deepEqual(names.sort(compareFrameNames), ["a.jpg", "f1.jpg", "f02.jpg", "f2.jpg", "f10.jpg"]);
});

describe("mcsim folder camera", () => {
  test("frames come in name order at the frame period and loop; other files and folders are skipped", () => {
    const { camera } = rig({
      "frame10.jpg": frameBytes(10),
      "frame2.JPG": frameBytes(2),
      "frame3.jpeg": frameBytes(3),
      "notes.txt": frameBytes(99),
    });
    Directory.create(`${DIR}/sub.jpg`);
    const seen: [number, number][] = [];
    camera.start({
      onFrame: (frame) => {
        seen.push([tag(frame), frame.capturedAtMs]);
        frame.release();
      },
    });
    advance(400);
    assert.deepEqual(seen, [
      [2, 100],
      [3, 200],
      [10, 300],
      [2, 400],
    ]);
    assert.equal(camera.length, 3);
    assert.deepEqual(
      appPosted()
        .filter((m) => m.frame)
        .map((m) => m.frame),
      [
        { name: "frame2.JPG", index: 0, count: 3 },
        { name: "frame3.jpeg", index: 1, count: 3 },
        { name: "frame10.jpg", index: 2, count: 3 },
        { name: "frame2.JPG", index: 0, count: 3 },
      ],
    );
  });

  test(`while all ${FRAME_BUFFERS} frame buffers are held, captures are skipped and counted; a release lets the next one through`, () => {
    const { camera } = rig({ "a.jpg": frameBytes(1), "b.jpg": frameBytes(2) });
    const held: Frame[] = [];
    camera.start({ onFrame: (frame) => void held.push(frame) });
    advance(500);
    assert.equal(held.length, FRAME_BUFFERS);
    assert.equal(camera.skipped, 5 - FRAME_BUFFERS);
    held[0]?.release();
    held[0]?.release(); // idempotent
    assert.equal(camera.held, FRAME_BUFFERS - 1);
    advance(100);
    assert.equal(held.length, FRAME_BUFFERS + 1);
    assert.equal(camera.delivered, FRAME_BUFFERS + 1);
  });
});

describe("mcsim folder camera: trouble and the preview", () => {
  test("a frame that cannot be read is skipped, logged and shown in the skin; the next one comes", () => {
    const { camera, log } = rig({ "a.jpg": frameBytes(1), "b.jpg": frameBytes(2) });
    const seen: number[] = [];
    camera.start({
      onFrame: (frame) => {
        seen.push(tag(frame) as number);
        frame.release();
      },
    });
    flashFiles().delete(`${DIR}/a.jpg`);
    advance(200);
    assert.deepEqual(seen, [2]);
    assert.equal(log.at("warn", "camera").length, 1);
    assert.match(String(appPosted().find((m) => m.cameraError)?.cameraError), /^a\.jpg: /);
  });

  test("stop() ends the frames; a frame callback that throws is logged and the camera goes on", () => {
    const { camera, log } = rig({ "a.jpg": frameBytes(1) });
    let calls = 0;
    camera.start({
      onFrame: (frame) => {
        calls++;
        frame.release();
        throw new Error("boom");
      },
    });
    advance(250);
    assert.equal(calls, 2);
    assert.equal(log.at("error", "camera").length, 2);
    camera.stop();
    advance(1000);
    assert.equal(calls, 2);
  });

  test("the preview (the skin's picture) gets each delivered frame's bytes after the firmware; if it throws, frames go on", () => {
    const log = freshDesktop();
    writeFolder(DIR, { "a.jpg": frameBytes(1), "b.jpg": frameBytes(2) });
    const order: string[] = [];
    const camera = createMcsimCamera({
      dir: DIR,
      framePeriodMs: 100,
      link: createSkinLink({ screen: fakeScreen, log }),
      clock: createEsp32Clock(),
      log,
      preview: (jpeg) => {
        order.push(`preview ${jpeg[6]}`);
        throw new Error("cannot draw");
      },
    });
    camera.start({
      onFrame: (frame) => {
        order.push(`firmware ${tag(frame)}`);
        frame.release();
      },
    });
    advance(200);
    assert.deepEqual(order, ["firmware 1", "preview 1", "firmware 2", "preview 2"]);
    assert.equal(log.at("error", "camera").length, 2);
  });

  test("a missing folder or one without frames is refused when the camera is created, naming the folder", () => {
    const log = freshDesktop();
    const link = createSkinLink({ screen: fakeScreen, log });
    const clock = createEsp32Clock();
    assert.throws(() => createMcsimCamera({ dir: "/nowhere", link, clock, log }), /frames folder \/nowhere: .*frames=/);
    writeFolder("/empty", { "readme.txt": frameBytes(0) });
    assert.throws(() => createMcsimCamera({ dir: "/empty", link, clock, log }), /\/empty has no \.jpg or \.jpeg files/);
  });
});
