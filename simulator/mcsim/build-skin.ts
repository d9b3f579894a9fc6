// SPDX-License-Identifier: MIT
// `npm run mcsim:skin`: bundles the doorbell skin (skin/doorbell.ts and what it imports) into one ES module,
// build/mcsim/simulators/doorbell.js, which mcsim loads as source from a simulators folder. The mcsim modules
// (DevicePane, ControlsPane, piu/*) stay imports: mcsim's compartment provides them (tools/mcsim/main.js).
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
/** Where the bundle goes; simulator/mcsim/manifest.json points mcsim at this folder (SIMULATORS). */
export const SKIN_DIR = join(here, "../../build/mcsim/simulators");

export async function buildSkin(outDir = SKIN_DIR): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, "doorbell.js");
  await build({
    entryPoints: [join(here, "skin/doorbell.ts")],
    bundle: true,
    format: "esm",
    target: "es2022",
    external: ["ControlsPane", "DevicePane", "piu/*"],
    outfile,
    logLevel: "warning",
  });
  return outfile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outfile = await buildSkin();
  console.log(`mcsim skin: ${outfile}`);
}
