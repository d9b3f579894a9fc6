// SPDX-License-Identifier: MIT
// Proof of issue 14's redaction against libjpeg-turbo: `djpeg -nosmooth -pnm` (colour and -grayscale) of the
// redacted JPEG and of the original. Inside every MCU a zone touches, every pixel is the flat grey (R = G = B);
// everywhere else the pixels are identical to the original's decode. The expected MCUs and grey come from the
// zones, the SOF sampling and the DQT here, not from the redactor. On the committed highway frames (all 1,700
// when present), cjpeg JPEGs of each sampling with and without restarts, and the simulator's porch scene.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { createRedactor } from "../../modules/jpeg/redact.js";
import type { RectZone } from "../../modules/privacy/zone.js";
import { zoneCells } from "../../modules/privacy/zone-cells.js";
import { createJpegEncoder } from "../../hosts/node/jpeg-encoder.js";
import { createPorchScene } from "../../simulator/scene/porch-scene.js";
import { fullHighway, HIGHWAY_FRAMES, HIGHWAY_SUBSET, skipWithoutFullHighway } from "../support/cdnet.js";
import { scenePpm } from "../support/jpeg-synth.js";
import { seededRandom } from "../support/seeded-random.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "redact-djpeg-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** What the test reads from the JPEG itself: size, MCU size in pixels, luma DC quantiser. */
interface Frame {
  width: number;
  height: number;
  mcuW: number;
  mcuH: number;
  q0: number;
  comps: number;
}

function frameOf(jpeg: Uint8Array): Frame {
  const q = new Map<number, number>();
  let pos = 2;
  while (pos + 4 <= jpeg.length && jpeg[pos] === 0xff) {
    const m = jpeg[pos + 1],
      len = (jpeg[pos + 2] << 8) | jpeg[pos + 3],
      p = pos + 4;
    if (m === 0xdb) for (let t = p; t < p + len - 2; t += 65 + 64 * (jpeg[t] >> 4)) q.set(jpeg[t] & 15, jpeg[t + 1]);
    if (m === 0xc0 || m === 0xc1) {
      const comps = jpeg[p + 5];
      let hMax = 1,
        vMax = 1;
      for (let c = 0; c < comps; c++) {
        hMax = Math.max(hMax, jpeg[p + 7 + 3 * c] >> 4);
        vMax = Math.max(vMax, jpeg[p + 7 + 3 * c] & 15);
      }
      const single = comps === 1;
      return {
        height: (jpeg[p + 1] << 8) | jpeg[p + 2],
        width: (jpeg[p + 3] << 8) | jpeg[p + 4],
        mcuW: single ? 8 : 8 * hMax,
        mcuH: single ? 8 : 8 * vMax,
        q0: q.get(jpeg[p + 8]) as number,
        comps,
      };
    }
    pos = p + len - 2;
  }
  throw new Error("no SOF0/SOF1");
}

/** libjpeg-turbo's flat pixel for a quantised DC: 128 + (DC*Q0 + 4) >> 3, with DC = round((grey-128)*8/Q0). */
function flatGrey(grey: number, q0: number): number {
  const n = (grey - 128) * 8;
  const dc = Math.sign(n) * Math.round(Math.abs(n) / q0);
  return Math.max(0, Math.min(255, 128 + ((dc * q0 + 4) >> 3)));
}

interface Pnm {
  width: number;
  height: number;
  channels: number;
  pixels: Uint8Array;
}
function parsePnm(buf: Uint8Array): Pnm {
  const text = Buffer.from(buf.subarray(0, 40)).toString("latin1");
  const m = /^P([56])\s+(\d+)\s+(\d+)\s+255\s/.exec(text);
  if (!m) throw new Error("not a PNM");
  const [, kind, w, h] = m;
  return { width: +w, height: +h, channels: kind === "6" ? 3 : 1, pixels: buf.subarray(m[0].length) };
}

/** The MCUs a rectangle zone touches (pixels x <= px < x + width, clipped), as a set of "mx,my". */
function touchedMcus(zones: RectZone[], f: Frame): Set<string> {
  const set = new Set<string>();
  for (const z of zones) {
    const x0 = Math.max(0, Math.ceil(z.x)),
      x1 = Math.min(f.width, Math.ceil(z.x + z.width)) - 1;
    const y0 = Math.max(0, Math.ceil(z.y)),
      y1 = Math.min(f.height, Math.ceil(z.y + z.height)) - 1;
    for (let my = Math.floor(y0 / f.mcuH); y0 <= y1 && my <= Math.floor(y1 / f.mcuH); my++)
      for (let mx = Math.floor(x0 / f.mcuW); x0 <= x1 && mx <= Math.floor(x1 / f.mcuW); mx++) set.add(`${mx},${my}`);
  }
  return set;
}

/** Compares two decodes: problems found, and the largest difference from the flat grey inside redacted MCUs. */
function compareDecodes(orig: Pnm, red: Pnm, f: Frame, mcus: Set<string>, flat: number): string[] {
  const problems: string[] = [];
  if (orig.width !== red.width || orig.height !== red.height || orig.channels !== red.channels)
    return [
      `decoded ${red.width}x${red.height}x${red.channels}, original ${orig.width}x${orig.height}x${orig.channels}`,
    ];
  const ch = orig.channels;
  for (let y = 0; y < f.height && problems.length < 5; y++) {
    for (let x = 0; x < f.width; x++) {
      const inside = mcus.has(`${Math.floor(x / f.mcuW)},${Math.floor(y / f.mcuH)}`);
      for (let c = 0; c < ch; c++) {
        const i = (y * f.width + x) * ch + c;
        const want = inside ? flat : orig.pixels[i];
        if (red.pixels[i] !== want) {
          problems.push(
            `(${x},${y}) channel ${c}: ${red.pixels[i]}, expected ${want} (${inside ? "flat" : "original"})`,
          );
          break;
        }
      }
    }
  }
  return problems;
}

const djpeg = (file: string, grey: boolean) =>
  parsePnm(execFileSync("djpeg", grey ? ["-nosmooth", "-grayscale", "-pnm", file] : ["-nosmooth", "-pnm", file]));

/** Redacts `jpeg` with `zones`; returns problems against djpeg in colour and greyscale (empty when it holds). */
function checkOne(name: string, jpeg: Uint8Array, zones: RectZone[], grey: number): string[] {
  const f = frameOf(jpeg);
  const r = redactor.redact(jpeg, zoneCells(zones, f.width, f.height), { grey });
  if (!r.ok) return [`${name}: refused ${r.code}: ${r.reason}`];
  const mcus = touchedMcus(zones, f);
  if (r.mcusRedacted !== mcus.size) return [`${name}: ${r.mcusRedacted} MCUs redacted, zones touch ${mcus.size}`];
  const a = join(work, "a.jpg"),
    b = join(work, "b.jpg");
  writeFileSync(a, jpeg);
  writeFileSync(b, r.jpeg);
  const flat = flatGrey(grey, f.q0);
  const problems: string[] = [];
  for (const g of [false, true])
    for (const p of compareDecodes(djpeg(a, g), djpeg(b, g), f, mcus, flat))
      problems.push(`${name}${g ? " -grayscale" : ""}: ${p}`);
  return problems;
}

const redactor = createRedactor();

/** A few rectangles per image: seeded, including ones on the image's edges and partly outside it. */
function zonesFor(w: number, h: number, seed: number): RectZone[] {
  const rnd = seededRandom(seed);
  const zones: RectZone[] = [{ x: w - 5, y: -3, width: 20, height: Math.max(1, h / 4) }];
  for (let i = 0; i < 2; i++)
    zones.push({
      x: Math.floor(rnd() * w),
      y: Math.floor(rnd() * h),
      width: 1 + Math.floor((rnd() * w) / 3),
      height: 1 + Math.floor((rnd() * h) / 3),
    });
  return zones;
}

/** Redacts every frame of `dir` (seeded zones and grey), decodes all with djpeg in one shell, compares. */
function checkFolder(dir: string, count: number): string[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".jpg"))
    .sort();
  assert.equal(files.length, count);
  const out = join(work, `folder-${count}`);
  mkdirSync(out, { recursive: true });
  const expected = new Map<string, { f: Frame; mcus: Set<string>; flat: number }>();
  const problems: string[] = [];
  files.forEach((name, i) => {
    const jpeg = new Uint8Array(readFileSync(join(dir, name)));
    const f = frameOf(jpeg);
    const zones = [{ x: 96, y: 64, width: 80, height: 48 }, ...zonesFor(f.width, f.height, i + 1)];
    const grey = (i * 37) % 256;
    const r = redactor.redact(jpeg, zoneCells(zones, f.width, f.height), { grey });
    if (!r.ok) return void problems.push(`${name}: refused ${r.code}: ${r.reason}`);
    writeFileSync(join(out, name), r.jpeg);
    expected.set(name, { f, mcus: touchedMcus(zones, f), flat: flatGrey(grey, f.q0) });
  });
  // One shell for all the djpeg runs: a process per frame from Node would dominate the test.
  execFileSync("bash", [
    "-c",
    'cd "$1" && for f in *.jpg; do for s in "$1/$f:o" "$2/$f:r"; do src=${s%:*}; t=${s##*:};' +
      ' djpeg -nosmooth -pnm "$src" > "$2/${f%.jpg}.$t.ppm"; djpeg -nosmooth -grayscale -pnm "$src" > "$2/${f%.jpg}.$t.pgm"; done; done',
    "_",
    dir,
    out,
  ]);
  for (const [name, { f, mcus, flat }] of expected) {
    for (const ext of ["ppm", "pgm"]) {
      const base = join(out, name.replace(".jpg", ""));
      const orig = parsePnm(readFileSync(`${base}.o.${ext}`)),
        red = parsePnm(readFileSync(`${base}.r.${ext}`));
      for (const p of compareDecodes(orig, red, f, mcus, flat)) problems.push(`${name} ${ext}: ${p}`);
    }
  }
  return problems;
}

describe("redaction vs djpeg -nosmooth: CDnet highway frames (320x240, 4:2:0)", () => {
  test("the 50 committed frames: flat inside every touched MCU, identical outside, colour and -grayscale", () => {
    assert.deepEqual(checkFolder(join(HIGHWAY_SUBSET, "input"), 50), []);
  });

  test("all 1,700 frames of the full highway sequence", { skip: skipWithoutFullHighway() }, () => {
    assert.deepEqual(checkFolder(join(fullHighway() as string, "input"), HIGHWAY_FRAMES), []);
  });
});

describe("redaction vs djpeg -nosmooth: cjpeg JPEGs of each sampling, with and without restart intervals", () => {
  const sizes: [number, number][] = [
    [320, 240],
    [317, 239],
    [9, 17],
    [1, 1],
  ];
  const samplings: [string, string[]][] = [
    ["4:4:4", ["-sample", "1x1,1x1,1x1"]],
    ["4:2:2", ["-sample", "2x1,1x1,1x1"]],
    ["4:2:0", ["-sample", "2x2,1x1,1x1"]],
    ["4:4:0", ["-sample", "1x2,1x1,1x1"]],
    ["greyscale", ["-grayscale"]],
  ];
  const restarts: [string, string[]][] = [
    ["no restarts", []],
    ["restart every MCU", ["-restart", "1B"]],
    ["restart every 5 MCUs", ["-restart", "5B"]],
    ["restart every MCU row", ["-restart", "1"]],
  ];
  for (const [sampling, sArgs] of samplings) {
    for (const [restart, rArgs] of restarts) {
      test(`${sampling}, ${restart}: qualities 30 and 95, four sizes, greys 0, 128 and 255`, () => {
        const problems: string[] = [];
        for (const [w, h] of sizes) {
          const ppm = join(work, `scene-${w}x${h}.ppm`);
          writeFileSync(ppm, scenePpm(w, h, seededRandom(w * 31 + h)));
          for (const [quality, grey] of [
            [30, 0],
            [95, 255],
            [75, 128],
          ]) {
            const jpg = join(work, "cjpeg.jpg");
            execFileSync("cjpeg", ["-quality", String(quality), ...sArgs, ...rArgs, "-outfile", jpg, ppm]);
            const jpeg = new Uint8Array(readFileSync(jpg));
            problems.push(...checkOne(`${w}x${h} q${quality}`, jpeg, zonesFor(w, h, w + h + quality), grey));
          }
        }
        assert.deepEqual(problems, []);
      });
    }
  }
});

describe("redaction of JPEGs with optimised Huffman tables (cjpeg -optimize)", () => {
  // Such tables hold codes only for the symbols the encoder used; a flat block may need one they lack (a new
  // DC difference category, or EOB). Then the image is refused "missing-code", never sent wrong or unredacted.
  test("each sampling: redacted exactly as djpeg shows, or refused missing-code", () => {
    const problems: string[] = [];
    let refused = 0,
      redacted = 0;
    for (const [w, h] of [
      [320, 240],
      [1, 1],
    ]) {
      const ppm = join(work, `opt-${w}x${h}.ppm`);
      writeFileSync(ppm, scenePpm(w, h, seededRandom(w)));
      for (const sample of ["1x1,1x1,1x1", "2x1,1x1,1x1", "2x2,1x1,1x1"]) {
        const jpg = join(work, "opt.jpg");
        execFileSync("cjpeg", ["-optimize", "-sample", sample, "-outfile", jpg, ppm]);
        const jpeg = new Uint8Array(readFileSync(jpg));
        const f = frameOf(jpeg);
        for (const grey of [0, 128, 255, -1]) {
          // -1: no zones at all, which needs no code the image did not use.
          const zones = grey < 0 ? [] : zonesFor(w, h, grey);
          const r = redactor.redact(jpeg, zoneCells(zones, f.width, f.height), { grey: Math.max(grey, 0) });
          if (!r.ok) {
            refused++;
            if (grey < 0) problems.push(`${w}x${h} ${sample}: no zones, refused ${r.code}: ${r.reason}`);
            if (r.code !== "missing-code") problems.push(`${w}x${h} ${sample}: refused ${r.code}: ${r.reason}`);
            continue;
          }
          redacted++;
          problems.push(...checkOne(`${w}x${h} ${sample} grey ${grey}`, jpeg, zones, Math.max(grey, 0)));
        }
      }
    }
    assert.deepEqual(problems, []);
    // A 1x1 image's optimised DC table has one category: grey 0 or 255 needs another.
    assert.ok(refused > 0 && redacted >= 6, `${refused} refused, ${redacted} redacted`);
  });
});

describe("redaction vs djpeg -nosmooth: the simulator's porch scene (jpeg-js encoder, as the simulated camera)", () => {
  test("frames at 640x480 and 320x240, day and night, with a visitor: flat inside, identical outside", () => {
    const problems: string[] = [];
    const encoder = createJpegEncoder(70);
    for (const [w, h, light] of [
      [640, 480, "day"],
      [320, 240, "night"],
    ] as const) {
      const scene = createPorchScene({ light });
      scene.sendVisitor(0, { ring: false });
      try {
        for (const t of [0, 5000, 12000]) {
          const rgba = new Uint8Array(w * h * 4);
          scene.render(rgba, w, h, t);
          const jpeg = encoder.encode(rgba, w, h);
          const zones = [{ x: 0, y: 0, width: w / 2, height: h / 3 }, ...zonesFor(w, h, t + w)];
          problems.push(...checkOne(`${w}x${h} ${light} t=${t}`, jpeg, zones, 128));
        }
      } finally {
        scene.close();
      }
    }
    assert.deepEqual(problems, []);
  });
});

describe("redaction: what leaves and what is refused", () => {
  const frame = new Uint8Array(readFileSync(join(HIGHWAY_SUBSET, "input", "in000800.jpg")));

  test("an empty mask: the decode is identical to the input's (colour and -grayscale)", () => {
    assert.deepEqual(checkOne("in000800 empty mask", frame, [], 128), []);
  });

  test("no APPn or COM segment survives; DQT, SOF0, DHT, DRI and SOS are kept in order", () => {
    const ppm = join(work, "meta.ppm"),
      jpg = join(work, "meta.jpg"),
      withMeta = join(work, "meta2.jpg");
    writeFileSync(ppm, scenePpm(64, 48, seededRandom(3)));
    execFileSync("cjpeg", ["-restart", "2B", "-outfile", jpg, ppm]);
    // wrjpgcom adds a COM; an APP1 (Exif-like) and an APP14 go in by hand after SOI.
    const commented = execFileSync("wrjpgcom", ["-comment", "secret location", jpg]);
    const app1 = [0xff, 0xe1, 0, 8, 0x45, 0x78, 0x69, 0x66, 0, 0];
    const app14 = [0xff, 0xee, 0, 14, 0x41, 0x64, 0x6f, 0x62, 0x65, 0, 100, 0, 0, 0, 0, 1];
    const input = Uint8Array.from([0xff, 0xd8, ...app1, ...app14, ...commented.subarray(2)]);
    writeFileSync(withMeta, input);
    const f = frameOf(input);
    const r = redactor.redact(input, zoneCells([{ x: 8, y: 8, width: 8, height: 8 }], f.width, f.height));
    assert.ok(r.ok, r.ok ? "" : r.reason);
    const markers: string[] = [];
    let pos = 2;
    while (r.jpeg[pos] === 0xff && r.jpeg[pos + 1] !== 0xda) {
      markers.push(r.jpeg[pos + 1].toString(16));
      pos += 2 + ((r.jpeg[pos + 2] << 8) | r.jpeg[pos + 3]);
    }
    assert.deepEqual(markers, ["db", "db", "c0", "c4", "c4", "c4", "c4", "dd"]);
    assert.ok(!Buffer.from(r.jpeg).includes("secret location"));
    assert.ok(!Buffer.from(r.jpeg).includes("Exif"));
  });

  function refusedBy(jpeg: Uint8Array, code: string, pattern: RegExp, mask = zoneCells([], 320, 240)): void {
    const r = redactor.redact(jpeg, mask);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.code, code);
      assert.match(r.reason, pattern);
    }
  }

  test("a progressive JPEG is refused: unsupported (T.81 SOF2)", () => {
    const jpg = join(work, "prog.jpg");
    execFileSync("bash", [
      "-c",
      `djpeg -pnm "$1" | cjpeg -progressive -outfile "$2"`,
      "_",
      join(HIGHWAY_SUBSET, "input", "in000800.jpg"),
      jpg,
    ]);
    refusedBy(new Uint8Array(readFileSync(jpg)), "unsupported", /progressive/);
  });

  test("an arithmetic-coded JPEG is refused: unsupported", () => {
    const jpg = join(work, "arith.jpg");
    const run = spawnSync("bash", [
      "-c",
      `djpeg -pnm "$1" | cjpeg -arithmetic -outfile "$2"`,
      "_",
      join(HIGHWAY_SUBSET, "input", "in000800.jpg"),
      jpg,
    ]);
    assert.equal(run.status, 0, run.stderr.toString());
    refusedBy(new Uint8Array(readFileSync(jpg)), "unsupported", /arithmetic/);
  });

  test("a truncated frame is refused: truncated, and never returned unredacted", () => {
    for (const cut of [frame.length - 2, frame.length - 40, Math.floor(frame.length / 2), 700])
      refusedBy(frame.subarray(0, cut), "truncated", /ends|no marker/);
  });

  test("a mask of the wrong size is refused: mask-size, naming both sizes", () => {
    refusedBy(frame, "mask-size", /39x30 cells .* 320x240 image needs 40x30/, zoneCells([], 312, 240));
  });
});

describe("npm run redact", () => {
  const input = join(HIGHWAY_SUBSET, "input", "in000790.jpg");
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", "scripts/redact.ts", ...args], { cwd: ROOT, encoding: "utf8" });

  test("redacts one file: one line on stdout, and djpeg shows the zone flat and the rest unchanged", () => {
    const zones = join(work, "z.json"),
      out = join(work, "cli.jpg");
    writeFileSync(zones, JSON.stringify([{ x: 96, y: 64, width: 80, height: 48 }]));
    const r = run(input, "--zones", zones, "--out", out, "--grey", "40");
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^redact: .*in000790\.jpg: 320x240, 15 of 300 MCUs redacted, \d+ -> \d+ bytes, written to .*\n$/,
    );
    const f = frameOf(new Uint8Array(readFileSync(input)));
    const mcus = touchedMcus([{ x: 96, y: 64, width: 80, height: 48 }], f);
    const problems = compareDecodes(djpeg(input, false), djpeg(out, false), f, mcus, flatGrey(40, f.q0));
    assert.deepEqual(problems, []);
  });

  test("a refused image: exit 1 and the reason on stderr; misuse and a bad zones file: exit 2 naming the field", () => {
    const zones = join(work, "z2.json"),
      bad = join(work, "bad.json"),
      notJpeg = join(work, "not.jpg");
    writeFileSync(zones, "[]");
    writeFileSync(
      bad,
      JSON.stringify([
        { x: 1, y: 2, width: 3, height: 4 },
        {
          polygon: [
            [0, 0],
            [1, "2"],
            [3, 3],
          ],
        },
      ]),
    );
    writeFileSync(notJpeg, "hello");
    const refused = run(notJpeg, "--zones", zones, "--out", join(work, "x.jpg"));
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /refused \(not-jpeg\)/);
    const badZones = run(input, "--zones", bad, "--out", join(work, "x.jpg"));
    assert.equal(badZones.status, 2);
    assert.match(
      badZones.stderr,
      /bad\.json\[1\]\.polygon\[1\]: \[1,"2"\] is not accepted; expected an \[x, y\] point/,
    );
    assert.equal(run(input, "--out", join(work, "x.jpg")).status, 2);
    assert.equal(run(input, "--zones", zones, "--out", join(work, "x.jpg"), "--grey", "300").status, 2);
  });
});
