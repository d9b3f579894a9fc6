// SPDX-License-Identifier: MIT
// The simulator's ways in for privacy zones (issue 14 point 5): `npm start -- --zones <file>` and the page's
// POST /api/zones, each validated by the firmware's parseZones with errors that name the file or body and the field.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { Zone } from "../../modules/privacy/zone.js";
import { parseArgs } from "../../simulator/args.js";
import type { Simulation } from "../../simulator/simulation.js";
import { handleAction } from "../../simulator/web-actions.js";

const dir = mkdtempSync(join(tmpdir(), "sim-zones-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("--zones <file>", () => {
  test("a zones file becomes the device's zones", () => {
    const zones = [
      { x: 0, y: 0, width: 160, height: 480 },
      {
        polygon: [
          [400, 0],
          [640, 0],
          [640, 200],
        ],
      },
    ];
    assert.deepEqual(parseArgs(["--zones", file("good.json", JSON.stringify(zones))]).zones, zones);
    assert.equal(parseArgs([]).zones, undefined);
  });

  test("a bad file is refused naming the file, the zone and the field; so are a missing file and bad JSON", () => {
    const bad = file("bad.json", JSON.stringify([{ x: 0, y: 0, width: -5, height: 10 }]));
    assert.throws(
      () => parseArgs(["--zones", bad]),
      new Error(`--zones ${bad}[0].width: -5 is not accepted; expected an integer from 1 to 4096 (image pixels)`),
    );
    assert.throws(() => parseArgs(["--zones", join(dir, "none.json")]), /none\.json: cannot read it \(ENOENT\)/);
    assert.throws(
      () => parseArgs(["--zones", file("text.json", "zones")]),
      /not JSON .*expected a JSON array of zones/,
    );
  });
});

describe("POST /api/zones", () => {
  const fakeSim = () => {
    const sent: Zone[][] = [];
    const sim = { setZones: async (z: Zone[]) => void sent.push(z), status: () => ({}) } as unknown as Simulation;
    return { sim, sent };
  };

  test("valid zones go to the simulation (which sends the device a signed set-config)", async () => {
    const { sim, sent } = fakeSim();
    const r = await handleAction(sim, "zones", { zones: [{ x: 1, y: 2, width: 3, height: 4 }] });
    assert.equal(r.status, 200);
    assert.deepEqual(sent, [[{ x: 1, y: 2, width: 3, height: 4 }]]);
  });

  test("bad zones get a 400 naming the zone and field, and nothing is sent", async () => {
    const { sim, sent } = fakeSim();
    const r = await handleAction(sim, "zones", { zones: [{ x: 1, y: 2, width: 3, height: 0 }] });
    assert.deepEqual(r, {
      status: 400,
      body: { error: "zones[0].height: 0 is not accepted; expected an integer from 1 to 4096 (image pixels)" },
    });
    assert.equal((await handleAction(sim, "zones", {})).status, 400);
    assert.deepEqual(sent, []);
  });
});
