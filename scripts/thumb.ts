// SPDX-License-Identifier: MIT
// `npm run thumb -- <file.jpg>`: writes the DC luma thumbnail (1/8 scale) of a baseline JPEG to stdout as
// binary PGM, byte-identical to `djpeg -grayscale -scale 1/8 -pnm <file.jpg>`. Errors go to stderr.
import { readFileSync, writeSync } from "node:fs";
import { JpegError } from "../modules/jpeg/jpeg-error.js";
import { encodePgm } from "./pgm.js";
import { decodeThumbnail } from "../modules/jpeg/thumbnail-decoder.js";

const file = process.argv[2];
if (!file || process.argv.length > 3 || file === "--help") {
  process.stderr.write("usage: npm run thumb -- <file.jpg>   (writes a binary PGM to stdout)\n");
  process.exit(file === "--help" ? 0 : 2);
}
let jpeg: Uint8Array;
try {
  jpeg = new Uint8Array(readFileSync(file));
} catch (error) {
  process.stderr.write(`thumb: cannot read ${file}: ${(error as Error).message}\n`);
  process.exit(2);
}
try {
  const pgm = encodePgm(decodeThumbnail(jpeg));
  for (let done = 0; done < pgm.length; ) done += writeSync(1, pgm, done);
} catch (error) {
  if (!(error instanceof JpegError)) throw error;
  process.stderr.write(`thumb: ${file}: ${error.message}\n`);
  process.exit(1);
}
