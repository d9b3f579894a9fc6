// SPDX-License-Identifier: MIT
// The device typecheck sees no Node or DOM types: a device module importing node:fs must fail it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { repoPath } from "../../hosts/xs/bundle.js";

function typecheck(probe: string): { status: number | null; output: string } {
  const dir = repoPath("build/typecheck-probe");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "probe.ts"), probe);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({ extends: "../../tsconfig.device.json", include: ["./probe.ts"] }),
  );
  const tsc = repoPath("node_modules/typescript/bin/tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.json")], { encoding: "utf8" });
  return { status: r.status, output: r.stdout + r.stderr };
}

test("typecheck:device rejects a device module that imports node:fs, and accepts one that imports a port", () => {
  const bad = typecheck(`import { readFileSync } from "node:fs";\nexport const probe = readFileSync;\n`);
  assert.notEqual(bad.status, 0);
  assert.match(bad.output, /node:fs/);
  const dom = typecheck(`export const probe = document.title;\n`);
  assert.notEqual(dom.status, 0, "DOM globals must not be visible either");
  const good = typecheck(
    `import type { Host } from "../../modules/ports.js";\nimport Timer from "timer";\n` +
      `export const probe = (h: Host) => Timer.set(() => h.log.write("info", "probe", "ok"), 1);\n`,
  );
  assert.equal(good.status, 0, good.output);
});
