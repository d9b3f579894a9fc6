// SPDX-License-Identifier: MIT
// Privacy zones in the config and in a zones file (issue 14 point 2): parseZones's limits and its errors,
// which name the zone, the field, the value and what is accepted; `privacy.zones` and `privacy.grey` in the config.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fromUtf8 } from "../../modules/bytes.js";
import { CONFIG_KEY, createConfigStore } from "../../modules/config-store.js";
import { formatConfigErrors, parseConfig } from "../../modules/config.js";
import { createLogger } from "../../modules/logger.js";
import {
  formatZoneErrors,
  MAX_FRAME_PX,
  MAX_POLYGON_POINTS,
  MAX_ZONES,
  parseZones,
} from "../../modules/privacy/zones.js";
import { createFakeHost } from "../support/fake-host.js";

const rect = { x: 10, y: 20, width: 30, height: 40 };
const triangle: [number, number][] = [
  [0, 0],
  [64, 0],
  [0, 48],
];

describe("parseZones", () => {
  test("rectangles and polygons are accepted as fresh objects", () => {
    const raw = [rect, { polygon: triangle }];
    const r = parseZones(raw);
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.deepEqual(r.zones, raw);
    assert.notEqual(r.zones[0], raw[0]);
    assert.deepEqual(parseZones([]), { ok: true, zones: [] });
  });

  test("each bad field is named by zone index, with its value and what is accepted", () => {
    const r = parseZones([rect, { polygon: triangle }, { ...rect, width: -5 }, { polygon: [...triangle, [1, "2"]] }]);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.deepEqual(r.errors[0], {
      path: "[2].width",
      value: "-5",
      accepted: `an integer from 1 to ${MAX_FRAME_PX} (image pixels)`,
    });
    assert.equal(r.errors[1].path, "[3].polygon[3]");
    assert.match(r.errors[1].accepted, /an \[x, y\] point, each an integer from 0 to 4096/);
    assert.equal(
      formatZoneErrors("zones.json", [r.errors[0]]),
      "zones.json[2].width: -5 is not accepted; expected an integer from 1 to 4096 (image pixels)",
    );
  });

  test("the limits: zone count, polygon points, coordinates within the frame size bound, no stray keys", () => {
    const paths = (raw: unknown) => {
      const r = parseZones(raw);
      return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.accepted}`);
    };
    assert.deepEqual(paths(Array(MAX_ZONES + 1).fill(rect)), [`: at most ${MAX_ZONES} zones`]);
    assert.deepEqual(paths(Array(MAX_ZONES).fill(rect)), []);
    const many = Array.from({ length: MAX_POLYGON_POINTS + 1 }, (_, i) => [i, i % 2]);
    assert.deepEqual(paths([{ polygon: many }]), [`[0].polygon: a list of 3 to ${MAX_POLYGON_POINTS} [x, y] points`]);
    assert.deepEqual(paths([{ polygon: triangle.slice(0, 2) }]), [`[0].polygon: a list of 3 to 32 [x, y] points`]);
    assert.deepEqual(paths([{ ...rect, x: MAX_FRAME_PX - 10, width: 11 }]), ["[0].width: x + width at most 4096"]);
    assert.deepEqual(paths([{ ...rect, y: 4096 }]), ["[0].y: an integer from 0 to 4095 (image pixels)"]);
    assert.deepEqual(paths([{ ...rect, height: 2.5 }]), ["[0].height: an integer from 1 to 4096 (image pixels)"]);
    assert.deepEqual(paths([{ ...rect, colour: "red" }]), ["[0].colour: only x, y, width and height in a rectangle"]);
    assert.deepEqual(paths([{ x: 1, y: 1, width: 1 }]), ["[0].height: an integer from 1 to 4096 (image pixels)"]);
    assert.match(paths([[1, 2, 3, 4]])[0], /^\[0\]: a rectangle \{"x", "y", "width", "height"\} or a polygon/);
    assert.match(paths({ zones: [] })[0], /^: a list of zones/);
  });
});

describe("privacy config", () => {
  test("privacy.zones and privacy.grey default to no zones and mid grey, and take valid values", () => {
    const d = parseConfig({});
    assert.ok(d.ok);
    if (d.ok) assert.deepEqual(d.config.privacy, { zones: [], grey: 128 });
    const r = parseConfig({ privacy: { zones: [rect, { polygon: triangle }], grey: 0 } });
    assert.ok(r.ok);
    if (r.ok) assert.deepEqual(r.config.privacy, { zones: [rect, { polygon: triangle }], grey: 0 });
  });

  test("a bad zone is refused naming privacy.zones[i] and its field; a bad grey names the range", () => {
    const r = parseConfig({ privacy: { zones: [rect, rect, { ...rect, width: -5 }], grey: 256 } });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(
      formatConfigErrors(r.errors),
      "config privacy.zones[2].width: -5 is not accepted; expected an integer from 1 to 4096 (image pixels)\n" +
        "config privacy.grey: 256 is not accepted; expected an integer from 0 to 255 grey level",
    );
  });

  test("the config store logs the retired motion.privacyMask's notice and persists it as privacy.zones", () => {
    const host = createFakeHost();
    const log = createLogger(host.log, "config");
    const store = createConfigStore({ kv: host.storage.kv, log, initial: { motion: { privacyMask: [triangle] } } });
    assert.deepEqual(store.current.privacy.zones, [{ polygon: triangle }]);
    assert.ok(host.lines.some((l) => l.level === "warn" && /motion\.privacyMask is retired/.test(l.message)));
    store.apply({ motion: { privacyMask: [triangle] } });
    const stored = JSON.parse(fromUtf8(host.storage.kv.get(CONFIG_KEY)!));
    assert.deepEqual(stored.privacy.zones, [{ polygon: triangle }], "the persisted config says privacy.zones");
    assert.equal(stored.motion.privacyMask, undefined);
  });
});
