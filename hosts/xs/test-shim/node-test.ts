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

/** Runs every registered case; never throws. */
export async function runAll(only?: string): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of cases) {
    if (only && !c.name.includes(only)) continue;
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
