// SPDX-License-Identifier: MIT
// Bundles TypeScript for the XS worker: one IIFE script, ES2022, no Node built-ins (an import of one fails).
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

export interface BundleOptions {
  /** Module paths (absolute) swapped for others, e.g. the Node test crypto for the guest one. */
  replace?: Record<string, string>;
  /** Extra text files the bundle may import as strings (by extension). */
  textExtensions?: string[];
  /** Bare module specifiers resolved to files, e.g. Moddable's "embedded:io/digital" to its test fake. */
  aliases?: Record<string, string>;
}

/** Returns the script source of `entry` and its imports. */
export async function bundleForXs(entry: string, options: BundleOptions = {}): Promise<string> {
  const replace = options.replace ?? {};
  const aliases = options.aliases ?? {};
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "iife",
    target: "es2022",
    platform: "neutral",
    mainFields: ["module", "main"],
    logLevel: "silent",
    loader: Object.fromEntries((options.textExtensions ?? []).map((ext) => [ext, "text" as const])),
    plugins: [
      {
        name: "xs-replace",
        setup(b) {
          b.onResolve({ filter: /.*/ }, async (args) => {
            if (args.pluginData === "xs-replace") return undefined;
            const alias = aliases[args.path];
            if (alias) return { path: alias };
            if (args.path.startsWith("node:")) {
              const shim = replace[args.path];
              if (shim) return { path: shim };
              return {
                errors: [
                  { text: `${args.path} is a Node built-in and cannot run on XS (imported by ${args.importer})` },
                ],
              };
            }
            const resolved = await b.resolve(args.path, {
              resolveDir: args.resolveDir,
              kind: args.kind,
              pluginData: "xs-replace",
            });
            if (resolved.errors.length) return resolved;
            const swap = replace[resolved.path];
            return swap ? { path: swap } : resolved;
          });
        },
      },
    ],
  });
  return result.outputFiles[0].text;
}

/** Absolute path of a file in this repository, from a path relative to the root. */
export function repoPath(relative: string): string {
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}
