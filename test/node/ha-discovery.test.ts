// SPDX-License-Identifier: MIT
// Home Assistant discovery against the reference notes (reference/home-assistant.md): device-based
// discovery (§1.3), only abbreviations from §1.4, required origin and unique_id, default_entity_id and
// not object_id, `ring` among the doorbell's event types, the §7 topic layout.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { deviceDiscovery } from "../../bridge/discovery.js";

const CLI = fileURLToPath(new URL("../../bridge/cli/doorbell.js", import.meta.url));

/** §1.4 entity abbreviations, plus the keys that have none (`name`, `qos`). */
const ENTITY_KEYS = new Set(
  (
    "avty avty_mode avty_t avty_tpl atype cmd_t cmd_tpl cont_type def_ent_id dev dev_cla e en ent_cat ent_pic evt_typ " +
    "exp_aft frc_upd ic img_e img_t json_attr_t json_attr_tpl l_ver_t l_ver_tpl o off_dly p pl pl_avail pl_not_avail " +
    "pl_on pl_off pl_prs pl_inst rel_s rel_u ret stat_cla stat_t stype sug_dsp_prc t tit uniq_id unit_of_meas url_t " +
    "url_tpl val_tpl cmps name qos"
  ).split(" "),
);
const DEVICE_KEYS = new Set(["cns", "cu", "ids", "name", "mf", "mdl", "mdl_id", "hw", "sw", "sn", "sa"]);
const ORIGIN_KEYS = new Set(["name", "sw", "url"]);
/** §1.1 SUPPORTED_COMPONENTS (entity platforms used here). */
const PLATFORMS = new Set(["binary_sensor", "button", "camera", "event", "image", "sensor", "update"]);
// biome-ignore lint/suspicious/noControlCharactersInRegex: MQTT forbids U+0000 in topic names [MQTT-4.7.3-2]
const PUBLISH_TOPIC = /^[^+#\u0000]+$/;

const device = { id: "front-door", name: "Front door", topicRoot: "doorbell", statusIntervalS: 300 };
const message = deviceDiscovery(device, { motionOffDelayS: 30, firmwareVersion: "1.4.2", originVersion: "0.1.0" });
const payload = message.payload as {
  dev: Record<string, unknown>;
  o: Record<string, unknown>;
  avty_t: string;
  qos: number;
  cmps: Record<string, Record<string, unknown>>;
};
const all = Object.entries(payload.cmps);
/** The entities; a component of its platform alone (`{"p": ...}`) is a removal (§1.3). */
const cmps = all.filter(([, c]) => Object.keys(c).length > 1);
/** With the pictures and live stills over the broker (ha.pictures = mqtt, ha.liveStillsOverMqtt). */
const overMqtt = deviceDiscovery(device, {
  motionOffDelayS: 30,
  originVersion: "0.1.0",
  pictures: "mqtt",
  liveStills: true,
}).payload.cmps as Record<string, Record<string, unknown>>;
const byPlatform = (p: string) => cmps.filter(([, c]) => c.p === p).map(([, c]) => c);

describe("Home Assistant discovery: the device message (§1.3)", () => {
  test("one retained device-based message at homeassistant/device/<object_id>/config, object id per §1.1 TOPIC_MATCHER", () => {
    assert.equal(message.topic, "homeassistant/device/esp32db_front-door/config");
    assert.match(message.topic.split("/")[2], /^[a-zA-Z0-9_-]+$/);
    assert.equal(message.retain, true);
    assert.deepEqual(Object.keys(payload).sort(), ["avty_t", "cmps", "dev", "o", "qos"]);
  });

  test("device and origin use §1.4 abbreviations; origin has its required name; the device has identifiers and a name", () => {
    for (const k of Object.keys(payload.dev)) assert.ok(DEVICE_KEYS.has(k), `device key ${k}`);
    for (const k of Object.keys(payload.o)) assert.ok(ORIGIN_KEYS.has(k), `origin key ${k}`);
    assert.equal(payload.o.name, "doorbell-bridge");
    assert.deepEqual(payload.dev.ids, ["esp32db_front-door"]);
    assert.equal(payload.dev.name, "Front door");
    assert.equal(payload.dev.sw, "1.4.2");
  });
});

describe("Home Assistant discovery: the components (§1.3 cmps)", () => {
  test(
    "every component: a supported platform, unique_id (uniq_id), default_entity_id (def_ent_id), never object_id; " +
      "only known abbreviations",
    () => {
      const ids = new Set<unknown>();
      for (const [name, c] of cmps) {
        assert.ok(PLATFORMS.has(String(c.p)), `${name}: platform ${String(c.p)}`);
        assert.match(String(c.uniq_id), /^esp32db_front-door_[a-z_]+$/, `${name}: unique_id`);
        ids.add(c.uniq_id);
        assert.match(String(c.def_ent_id), new RegExp(`^${String(c.p)}\\.[a-z0-9_]+$`), `${name}: default_entity_id`);
        for (const k of Object.keys(c)) assert.ok(ENTITY_KEYS.has(k), `${name}: key ${k} is not a §1.4 abbreviation`);
        assert.ok(!("obj_id" in c) && !("object_id" in c), `${name}: object_id is deprecated (§4.3)`);
        assert.equal(typeof c.name, "string", `${name}: named`);
        for (const k of ["stat_t", "img_t", "url_t", "cmd_t", "t"])
          if (k in c) assert.match(String(c[k]), PUBLISH_TOPIC, `${name}.${k}`);
      }
      assert.equal(ids.size, cmps.length, "unique ids are unique");
      for (const c of [overMqtt.snapshot, overMqtt.live])
        for (const k of Object.keys(c)) assert.ok(ENTITY_KEYS.has(k), `opted in: key ${k} is not a §1.4 abbreviation`);
    },
  );

  test(
    "the doorbell event: device_class doorbell, event_types with ring and long_press, on the bridge's event topic, " +
      "qos 2 on the component (§1.3 SHARED_OPTIONS)",
    () => {
      const [event] = byPlatform("event");
      assert.equal(
        event.qos,
        2,
        "Home Assistant subscribes the ring at QoS 2, so the broker delivers each press once [MQTT-4.3.3]",
      );
      assert.equal(event.dev_cla, "doorbell");
      assert.deepEqual(event.evt_typ, ["ring", "long_press"]);
      assert.equal(event.stat_t, "doorbell/front-door/event");
      assert.equal(event.def_ent_id, "event.front_door_ring");
    },
  );

  test("motion with off_delay, the image on a link (url_topic), the snapshot button, and the diagnostic sensors", () => {
    const [motion] = byPlatform("binary_sensor");
    assert.deepEqual([motion.dev_cla, motion.stat_t, motion.off_dly], ["motion", "doorbell/front-door/motion", 30]);
    assert.equal(motion.json_attr_t, "doorbell/front-door/motion/attributes", "why it fired, as the firmware said");
    const [image] = byPlatform("image");
    assert.deepEqual(
      [image.url_t, image.img_t, image.cont_type, image.img_e],
      ["doorbell/front-door/snapshot", undefined, undefined, undefined],
      "§2.2: url_topic excludes image_topic, and content_type is invalid with it",
    );
    assert.deepEqual(
      [overMqtt.snapshot.img_t, overMqtt.snapshot.cont_type, overMqtt.snapshot.img_e, overMqtt.snapshot.url_t],
      ["doorbell/front-door/snapshot", "image/jpeg", undefined, undefined],
      "ha.pictures = mqtt: raw bytes, no image_encoding",
    );
    const [button] = byPlatform("button");
    assert.deepEqual(
      [button.name, button.cmd_t, button.pl_prs, button.ret],
      ["Take snapshot", "doorbell/front-door/cmd/snapshot", "snapshot", false],
    );
    const sensors = new Map(byPlatform("sensor").map((s) => [s.val_tpl, s]));
    const rssi = sensors.get("{{ value_json.rssi }}")!;
    assert.deepEqual(
      [rssi.dev_cla, rssi.unit_of_meas, rssi.stat_cla, rssi.ent_cat, rssi.exp_aft],
      ["signal_strength", "dBm", "measurement", "diagnostic", 600],
    );
    assert.equal(sensors.get("{{ value_json.boot }}")!.dev_cla, "timestamp", "uptime as the last boot time (§2.5)");
    assert.equal(sensors.get("{{ value_json.fw }}")!.ent_cat, "diagnostic");
    for (const s of sensors.values()) assert.equal(s.stat_t, "doorbell/front-door/info");
  });
});

describe("Home Assistant discovery: the live view's components", () => {
  test("the Start live view button; the MQTT camera removed by default, on the live frames when opted in (§2.3)", () => {
    const live = payload.cmps;
    assert.deepEqual(
      [live.live_view.p, live.live_view.cmd_t, live.live_view.pl_prs, live.live_view.ret],
      ["button", "doorbell/front-door/cmd/live", "start", false],
    );
    assert.deepEqual(live.live, { p: "camera" }, "its platform alone removes the camera for owners who had it (§1.3)");
    assert.deepEqual(
      all.filter(([, c]) => Object.keys(c).length === 1).map(([id]) => id),
      ["live"],
      "the only removal",
    );
    assert.deepEqual(
      [overMqtt.live.p, overMqtt.live.t, overMqtt.live.img_e, overMqtt.live.def_ent_id, overMqtt.live.uniq_id],
      ["camera", "doorbell/front-door/live", undefined, "camera.front_door_live", "esp32db_front-door_live"],
      "ha.liveStillsOverMqtt: raw bytes on `topic`, no image_encoding",
    );
  });
});

describe("Home Assistant discovery: shared keys and topics", () => {
  test("availability is the device's own retained status topic (its will), shared by every component", () => {
    assert.equal(payload.avty_t, "doorbell/front-door/status");
    for (const [, c] of cmps)
      assert.ok(!("avty_t" in c) && !("avty" in c), "inherited from the device payload (§1.3 SHARED_OPTIONS)");
  });

  test("no Home Assistant topic is one of the device's sealed topics", () => {
    for (const [, c] of cmps)
      for (const k of ["stat_t", "img_t", "url_t", "cmd_t", "t"])
        if (k in c) assert.doesNotMatch(String(c[k]), /\/sealed\//);
  });
});

describe("Home Assistant discovery: the firmware update entity (§2 update)", () => {
  test("the firmware `update` entity (§2 update): device_class firmware, a state topic, Install on the update command", () => {
    const [update] = byPlatform("update");
    assert.deepEqual(
      [update.name, update.dev_cla, update.stat_t, update.cmd_t, update.pl_inst, update.ret, update.def_ent_id],
      [
        "Firmware",
        "firmware",
        "doorbell/front-door/firmware",
        "doorbell/front-door/cmd/update",
        "install",
        false,
        "update.front_door_firmware",
      ],
    );
  });
});

describe("Home Assistant discovery: the doorbell ha-discovery command", () => {
  test("doorbell ha-discovery prints the same message as one JSON line, and names what is wrong with a bad file", () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-disc-"));
    const file = join(dir, "device-config.json");
    writeFileSync(
      file,
      JSON.stringify({
        format: "doorbell-device/1",
        config: { deviceId: "front-door", deviceName: "Front door" },
        tls: {},
      }),
    );
    const r = spawnSync(process.execPath, [CLI, "ha-discovery", "--device-config", file], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 1);
    assert.deepEqual(Object.keys(lines[0]), ["topic", "payload", "retain"]);
    assert.deepEqual(lines[0].payload.cmps, JSON.parse(JSON.stringify(payload.cmps)));
    const flagged = spawnSync(
      process.execPath,
      [CLI, "ha-discovery", "--device-config", file, "--pictures", "mqtt", "--live-stills"],
      { encoding: "utf8" },
    );
    assert.equal(flagged.status, 0, flagged.stderr);
    assert.deepEqual(JSON.parse(flagged.stdout).payload.cmps, JSON.parse(JSON.stringify(overMqtt)));

    writeFileSync(file, JSON.stringify({ format: "doorbell-device/1", config: { deviceId: "Front Door" } }));
    const bad = spawnSync(process.execPath, [CLI, "ha-discovery", "--device-config", file], { encoding: "utf8" });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /config deviceId: "Front Door" is not accepted/);
    writeFileSync(file, "{}");
    assert.match(
      spawnSync(process.execPath, [CLI, "ha-discovery", "--device-config", file], { encoding: "utf8" }).stderr,
      /format must be "doorbell-device\/1"/,
    );
  });
});
