// SPDX-License-Identifier: MIT
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { renderConfigDoc } from "../../scripts/config-doc.js";

test("docs/config.md matches the config schema (regenerate with npx tsx scripts/config-doc.ts --write)", () => {
  assert.equal(readFileSync(new URL("../../docs/config.md", import.meta.url), "utf8"), renderConfigDoc());
});
