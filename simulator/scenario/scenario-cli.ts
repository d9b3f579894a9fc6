// SPDX-License-Identifier: MIT
// `npm run scenario -- <file.yaml>...`: checks every file first (nothing runs if one is invalid), then runs
// them one after the other, each on a fresh simulation, and prints one line per scenario.
// Exit codes: 0 all passed, 1 a scenario failed, 42 none failed but one timed out, 2 bad usage or an invalid file.
import { basename, join } from "node:path";
import { readScenario, ScenarioError, type Scenario } from "./parse-scenario.js";
import { runScenario, type Outcome } from "./run-scenario.js";

export const EXIT = { pass: 0, fail: 1, usage: 2, timeout: 42 } as const;

const USAGE = `usage: npm run scenario -- [--out DIR] [--engine xs|node] [--http-port N] FILE.yaml...
  --out        where the JSONL artifacts go, one per scenario (default build/scenarios)
  --engine     run the firmware on the XS engine (default, or as the file says) or on Node
  --http-port  also serve the page while each scenario runs, to watch it (0 picks a free port)
Exit codes: 0 every scenario passed, 1 one failed, 42 one timed out (and none failed), 2 usage or an invalid file.
The file format is in simulator/scenarios/README.md.`;

async function main(argv: string[]): Promise<number> {
  const files: string[] = [];
  let out = "build/scenarios";
  let engine: "xs" | "node" | undefined;
  let httpPort: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new ScenarioError([`${a} needs a value\n${USAGE}`]);
      return v;
    };
    if (a === "--out") out = value();
    else if (a === "--engine") {
      const e = value();
      if (e !== "xs" && e !== "node") throw new ScenarioError([`--engine ${e}: expected xs or node`]);
      engine = e;
    } else if (a === "--http-port") {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0 || n > 65535)
        throw new ScenarioError([`--http-port: expected a port number from 0 to 65535`]);
      httpPort = n;
    } else if (a === "-h" || a === "--help") {
      console.log(USAGE);
      return EXIT.pass;
    } else if (a.startsWith("--")) throw new ScenarioError([`unknown option ${a}\n${USAGE}`]);
    else files.push(a);
  }
  if (files.length === 0) throw new ScenarioError([`no scenario file given\n${USAGE}`]);

  const scenarios: Scenario[] = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      scenarios.push(readScenario(file));
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length) throw new ScenarioError(problems);

  const outcomes: Outcome[] = [];
  for (const s of scenarios) {
    const artifactPath = join(out, `${basename(s.file).replace(/\.ya?ml$/i, "")}.jsonl`);
    const r = await runScenario(s, { engine, artifactPath, httpPort });
    outcomes.push(r.outcome);
    const seconds = (r.durationMs / 1000).toFixed(1);
    console.log(
      `${r.outcome.toUpperCase().padEnd(7)} ${s.name} (${s.file}, ${seconds} s)${r.message ? `: ${r.message}` : ""}`,
    );
    console.log(`        artifact: ${r.artifact}`);
  }
  const count = (o: Outcome) => outcomes.filter((x) => x === o).length;
  console.log(`${count("pass")} passed, ${count("fail")} failed, ${count("timeout")} timed out`);
  return count("fail") ? EXIT.fail : count("timeout") ? EXIT.timeout : EXIT.pass;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error instanceof ScenarioError ? error.message : `scenario: ${error.stack ?? error.message}`);
    process.exit(error instanceof ScenarioError ? EXIT.usage : EXIT.fail);
  },
);
