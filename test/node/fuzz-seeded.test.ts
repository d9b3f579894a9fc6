// SPDX-License-Identifier: MIT
// The fuzz targets (test/fuzz/targets.ts) on a fixed seed and a small budget, so every npm test run checks
// them reproducibly; `npm run fuzz` runs 100,000 cases each.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { FUZZ_TARGETS } from "../fuzz/targets.js";

describe("seeded fuzz", () => {
  for (const target of FUZZ_TARGETS) {
    test(`${target.name}: 2,000 cases, seed 20261126, no crash and a clear refusal each time`, () => {
      const result = fc.check(target.property(), { numRuns: 2000, seed: 20261126 });
      assert.equal(result.failed, false, fc.defaultReportMessage(result) ?? "");
    });
  }
});
