// SPDX-License-Identifier: MIT
// Runs the mcsim desktop host (hosts/mcsim) and the skin's logic (simulator/mcsim/skin, without piu) inside
// the XS engine, on the same Moddable fakes as the ESP32 host tests plus the `screen` fake. The tests are
// test/mcsim/*.test.ts, in one xsnap crank on the fakes' virtual clock, crypto answered by Node. Also checks
// that every non-drawing module of hosts/mcsim and simulator/mcsim/skin was in the bundle.
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { bundleForXs, repoPath } from "../../hosts/xs/bundle.js";
import { serveHost } from "../../hosts/xs/serve-host.js";
import { XsWorker } from "../../hosts/xs/xsnap-worker.js";
import { createFakeHost } from "../support/fake-host.js";

/** The Moddable SDK specifiers the mcsim host imports (through hosts/esp32), each resolved to its fake. */
const FAKES: Record<string, string> = {
  "embedded:network/mqtt/client": "mqtt-client.ts",
  "embedded:io/socket/tcp": "tcp.ts",
  "embedded:io/socket/tcp/tls": "tls.ts",
  "embedded:io/socket/udp": "udp.ts",
  "embedded:network/dns/resolver/udp": "dns-resolver.ts",
  preference: "preference.ts",
  file: "file.ts",
  timer: "timer.ts",
  time: "time.ts",
  Resource: "resource.ts",
  "text/encoder": "text-encoder.ts",
  "text/decoder": "text-decoder.ts",
  // Not imported by the mcsim host, but by the fakes' reset (test/xs/moddable-fakes/reset.ts).
  "embedded:io/digital": "digital.ts",
  "embedded:io/image/in/camera": "camera.ts",
  "embedded:network/interface/wifi": "wifi.ts",
  sntp: "sntp.ts",
  net: "net.ts",
};

/** The modules that must run here: hosts/mcsim and the skin's logic (doorbell.ts is the piu drawing). */
const UNDER_TEST = [
  ...readdirSync(repoPath("hosts/mcsim"))
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => `hosts/mcsim/${f}`),
  "simulator/mcsim/skin/skin-model.ts",
];

interface CaseResult {
  name: string;
  ok: boolean;
  error?: string;
}

async function bundleMcsimTests(): Promise<string> {
  const buildDir = repoPath("build/xs");
  mkdirSync(buildDir, { recursive: true });
  const entry = join(buildDir, "mcsim-entry.ts");
  const rel = (path: string) => `./${relative(buildDir, path)}`;
  const testDir = repoPath("test/mcsim");
  const files = readdirSync(testDir)
    .filter((f) => f.endsWith(".test.ts"))
    .sort();
  writeFileSync(
    entry,
    [
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
    aliases: Object.fromEntries(
      Object.entries(FAKES).map(([specifier, file]) => [specifier, repoPath(`test/xs/moddable-fakes/${file}`)]),
    ),
    replace: {
      "node:test": repoPath("hosts/xs/test-shim/node-test.ts"),
      "node:assert/strict": repoPath("hosts/xs/test-shim/node-assert.ts"),
      "node:assert": repoPath("hosts/xs/test-shim/node-assert.ts"),
    },
  });
}

test("the mcsim host and the skin's logic on the Moddable fakes, inside XS", async (t) => {
  const source = await bundleMcsimTests();
  const server = serveHost(createFakeHost(), () => {
    throw new Error("the mcsim host tests use only the crypto calls");
  });
  const worker = new XsWorker({
    name: "doorbell-mcsim-host",
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
  assert.ok(results, "the mcsim tests did not finish within one crank (does a test wait on a real timer?)");
  assert.ok(results.length > 0, "no mcsim test ran");
  for (const r of results) {
    await t.test(`[xs mcsim] ${r.name}`, () => {
      if (!r.ok) assert.fail(r.error ?? "failed");
    });
  }

  await t.test("every hosts/mcsim module and the skin model ran in the bundle", () => {
    const missing = UNDER_TEST.filter((path) => !source.includes(`// ${path}\n`));
    assert.deepEqual(missing, [], "modules that no test/mcsim test imports");
  });
});
