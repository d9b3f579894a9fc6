// SPDX-License-Identifier: MIT
// "Nothing is dropped silently" (issue 10 point 2) as far as Home Assistant: clip frames the doorbell drops while the
// broker is unreachable are counted in its sealed status (videoFramesDropped), the bridge puts the count on the
// info topic, and discovery gives Home Assistant a diagnostic sensor whose template reads exactly that value.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { deviceDiscovery } from "../../bridge/discovery.js";
import { haUpdateFor } from "../../bridge/ha-states.js";
import { haTopics } from "../../bridge/ha-topics.js";
import { bootVideo } from "../support/video-device.js";

const device = { id: "frontdoor", name: "Front door", topicRoot: "doorbell", statusIntervalS: 300 };
const cmps = deviceDiscovery(device, { motionOffDelayS: 30, originVersion: "0.1.0" }).payload.cmps as Record<
  string,
  Record<string, unknown>
>;

/** Home Assistant's rendering of a `{{ value_json.<key> }}` template against a JSON payload (only that form). */
function render(template: unknown, payload: string): string {
  const m = /^\{\{ value_json\.([a-z_]+) \}\}$/.exec(String(template));
  assert.ok(m, `a plain value_json template: ${String(template)}`);
  const value = (JSON.parse(payload) as Record<string, unknown>)[m[1]];
  return value === undefined ? "" : String(value);
}

describe("video drops reach Home Assistant (issue 10 point 2, docs/home-assistant.md)", () => {
  test("discovery has a diagnostic `Video frames dropped` sensor on the info topic, counting up", () => {
    const sensor = cmps.video_dropped;
    assert.deepEqual(
      [sensor.p, sensor.name, sensor.stat_cla, sensor.ent_cat, sensor.stat_t, sensor.def_ent_id, sensor.uniq_id],
      [
        "sensor",
        "Video frames dropped",
        "total_increasing",
        "diagnostic",
        "doorbell/frontdoor/info",
        "sensor.frontdoor_video_dropped",
        "esp32db_frontdoor_video_dropped",
      ],
    );
  });

  test("clip frames dropped with the broker unreachable: the sealed status carries the count, the sensor shows it", () => {
    const d = bootVideo({ video: { clipPreRollMs: 2000, clipPostMs: 2000, clipFps: 5 } });
    d.runTo(12_000);
    d.host.mqtt.drop("broker gone");
    d.press();
    d.runTo(16_000);
    assert.ok(d.fw.video.dropped > 0, "the clip's frames were dropped on the device");
    d.host.mqtt.accept(); // back: the status event goes out on connect
    d.host.clock.advance(1);
    const status = d
      .events()
      .filter((e) => e.header.type === "status")
      .at(-1)!;
    const update = haUpdateFor(
      haTopics("doorbell", "frontdoor"),
      status.header as unknown as Parameters<typeof haUpdateFor>[1],
      undefined,
      Date.now(),
      { replaysRefused: 0 },
    );
    const info = update.publishes.find((p) => p.topic === "doorbell/frontdoor/info");
    assert.ok(info, "the bridge publishes the info");
    assert.equal(render(cmps.video_dropped.val_tpl, String(info.payload)), String(d.fw.video.dropped));
  });
});
