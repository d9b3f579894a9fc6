// SPDX-License-Identifier: MIT
// The video PSRAM budget (docs/firmware.md, "Video memory budget"): at the schema's largest settings the parts
// still fit the ESP32-CAM's 4 MiB, and the firmware's clip ring is exactly video.ringKiB. Runs under Node and in XS.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CONFIG_SCHEMA } from "../../modules/config-schema.js";
import { defaultConfig } from "../../modules/config.js";
import { PSRAM_BYTES, psramBudget } from "../../modules/video/memory-budget.js";
import { bootVideo } from "../support/video-device.js";

describe("video memory budget (issue 10 point 2)", () => {
  test("at the largest clip ring and in-flight bound the schema accepts, video fits the 4 MiB PSRAM", () => {
    const video = {
      ...defaultConfig().video,
      ringKiB: CONFIG_SCHEMA["video.ringKiB"].max,
      maxInFlight: CONFIG_SCHEMA["video.maxInFlight"].max,
    };
    const budget = psramBudget(video);
    assert.ok(budget.total <= PSRAM_BYTES, `${budget.total} bytes of ${PSRAM_BYTES}`);
    assert.equal(budget.clipRing, video.ringKiB * 1024);
  });

  test("the firmware's clip ring is allocated once at video.ringKiB and never holds more", () => {
    const d = bootVideo({ video: { ringKiB: 256 } });
    assert.equal(d.fw.video.ring.capacityBytes, 256 * 1024);
    const frame = new Uint8Array(40_000).fill(7);
    frame.set([0xff, 0xd8]);
    for (let t = 200; t <= 20_000; t += 200) {
      d.host.clock.advance(200);
      d.host.camera.capture(t, frame);
      assert.ok(d.fw.video.ring.bytesHeld <= 256 * 1024);
    }
    assert.equal(d.fw.video.ring.framesHeld, 6, "256 KiB holds six 40 KB frames");
    assert.equal(d.host.camera.outstanding, 2, "only the snapshot pre-roll holds camera buffers");
  });
});
