// SPDX-License-Identifier: MIT
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createCameraWatchdog } from "../../modules/camera-watchdog.js";
import { createLogger } from "../../modules/logger.js";
import { createFakeHost } from "../support/fake-host.js";

describe("camera watchdog", () => {
  test("no frame for stallS re-initialises the camera, with a log line and a counter", () => {
    const host = createFakeHost();
    const dog = createCameraWatchdog({
      camera: host.camera,
      clock: host.clock,
      timers: host.timers,
      log: createLogger(host.log, "camera"),
      stallS: 5,
    });
    for (let t = 0; t < 20; t++) {
      host.clock.advance(1000);
      dog.frame();
    }
    assert.equal(host.camera.restarts, 0, "frames every second: no restart");
    host.clock.advance(4999);
    assert.equal(host.camera.restarts, 0);
    host.clock.advance(1);
    assert.equal(host.camera.restarts, 1);
    assert.equal(dog.restarts, 1);
    assert.ok(
      host.lines.some(
        (l) =>
          l.tag === "camera" &&
          l.message.startsWith("camera stalled; re-initialising") &&
          l.message.includes("restarts=1"),
      ),
    );
    host.clock.advance(5000);
    assert.equal(host.camera.restarts, 2, "still no frames: restarts again after another period");
    dog.frame();
    host.clock.advance(4000);
    assert.equal(host.camera.restarts, 2);
    dog.close();
    host.clock.advance(60_000);
    assert.equal(host.camera.restarts, 2);
  });
});
