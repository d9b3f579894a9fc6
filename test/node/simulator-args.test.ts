// SPDX-License-Identifier: MIT
// `npm start` flags for the camera's rate and frame size (issue 10: the later live-view bench drives the simulator's
// Node host at a configured frame rate): parsed, bounded, and refused with the flag named.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseArgs } from "../../simulator/args.js";

describe("npm start: --fps and --frame-size", () => {
  test("default 5 fps at 640x480; --fps and --frame-size set them", () => {
    const d = parseArgs([]);
    assert.deepEqual([d.fps, d.frameWidth, d.frameHeight], [5, 640, 480]);
    const a = parseArgs(["--fps", "15", "--frame-size", "320x240"]);
    assert.deepEqual([a.fps, a.frameWidth, a.frameHeight], [15, 320, 240]);
  });

  test("out-of-range or malformed values are refused, naming the flag and what is accepted", () => {
    assert.throws(() => parseArgs(["--fps", "0"]), /--fps 0: expected an integer from 1 to 30/);
    assert.throws(() => parseArgs(["--fps", "60"]), /--fps 60: expected an integer from 1 to 30/);
    assert.throws(() => parseArgs(["--frame-size", "640"]), /--frame-size 640: expected WxH from 96x96 to 1600x1200/);
    assert.throws(() => parseArgs(["--frame-size", "4000x3000"]), /--frame-size 4000x3000/);
  });
});
