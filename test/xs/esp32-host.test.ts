// SPDX-License-Identifier: MIT
// Runs the ESP32 host's own TypeScript (hosts/esp32) inside the XS engine against fakes of the Moddable
// modules it imports (test/xs/moddable-fakes, each following the SDK file its header names). The tests
// are test/esp32/*.test.ts; they run in one xsnap crank, on the fakes' virtual clock, with crypto
// answered by Node over the host-call bridge. Also checks that every hosts/esp32 module was in the bundle.
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { bundleForXs, repoPath } from "../../hosts/xs/bundle.js";
import { serveHost } from "../../hosts/xs/serve-host.js";
import { XsWorker } from "../../hosts/xs/xsnap-worker.js";
import { createFakeHost } from "../support/fake-host.js";

/** The Moddable SDK specifiers hosts/esp32 imports, each resolved to its fake in test/xs/moddable-fakes. */
const FAKES: Record<string, string> = {
  "embedded:io/digital": "digital.ts",
  "embedded:io/image/in/camera": "camera.ts",
  "embedded:network/mqtt/client": "mqtt-client.ts",
  "embedded:io/socket/tcp": "tcp.ts",
  "embedded:io/socket/tcp/tls": "tls.ts",
  "embedded:io/socket/udp": "udp.ts",
  "embedded:network/dns/resolver/udp": "dns-resolver.ts",
  "embedded:network/interface/wifi": "wifi.ts",
  "embedded:provider/builtin": "provider-builtin.ts",
  preference: "preference.ts",
  file: "file.ts",
  flash: "flash.ts",
  timer: "timer.ts",
  time: "time.ts",
  sntp: "sntp.ts",
  net: "net.ts",
  Resource: "resource.ts",
  "text/encoder": "text-encoder.ts",
  "text/decoder": "text-decoder.ts",
};

function moddableFakeAliases(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(FAKES).map(([specifier, file]) => [specifier, repoPath(`test/xs/moddable-fakes/${file}`)]),
  );
}

interface CaseResult {
  name: string;
  ok: boolean;
  error?: string;
}

/** hosts/esp32 TypeScript that runs on the device (the native C tests and type declarations excluded). */
function esp32Modules(dir = repoPath("hosts/esp32")): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "test" || name === "types" ? [] : esp32Modules(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

async function bundleEsp32Tests(): Promise<string> {
  const testDir = repoPath("test/esp32");
  const buildDir = repoPath("build/xs");
  mkdirSync(buildDir, { recursive: true });
  const entry = join(buildDir, "esp32-entry.ts");
  const rel = (path: string) => `./${relative(buildDir, path)}`;
  const files = readdirSync(testDir)
    .filter((f) => f.endsWith(".test.ts"))
    .sort();
  writeFileSync(
    entry,
    [
      // The device globals first: host modules read them while they load.
      `import "${rel(repoPath("test/xs/moddable-fakes/device-globals.ts"))}";`,
      `import { runAll } from "${rel(repoPath("hosts/xs/test-shim/node-test.ts"))}";`,
      ...files.map((f) => `import "${rel(join(testDir, f))}";`),
      `let results: unknown;`,
      `globalThis.handleCommand = (command: ArrayBuffer) => {`,
      `  const text = new TextDecoder().decode(new Uint8Array(command));`,
      `  if (text === "run") { runAll().then((r) => { results = r; }); return new ArrayBuffer(0); }`,
      `  return new TextEncoder().encode(JSON.stringify(results ?? null)).buffer;`,
      `};`,
    ].join("\n"),
  );
  return bundleForXs(entry, {
    aliases: moddableFakeAliases(),
    replace: {
      "node:test": repoPath("hosts/xs/test-shim/node-test.ts"),
      "node:assert/strict": repoPath("hosts/xs/test-shim/node-assert.ts"),
      "node:assert": repoPath("hosts/xs/test-shim/node-assert.ts"),
      // The owner's side of an update (test/support/update-owner.ts) seals with the crypto bridged to Node.
      [repoPath("test/support/test-crypto.ts")]: repoPath("hosts/xs/guest-crypto.ts"),
    },
  });
}

test("hosts/esp32 on the Moddable fakes, inside XS", async (t) => {
  const source = await bundleEsp32Tests();
  const server = serveHost(createFakeHost(), () => {
    throw new Error("the ESP32 host tests use only the crypto calls");
  });
  const worker = new XsWorker({
    name: "doorbell-esp32-host",
    meterLimit: 4_000_000_000,
    onRequest: (request) => server.answer(request),
  });
  let results: CaseResult[] | null;
  try {
    await worker.evaluate(source);
    await worker.command(new TextEncoder().encode("run"));
    const reply = await worker.command(new TextEncoder().encode("results"));
    results = JSON.parse(new TextDecoder().decode(reply.bytes)) as CaseResult[] | null;
  } finally {
    await worker.close();
    server.close();
  }
  assert.ok(results, "the ESP32 host tests did not finish within one crank (does a test wait on a real timer?)");
  assert.ok(results.length > 0, "no ESP32 host test ran");
  for (const r of results) {
    await t.test(`[xs esp32] ${r.name}`, () => {
      if (!r.ok) assert.fail(r.error ?? "failed");
    });
  }

  await t.test("every hosts/esp32 module ran in the bundle", () => {
    const missing = esp32Modules()
      .map((path) => relative(repoPath(""), path))
      .filter((path) => !source.includes(`// ${path}\n`));
    assert.deepEqual(missing, [], "hosts/esp32 modules that no test/esp32 test imports");
  });
});
