// SPDX-License-Identifier: MIT
// npm test's pretest step and .ci/run install the same Debian packages.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { repoPath } from "../../hosts/xs/bundle.js";

test(".ci/run installs exactly the packages scripts/system-deps.sh requires", () => {
  const deps = /^PACKAGES=\(([^)]*)\)/m
    .exec(readFileSync(repoPath("scripts/system-deps.sh"), "utf8"))?.[1]
    .trim()
    .split(/\s+/)
    .sort();
  const ci = /apt-get install -y -q --no-install-recommends (.*)$/m
    .exec(readFileSync(repoPath(".ci/run"), "utf8"))?.[1]
    .trim()
    .split(/\s+/)
    .sort();
  assert.ok(deps && deps.length > 5);
  assert.deepEqual(ci, deps);
});
