// SPDX-License-Identifier: MIT
// Every firmware module can be preloaded on the device: mcconfig runs preloaded modules at build time,
// where no native code (TextEncoder, timers, hardware) exists. Checked by loading them all in XS with
// those globals removed, and by keeping manifest.json's preload list in step with modules/.
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { bundleForXs, repoPath } from "../../hosts/xs/bundle.js";
import { XsWorker } from "../../hosts/xs/xsnap-worker.js";

function moduleFiles(dir = repoPath("modules")): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return moduleFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

test("manifest.json preloads exactly the files in modules/", () => {
  const manifest = JSON.parse(readFileSync(repoPath("manifest.json"), "utf8")) as { preload: string[] };
  const expected = moduleFiles()
    .map((f) => relative(repoPath(""), f).replace(/\.ts$/, ""))
    .sort();
  assert.deepEqual(manifest.preload.filter((p) => p.startsWith("modules/")).sort(), expected);
});

test("every module loads in XS with no TextEncoder, TextDecoder or host calls available (preload-safe)", async () => {
  const dir = repoPath("build/xs");
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, "preload-entry.ts");
  writeFileSync(
    entry,
    `${moduleFiles()
      .map((f) => `import "./${relative(dir, f)}";`)
      .join("\n")}\n`,
  );
  const source = await bundleForXs(entry);
  const worker = new XsWorker({
    name: "doorbell-preload",
    onRequest: () => {
      throw new Error("a module called the host while loading");
    },
  });
  try {
    await worker.evaluate(
      "delete globalThis.TextEncoder; delete globalThis.TextDecoder; " +
        "globalThis.issueCommand = () => { throw new Error('host call at load time'); };",
    );
    await worker.evaluate(source);
    const probe = await worker.evaluate("typeof TextEncoder");
    assert.ok(probe.meter.compute > 0);
  } finally {
    await worker.close();
  }
});
