// SPDX-License-Identifier: MIT
// Every table a firmware module exports is frozen, all the way down, so the XS linker can keep it in flash
// when the module is preloaded (xsl warns "not frozen" otherwise, and clones the object into RAM on its first
// write). Checked inside XS on the exports of every file in modules/; typed arrays with elements cannot be
// frozen (ECMAScript) and are listed in docs/build-and-flash.md instead.
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
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

const label = (file: string) => JSON.stringify(relative(repoPath(""), file));

const WALKER = `
function unfrozen(value, path, seen, out) {
  if (typeof value !== "object" || value === null || seen.has(value)) return;
  seen.add(value);
  if (ArrayBuffer.isView(value) && value.byteLength > 0) return;
  if (!Object.isFrozen(value)) out.push(path);
  for (const key of Reflect.ownKeys(value)) unfrozen(value[key], path + "." + String(key), seen, out);
}
`;

test("every object or array a module in modules/ exports is deeply frozen (preload keeps it in flash)", async () => {
  const dir = repoPath("build/xs");
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, "frozen-entry.ts");
  const files = moduleFiles();
  writeFileSync(
    entry,
    [
      ...files.map((f, i) => `import * as m${i} from "./${relative(dir, f)}";`),
      `const modules: Record<string, unknown> = {${files.map((f, i) => `${label(f)}: m${i}`).join(", ")}};`,
      `declare function unfrozen(value: unknown, path: string, seen: Set<unknown>, out: string[]): void;`,
      `const out: string[] = [];`,
      `const seen = new Set<unknown>();`,
      `for (const [file, ns] of Object.entries(modules))`,
      `  for (const [name, value] of Object.entries(ns as object)) unfrozen(value, file + ":" + name, seen, out);`,
      `globalThis.handleCommand = () => new TextEncoder().encode(JSON.stringify(out)).buffer as ArrayBuffer;`,
    ].join("\n"),
  );
  const worker = new XsWorker({ name: "doorbell-frozen", onRequest: () => new Uint8Array(0) });
  let unfrozen: string[];
  try {
    await worker.evaluate(WALKER);
    await worker.evaluate(await bundleForXs(entry));
    const reply = await worker.command(new Uint8Array(0));
    unfrozen = JSON.parse(new TextDecoder().decode(reply.bytes)) as string[];
  } finally {
    await worker.close();
  }
  assert.deepEqual(unfrozen, [], "exported tables that are not frozen");
});
