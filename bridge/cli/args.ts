// SPDX-License-Identifier: MIT
// A small flag parser for the CLI: `--name value` pairs and boolean flags, with errors that name the flag.

export interface FlagSpec {
  /** Flags that take a value. */
  values: string[];
  /** Flags without a value. */
  booleans?: string[];
  required?: string[];
}

export class UsageError extends Error {}

export function parseFlags(argv: string[], spec: FlagSpec, usage: string): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const name = arg.replace(/^--/, "");
    if (!arg.startsWith("--")) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}\n${usage}`);
    if (spec.booleans?.includes(name)) out[name] = true;
    else if (spec.values.includes(name)) {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value\n${usage}`);
      out[name] = v;
    } else throw new UsageError(`unknown option ${arg}\n${usage}`);
  }
  for (const r of spec.required ?? []) if (out[r] === undefined) throw new UsageError(`missing --${r}\n${usage}`);
  return out;
}

export function wantsHelp(argv: string[]): boolean {
  return argv.includes("--help") || argv.includes("-h");
}
