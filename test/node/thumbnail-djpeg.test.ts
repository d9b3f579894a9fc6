// SPDX-License-Identifier: MIT
// The TypeScript DC thumbnail against libjpeg-turbo (Debian libjpeg-turbo-progs), byte for byte:
// `djpeg -grayscale -scale 1/8 -pnm` on the committed CDnet highway frames (all 1,700 when the full sequence is
// present: test/support/cdnet.ts), on JPEGs cjpeg writes at several
// qualities, subsamplings and restart intervals, and on coefficient-level JPEGs from test/support/jpeg-synth.ts.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { JpegError } from "../../modules/jpeg/jpeg-error.js";
import { encodePgm } from "../../scripts/pgm.js";
import { createThumbnailDecoder, decodeThumbnail } from "../../modules/jpeg/thumbnail-decoder.js";
import { fullHighway, HIGHWAY_FRAMES, HIGHWAY_SUBSET, highwayFrame, skipWithoutFullHighway } from "../support/cdnet.js";
import { scenePpm, synthJpeg } from "../support/jpeg-synth.js";
import { seededRandom } from "../support/seeded-random.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "thumb-djpeg-"));
after(() => rmSync(work, { recursive: true, force: true }));

const djpeg = (file: string) => execFileSync("djpeg", ["-grayscale", "-scale", "1/8", "-pnm", file]);

/** The frames of `inputDir` whose thumbnails differ from djpeg's; `count` frames are expected there. */
function differFromDjpeg(inputDir: string, count: number): string[] {
  const files = readdirSync(inputDir)
    .filter((f) => f.endsWith(".jpg"))
    .sort();
  assert.equal(files.length, count);
  // One shell for all the djpeg runs: a process per frame from Node would dominate the test.
  const refDir = mkdtempSync(join(work, "highway-"));
  execFileSync("bash", [
    "-c",
    `cd "$1" && for f in *.jpg; do djpeg -grayscale -scale 1/8 -pnm "$f" > "$2/\${f%.jpg}.pgm"; done`,
    "_",
    inputDir,
    refDir,
  ]);
  const decoder = createThumbnailDecoder();
  return files.filter((f) => {
    const ours = encodePgm(decoder.decode(new Uint8Array(readFileSync(join(inputDir, f)))));
    return Buffer.compare(Buffer.from(ours), readFileSync(join(refDir, f.replace(".jpg", ".pgm")))) !== 0;
  });
}

/** Coefficient-level JPEGs (test/support/jpeg-synth.ts) whose thumbnails differ from djpeg's, by layout. */
function coefficientJpegsDiffering(): string[] {
  const rnd = seededRandom(11);
  const layouts: [number, number][][] = [
    [
      [2, 2],
      [1, 1],
      [1, 1],
    ],
    [
      [4, 1],
      [1, 1],
      [1, 1],
    ],
    [
      [1, 2],
      [1, 1],
      [1, 1],
    ],
    [[1, 1]],
    [[2, 2]],
  ];
  const differ: string[] = [];
  for (const layout of layouts) {
    for (const restartInterval of [0, 1, 7]) {
      for (const scans of ["interleaved", "separate"] as const) {
        for (const [w, h] of [
          [37, 21],
          [1, 1],
          [130, 66],
        ]) {
          const jpeg = synthJpeg({
            width: w,
            height: h,
            restartInterval,
            scans,
            components: layout.map(([hh, vv], i) => ({
              id: i + 1,
              h: hh,
              v: vv,
              tq: i ? 1 : 0,
              td: i ? 1 : 0,
              ta: i ? 1 : 0,
            })),
            // DC values up to +-1023 (x Q0 8, beyond the 0..255 clamp both ways) and dense AC noise.
            block: () =>
              Int16Array.from({ length: 64 }, (_, k) =>
                k === 0 ? Math.floor(rnd() * 2047) - 1023 : rnd() < 0.3 ? Math.floor(rnd() * 400) - 200 : 0,
              ),
          });
          const file = join(work, "synth.jpg");
          writeFileSync(file, jpeg);
          if (Buffer.compare(Buffer.from(encodePgm(decodeThumbnail(jpeg))), djpeg(file)) !== 0)
            differ.push(`${JSON.stringify(layout)} ri=${restartInterval} ${scans} ${w}x${h}`);
        }
      }
    }
  }
  return differ;
}

describe("thumbnail vs djpeg -grayscale -scale 1/8: CDnet highway frames", () => {
  test("the 50 committed CDnet highway frames (320x240, 4:2:0) are byte-identical", () => {
    assert.deepEqual(differFromDjpeg(join(HIGHWAY_SUBSET, "input"), 50), []);
  });

  test("all 1,700 frames of the full CDnet highway sequence are byte-identical", {
    skip: skipWithoutFullHighway(),
  }, () => {
    assert.deepEqual(differFromDjpeg(join(fullHighway() as string, "input"), HIGHWAY_FRAMES), []);
  });
});

describe("thumbnail vs djpeg -grayscale -scale 1/8: generated JPEGs", () => {
  const sizes: [number, number][] = [
    [320, 240],
    [317, 239],
    [640, 480],
    [9, 17],
    [8, 8],
    [1, 1],
  ];
  const variants: [string, string[]][] = [
    ["4:2:0", ["-sample", "2x2,1x1,1x1"]],
    ["4:2:2", ["-sample", "2x1,1x1,1x1"]],
    ["4:4:4", ["-sample", "1x1,1x1,1x1"]],
    ["4:4:0", ["-sample", "1x2,1x1,1x1"]],
    ["grayscale", ["-grayscale"]],
    ["4:2:0 optimized Huffman tables", ["-sample", "2x2,1x1,1x1", "-optimize"]],
    ["4:2:0 restart every MCU", ["-sample", "2x2,1x1,1x1", "-restart", "1B"]],
    ["4:2:2 restart every 5 MCUs", ["-sample", "2x1,1x1,1x1", "-restart", "5B"]],
    ["4:4:4 restart every row", ["-sample", "1x1,1x1,1x1", "-restart", "1"]],
    ["grayscale restart every 3 MCUs", ["-grayscale", "-restart", "3B"]],
  ];
  for (const [name, args] of variants) {
    test(`cjpeg ${name} at qualities 5, 50, 75, 95 and 100, in six sizes, is byte-identical`, () => {
      const differ: string[] = [];
      for (const [w, h] of sizes) {
        const ppm = join(work, `scene-${w}x${h}.ppm`);
        writeFileSync(ppm, scenePpm(w, h, seededRandom(w * 31 + h)));
        for (const quality of [5, 50, 75, 95, 100]) {
          const jpg = join(work, "cjpeg.jpg");
          execFileSync("cjpeg", ["-quality", String(quality), ...args, "-outfile", jpg, ppm]);
          const ours = encodePgm(decodeThumbnail(new Uint8Array(readFileSync(jpg))));
          if (Buffer.compare(Buffer.from(ours), djpeg(jpg)) !== 0) differ.push(`${w}x${h} q${quality}`);
        }
      }
      assert.deepEqual(differ, []);
    });
  }

  test("cjpeg -progressive is refused as unsupported (djpeg decodes it; the camera never sends it)", () => {
    const ppm = join(work, "p.ppm"),
      jpg = join(work, "p.jpg");
    writeFileSync(ppm, scenePpm(64, 48, seededRandom(1)));
    execFileSync("cjpeg", ["-progressive", "-outfile", jpg, ppm]);
    assert.throws(
      () => decodeThumbnail(new Uint8Array(readFileSync(jpg))),
      (e: unknown) => e instanceof JpegError && e.code === "unsupported",
    );
  });

  test("coefficient-level JPEGs: 4:1:1, 4:2:0, separate scans, restarts, odd sizes, extreme DC values", () => {
    assert.deepEqual(coefficientJpegsDiffering(), []);
  });
});

describe("npm run thumb", () => {
  test("writes djpeg's exact PGM to stdout", () => {
    const file = join(HIGHWAY_SUBSET, "input", highwayFrame(800));
    const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/thumb.ts", file], {
      cwd: ROOT,
      encoding: "buffer",
    });
    assert.equal(run.status, 0, run.stderr.toString());
    assert.equal(Buffer.compare(run.stdout, djpeg(file)), 0);
  });

  test("a file that is not a JPEG: exit status 1, the reason on stderr, nothing on stdout", () => {
    const file = join(work, "not.jpg");
    writeFileSync(file, "hello");
    const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/thumb.ts", file], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(run.status, 1);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /not-jpeg.*no SOI marker/);
  });
});
