// SPDX-License-Identifier: MIT
// Where the tests find CDnet highway frames (test/support/cdnet.ts): the committed subset is complete, and a
// DOORBELL_CDNET_HIGHWAY that does not hold the full sequence is an error that says so, not a quiet skip.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fullHighway, HIGHWAY_SUBSET, highwayFrame } from "../support/cdnet.js";

test("the committed subset holds frames 770-819 with their ground truth, ROI.bmp, temporalROI and README", () => {
  const numbers = Array.from({ length: 50 }, (_, i) => 770 + i);
  assert.deepEqual(readdirSync(join(HIGHWAY_SUBSET, "input")).sort(), numbers.map(highwayFrame));
  assert.deepEqual(
    readdirSync(join(HIGHWAY_SUBSET, "groundtruth")).sort(),
    numbers.map((n) => highwayFrame(n).replace("in", "gt").replace(".jpg", ".png")),
  );
  assert.equal(readFileSync(join(HIGHWAY_SUBSET, "temporalROI.txt"), "utf8").trim(), "790 819");
  for (const f of ["ROI.bmp", "background.pgm", "README.md"]) assert.ok(existsSync(join(HIGHWAY_SUBSET, f)), f);
  assert.match(readFileSync(join(HIGHWAY_SUBSET, "README.md"), "utf8"), /Goyette[\s\S]*Wang/, "the dataset's citation");
});

test("DOORBELL_CDNET_HIGHWAY naming a folder without the 1,700 frames is an error naming it and what it found", () => {
  assert.throws(
    () => fullHighway({ DOORBELL_CDNET_HIGHWAY: "/nonexistent/highway" }),
    /DOORBELL_CDNET_HIGHWAY=\/nonexistent\/highway: expected the CDnet highway sequence there .*found 0/,
  );
  assert.throws(() => fullHighway({ DOORBELL_CDNET_HIGHWAY: HIGHWAY_SUBSET }), /1700 inNNNNNN\.jpg frames\), found 50/);
});
