// SPDX-License-Identifier: MIT
// Inside XS: the part of `node:test` the unit tests use (describe, test, it), so the same test files
// run in Node and in the XS engine. Tests run in order; async tests are awaited.

type Body = () => void | Promise<void>;
interface Case {
  name: string;
  body: Body;
}

const cases: Case[] = [];
const prefix: string[] = [];

export function test(name: string, body: Body): void {
  cases.push({ name: [...prefix, name].join(" > "), body });
}
export const it = test;

export function describe(name: string, body: () => void): void {
  prefix.push(name);
  try {
    body();
  } finally {
    prefix.pop();
  }
}

export interface CaseResult {
  name: string;
  ok: boolean;
  error?: string;
}

/** The registered cases whose name contains `only` (every case without it). */
function selected(only?: string): Case[] {
  return only ? cases.filter((c) => c.name.includes(only)) : cases;
}

/** How many cases `runAll(only)` runs. */
export function caseCount(only?: string): number {
  return selected(only).length;
}

/** Runs the selected cases `from` to `from + count` (all by default), in order; never throws. */
export async function runAll(only?: string, from = 0, count = Number.POSITIVE_INFINITY): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of selected(only).slice(from, from + count)) {
    try {
      await c.body();
      results.push({ name: c.name, ok: true });
    } catch (error) {
      const e = error as Error;
      results.push({ name: c.name, ok: false, error: `${e?.name ?? "Error"}: ${e?.message ?? String(error)}` });
    }
  }
  return results;
}

export default test;
