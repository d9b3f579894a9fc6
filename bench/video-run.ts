// SPDX-License-Identifier: MIT
// `npm run bench:video [-- [--quick] [--write] [--producer xs|synthetic]]`: the live-view section alone (bench/video.ts), merged into the
// same report as `npm run bench` (build/ by default, the committed files with --write).
import { relative } from "node:path";
import { benchOptions, writeReport } from "./report.js";
import { benchVideo } from "./video.js";

let options: ReturnType<typeof benchOptions>;
try {
  options = benchOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  process.exit(2);
}
const step = (text: string) => process.stderr.write(`bench: ${text}\n`);
const startedAt = new Date().toISOString();
step("video: the live view through the bridge's MJPEG endpoint on loopback");
const section = await benchVideo({ quick: options.quick, progress: step, producer: options.producer });
writeReport([section], { quick: options.quick, startedAt }, options.paths);
step(`wrote ${relative(process.cwd(), options.paths.markdown)} and ${relative(process.cwd(), options.paths.json)}`);
