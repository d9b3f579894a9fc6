// SPDX-License-Identifier: MIT
// `npm run test:xs`: bundles every unit test in test/unit/ with the firmware modules and runs them inside
// the real XS engine (xsnap-worker), with crypto bridged to Node; then runs the XS end-to-end tests in test/xs/.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { createFakeHost } from "../../test/support/fake-host.js";
import { nodeAes128GcmAead } from "../../test/support/hpke-aes-gcm.js";
import { hpkeVectorText } from "../../test/support/hpke-vector-text.js";
import { bundleForXs, repoPath } from "./bundle.js";
import type { Handlers, TestHostCalls } from "./host-calls.js";
import { serveHost } from "./serve-host.js";
import { XsWorker } from "./xsnap-worker.js";

/** Unit test cases run in one crank (each crank has its own meter limit). */
const CASES_PER_CRANK = 25;

interface CaseResult {
  name: string;
  ok: boolean;
  error?: string;
}

async function runUnitTestsInXs(only?: string): Promise<boolean> {
  const unitDir = repoPath("test/unit");
  const files = readdirSync(unitDir)
    .filter((f) => f.endsWith(".test.ts"))
    .sort();
  const buildDir = repoPath("build/xs");
  mkdirSync(buildDir, { recursive: true });
  const entry = `${buildDir}/unit-entry.ts`;
  const shim = (f: string) => relative(buildDir, repoPath(`hosts/xs/test-shim/${f}`));
  writeFileSync(
    entry,
    [
      `import { caseCount, runAll } from "./${shim("node-test.ts")}";`,
      ...files.map((f) => `import "./${relative(buildDir, `${unitDir}/${f}`)}";`),
      `let results: unknown;`,
      `globalThis.handleCommand = (command: ArrayBuffer) => {`,
      `  const text = new TextDecoder().decode(new Uint8Array(command));`,
      // "count <only>" answers how many cases match; "run <from> <count> <only>" runs that slice of them.
      `  const [op, a, b, ...rest] = text.split(" ");`,
      `  const only = (op === "count" ? [a, b, ...rest] : rest).filter((w) => w !== undefined).join(" ") || undefined;`,
      `  if (op === "count") return new TextEncoder().encode(String(caseCount(only))).buffer;`,
      `  if (op === "run") {`,
      `    results = null;`,
      `    runAll(only, Number(a), Number(b)).then((r) => { results = r; });`,
      `    return new ArrayBuffer(0);`,
      `  }`,
      `  return new TextEncoder().encode(JSON.stringify(results ?? null)).buffer;`,
      `};`,
    ].join("\n"),
  );

  const source = await bundleForXs(entry, {
    replace: {
      "node:test": repoPath("hosts/xs/test-shim/node-test.ts"),
      "node:assert/strict": repoPath("hosts/xs/test-shim/node-assert.ts"),
      "node:assert": repoPath("hosts/xs/test-shim/node-assert.ts"),
      [repoPath("test/support/test-crypto.ts")]: repoPath("hosts/xs/guest-crypto.ts"),
      [repoPath("test/support/hpke-vector-text.ts")]: repoPath("hosts/xs/test-shim/hpke-vector-text.ts"),
      [repoPath("test/support/hpke-aes-gcm.ts")]: repoPath("hosts/xs/test-shim/hpke-aes-gcm.ts"),
    },
  });

  // Crypto (and anything else a unit test reaches) is served by a fake host on the Node side, and the vector
  // tests' AES-128-GCM by this runner (TestHostCalls).
  const aes = nodeAes128GcmAead();
  const testCalls: Handlers<TestHostCalls> = {
    "test.aes.seal": (_, [key, nonce, aad, plaintext]) => ({ blobs: [aes.seal(key, nonce, aad, plaintext)] }),
    "test.aes.open": (_, [key, nonce, aad, sealed]) => {
      const opened = aes.open(key, nonce, aad, sealed);
      return { blobs: opened ? [opened] : [] };
    },
  };
  const server = serveHost(
    createFakeHost(),
    () => {
      throw new Error("unit tests in XS must not start port callbacks");
    },
    testCalls,
  );
  const onRequest = (request: Uint8Array) => server.answer(request);
  // The cases run CASES_PER_CRANK at a time, one crank each, so the meter limit bounds each slice (XS's meter is
  // 32 bits: a crank cannot be given more than about 4.29 billion units); a test stuck in a loop still ends with
  // E_TOO_MUCH_COMPUTATION.
  const worker = new XsWorker({ name: "doorbell-unit-tests", meterLimit: 4_000_000_000, onRequest });
  const say = async (text: string) =>
    new TextDecoder().decode((await worker.command(new TextEncoder().encode(text))).bytes);
  try {
    await worker.evaluate(`globalThis.__HPKE_VECTOR_TEXT__ = ${JSON.stringify(hpkeVectorText())};`);
    await worker.evaluate(source);
    const total = Number(await say(`count ${only ?? ""}`));
    const results: CaseResult[] = [];
    for (let from = 0; from < total; from += CASES_PER_CRANK) {
      await say(`run ${from} ${CASES_PER_CRANK} ${only ?? ""}`);
      const slice = JSON.parse(await say("results")) as CaseResult[] | null;
      if (!slice) throw new Error("the XS test run did not finish within one crank (does a test wait on a timer?)");
      results.push(...slice);
    }
    for (const r of results)
      console.log(`${r.ok ? "ok  " : "FAIL"} [xs] ${r.name}${r.error ? `\n       ${r.error}` : ""}`);
    const failed = results.filter((r) => !r.ok).length;
    console.log(
      `\nXS unit tests (${files.length} files, ${source.length} bytes of script): ${results.length - failed} passed, ${failed} failed`,
    );
    return failed === 0 && results.length > 0;
  } finally {
    await worker.close();
  }
}

const only = process.argv[2];
const unitOk = await runUnitTestsInXs(only);
const e2e = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    "--test-reporter=spec",
    ...readdirSync(repoPath("test/xs"))
      .filter((f) => f.endsWith(".test.ts"))
      .map((f) => repoPath(`test/xs/${f}`)),
  ],
  { stdio: "inherit" },
);
process.exit(unitOk && e2e.status === 0 ? 0 : 1);
