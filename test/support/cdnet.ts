// SPDX-License-Identifier: MIT
// Where the tests find CDnet highway frames: the committed subset (test/fixtures/cdnet-highway, always there)
// and the full 1,700-frame sequence, only when present (DOORBELL_CDNET_HIGHWAY, else ../shared/data beside the
// repository). Tests that need the full sequence skip by name without it.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** The committed subset in CDnet layout: frames 770-819 with ground truth, ROI.bmp and temporalROI.txt. */
export const HIGHWAY_SUBSET = new URL("../fixtures/cdnet-highway/", import.meta.url).pathname;

/** The full sequence's frame count (changedetection.net's highway: in000001.jpg to in001700.jpg). */
export const HIGHWAY_FRAMES = 1700;

const BESIDE_REPO = new URL("../../../shared/data/cdnet-highway/", import.meta.url).pathname;

/**
 * The full highway sequence's folder (holding input/), or undefined when it is not here. An environment
 * variable that names a folder without the 1,700 frames is an error, not a quiet skip.
 */
export function fullHighway(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const named = env.DOORBELL_CDNET_HIGHWAY;
  const dir = named || BESIDE_REPO;
  const input = join(dir, "input");
  const frames = existsSync(input) ? readdirSync(input).filter((f) => /^in\d{6}\.jpg$/.test(f)).length : 0;
  if (frames === HIGHWAY_FRAMES) return dir;
  if (named)
    throw new Error(
      `DOORBELL_CDNET_HIGHWAY=${named}: expected the CDnet highway sequence there (input/ with ${HIGHWAY_FRAMES} ` +
        `inNNNNNN.jpg frames), found ${frames}; unset it to run only the tests on the committed subset`,
    );
  return undefined;
}

/** node:test's skip reason when the full sequence is absent; false (run) when it is present. */
export function skipWithoutFullHighway(): string | false {
  return fullHighway()
    ? false
    : "needs the full CDnet highway sequence (1,700 frames): set DOORBELL_CDNET_HIGHWAY to its folder, " +
        "or put it at ../shared/data/cdnet-highway; see test/fixtures/cdnet-highway/README.md";
}

/** A frame's file name in CDnet numbering: 790 -> "in000790.jpg". */
export function highwayFrame(n: number): string {
  return `in${String(n).padStart(6, "0")}.jpg`;
}

/**
 * The per-pixel median of the given frames, decoded to grey by djpeg: a background with the cars gone.
 * Used to make test/fixtures/cdnet-highway/background.pgm (frames 1, 11, ..., 591) and to check it.
 */
export function medianBackground(inputDir: string, frames: number[], width: number, height: number): Uint8Array {
  const grey = frames.map((n) => {
    const pgm = execFileSync("djpeg", ["-grayscale", "-pnm", join(inputDir, highwayFrame(n))]);
    return pgm.subarray(pgm.length - width * height);
  });
  const out = new Uint8Array(width * height);
  const column = new Uint8Array(grey.length);
  for (let i = 0; i < out.length; i++) {
    for (let f = 0; f < grey.length; f++) column[f] = grey[f][i];
    column.sort();
    out[i] = column[column.length >> 1];
  }
  return out;
}

/** The frames the background fixture is the median of: 1, 11, ..., 591 (60 frames, 20 s at 30 fps). */
export const BACKGROUND_FRAMES = Array.from({ length: 60 }, (_, i) => 1 + 10 * i);
