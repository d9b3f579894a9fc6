// SPDX-License-Identifier: MIT
// hosts/esp32/camera.ts inside XS on the `embedded:io/image/in/camera` fake: every frame the driver
// hands out goes back to it (closed by the host or the firmware, or detached by stop), also when the
// firmware's callback throws, and a failed sensor init is logged and retried.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createEsp32Camera } from "../../hosts/esp32/camera.js";
import { createEsp32Clock } from "../../hosts/esp32/clock.js";
import type { Frame } from "../../modules/ports.js";
import { cameraStats, failCameraInit, liveCamera } from "../xs/moddable-fakes/camera.js";
import { advance } from "../xs/moddable-fakes/event-loop.js";
import { freshBoard } from "./device.js";

const jpeg = (n: number) => Uint8Array.of(0xff, 0xd8, n & 0xff, 0xff, 0xd9);

function rig() {
  const log = freshBoard();
  const clock = createEsp32Clock();
  const camera = createEsp32Camera({ clock, log });
  return { log, camera };
}

function capture(n: number): boolean {
  const sensor = liveCamera();
  assert.ok(sensor, "the sensor is open");
  return sensor.capture(jpeg(n));
}

/** Every frame the driver stored is back: closed by the client or detached by stop(). */
function assertAllReturned(): void {
  const stored = cameraStats.captured - cameraStats.dropped;
  assert.equal(cameraStats.closedByClient + cameraStats.detachedByStop, stored, JSON.stringify(cameraStats));
  assert.equal(liveCamera()?.held ?? 0, 0);
}

describe("ESP32 camera on embedded:io/image/in/camera", () => {
  test("frames arrive oldest first, stamped, and each is closed once the firmware releases it", () => {
    const { camera } = rig();
    const seen: number[] = [];
    camera.start({
      onFrame(frame) {
        seen.push(frame.jpeg[2]);
        frame.release();
        frame.release(); // idempotent
      },
    });
    for (let i = 1; i <= 3; i++) capture(i);
    advance(10);
    for (let i = 4; i <= 6; i++) {
      capture(i);
      advance(33);
    }
    assert.deepEqual(seen, [1, 2, 3, 4, 5, 6]);
    assertAllReturned();
  });

  test("a frame is closed when the firmware's onFrame throws", () => {
    const { camera, log } = rig();
    camera.start({
      onFrame() {
        throw new Error("firmware bug");
      },
    });
    for (let i = 0; i < 5; i++) {
      capture(i);
      advance(33);
    }
    assert.equal(cameraStats.dropped, 0, "no frame was lost to a full driver");
    assert.equal(log.at("error", "camera").length, 5);
    assertAllReturned();
  });
});

describe("ESP32 camera stop, restart and a starved driver", () => {
  test("held frames are detached by stop(): empty bytes, release() is harmless", () => {
    const { camera } = rig();
    const held: Frame[] = [];
    camera.start({ onFrame: (frame) => void held.push(frame) });
    capture(1);
    capture(2);
    advance(1);
    assert.equal(held.length, 2);
    assert.equal(held[0].jpeg.length, 5);
    camera.stop();
    assert.equal(held[0].jpeg.length, 0, "the view of a detached frame is empty");
    for (const frame of held) frame.release();
    assert.equal(cameraStats.detachedByStop, 2);
    assert.equal(cameraStats.closedByClient, 0);
  });

  test("restart() with held frames returns them and capture resumes", () => {
    const { camera } = rig();
    const held: Frame[] = [];
    camera.start({ onFrame: (frame) => void held.push(frame) });
    capture(1);
    advance(1);
    camera.restart();
    held[0].release();
    capture(2);
    advance(1);
    assert.equal(held.length, 2);
    held[1].release();
    assert.equal(cameraStats.detachedByStop, 1);
    assert.equal(cameraStats.closedByClient, 1);
  });

  test("a firmware holding every buffer starves the driver; releasing one lets capture go on", () => {
    const { camera } = rig();
    const held: Frame[] = [];
    camera.start({ onFrame: (frame) => void held.push(frame) });
    for (let i = 0; i < 4; i++) capture(i);
    advance(1);
    assert.equal(held.length, 3);
    assert.equal(cameraStats.dropped, 1);
    held.shift()?.release();
    assert.equal(capture(9), true);
    advance(1);
    for (const frame of held) frame.release();
    assertAllReturned();
  });

  test("a failed sensor init is logged, not thrown, and restart() retries", () => {
    const { camera, log } = rig();
    failCameraInit(1);
    camera.start({ onFrame: (frame) => frame.release() });
    assert.equal(liveCamera(), undefined);
    assert.match(log.at("error", "camera")[0], /camera init failed.*ribbon/);
    camera.restart();
    assert.ok(liveCamera());
    assert.equal(cameraStats.inits, 2);
  });
});
