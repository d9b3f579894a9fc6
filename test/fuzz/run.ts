// SPDX-License-Identifier: MIT
// `npm run fuzz [-- --cases N] [--seed S] [--only name]`: every fuzz target for 100,000 cases by default,
// with progress; fails (exit 1) on the first counterexample, printing fast-check's shrunk report.
import fc from "fast-check";
import { performance } from "node:perf_hooks";
import { FUZZ_TARGETS } from "./targets.js";

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const cases = Number(flag("cases") ?? 100_000);
const seed = Number(flag("seed") ?? Date.now() % 2 ** 31);
const only = flag("only");
let failed = 0;
console.log(`fuzz: ${cases.toLocaleString("en")} cases per target, seed ${seed} (re-run with --seed ${seed})`);
for (const target of FUZZ_TARGETS.filter((t) => !only || t.name.includes(only))) {
  const start = performance.now();
  let done = 0;
  const property = target.property().afterEach(() => {
    done++;
    if (done % 20_000 === 0) process.stderr.write(`  ${target.name}: ${done.toLocaleString("en")}\n`);
  });
  // A hang shows up as the run hitting this bound instead of finishing its cases.
  const result = fc.check(property, { numRuns: cases, seed, endOnFailure: true, interruptAfterTimeLimit: 30 * 60_000 });
  const ms = performance.now() - start;
  if (result.failed || result.interrupted) {
    failed++;
    console.log(`FAIL ${target.name}\n${fc.defaultReportMessage(result)}`);
  } else {
    console.log(
      `ok   ${target.name}: ${result.numRuns.toLocaleString("en")} cases in ${(ms / 1000).toFixed(1)} s ` +
        `(${((ms * 1000) / result.numRuns).toFixed(0)} µs each)`,
    );
  }
}
console.log(`\nfuzz: ${FUZZ_TARGETS.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
