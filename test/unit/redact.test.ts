// SPDX-License-Identifier: MIT
// The redactor on JPEGs written coefficient by coefficient (test/support/jpeg-synth.ts): the expected output is
// the same image written again with every block of the touched MCUs flat (DC only) and no APPn/COM, so the
// redacted bytes must equal it exactly (T.81 §F.1.2 canonical coding, RSTn, 1-bit padding). Also zoneCells
// against a per-pixel reference, and the refusals. Runs on Node and inside XS.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createRedactor, flatLumaDc, redactJpeg } from "../../modules/jpeg/redact.js";
import { type CellMask, zoneCells } from "../../modules/privacy/zone-cells.js";
import type { Zone } from "../../modules/privacy/zone.js";
import { decodeThumbnail } from "../../modules/jpeg/thumbnail-decoder.js";
import { expectedDcSample, type SynthComponent, type SynthOptions, synthJpeg } from "../support/jpeg-synth.js";
import { seededRandom } from "../support/seeded-random.js";

const Y = (h: number, v: number): SynthComponent => ({ id: 1, h, v, tq: 0, td: 0, ta: 0 });
const CB: SynthComponent = { id: 2, h: 1, v: 1, tq: 1, td: 1, ta: 1 };
const CR: SynthComponent = { id: 3, h: 1, v: 1, tq: 1, td: 1, ta: 1 };
const LAYOUTS: [string, SynthComponent[]][] = [
  ["4:4:4", [Y(1, 1), CB, CR]],
  ["4:2:2", [Y(2, 1), CB, CR]],
  ["4:2:0", [Y(2, 2), CB, CR]],
  ["4:4:0", [Y(1, 2), CB, CR]],
  ["greyscale", [Y(1, 1)]],
];

/** Random coefficients: DC up to +-1023, dense AC, long zero runs (ZRL) and blocks ending at k = 63. */
function randomBlocks(seed: number): (comp: number, bx: number, by: number) => Int16Array {
  const cache = new Map<string, Int16Array>();
  const rnd = seededRandom(seed);
  return (comp, bx, by) => {
    const key = `${comp},${bx},${by}`;
    let b = cache.get(key);
    if (!b) {
      b = new Int16Array(64);
      b[0] = Math.floor(rnd() * 2047) - 1023;
      const density = rnd() < 0.3 ? 0.03 : 0.3;
      for (let k = 1; k < 64; k++) if (rnd() < density) b[k] = Math.floor(rnd() * 600) - 300;
      if (rnd() < 0.2) b[63] = -1;
      cache.set(key, b);
    }
    return b;
  };
}

/** The MCU of block (bx, by) of component `comp`: its own grid divided by its sampling (1 block for greyscale). */
function mcuOf(comps: SynthComponent[], comp: number, bx: number, by: number): [number, number] {
  if (comps.length === 1) return [bx, by];
  return [Math.floor(bx / comps[comp].h), Math.floor(by / comps[comp].v)];
}

/** MCUs touched by `mask` per the contract, computed here from the cells (luma cells per MCU: hMax x vMax). */
function touched(mask: CellMask, comps: SynthComponent[]): (mx: number, my: number) => boolean {
  const h = comps.length === 1 ? 1 : Math.max(...comps.map((c) => c.h)),
    v = comps.length === 1 ? 1 : Math.max(...comps.map((c) => c.v));
  return (mx, my) => {
    for (let y = my * v; y < Math.min(mask.heightCells, (my + 1) * v); y++)
      for (let x = mx * h; x < Math.min(mask.widthCells, (mx + 1) * h); x++)
        if (mask.cells[y * mask.widthCells + x]) return true;
    return false;
  };
}

interface Case {
  comps: SynthComponent[];
  width: number;
  height: number;
  restartInterval: number;
  zones: Zone[];
  grey: number;
  seed: number;
}

/** The input (with JFIF, a COM and an APP1) and the expected redaction of it, both written by jpeg-synth. */
function inputAndExpected(c: Case): { input: Uint8Array; expected: Uint8Array; mask: CellMask; flatMcus: number } {
  const blocks = randomBlocks(c.seed);
  const mask = zoneCells(c.zones, c.width, c.height);
  const isFlat = touched(mask, c.comps);
  const base: SynthOptions = {
    width: c.width,
    height: c.height,
    components: c.comps,
    restartInterval: c.restartInterval,
    block: blocks,
  };
  const com = Uint8Array.of(0xff, 0xfe, 0, 6, 0x68, 0x6f, 0x6d, 0x65);
  const app1 = Uint8Array.of(0xff, 0xe1, 0, 6, 0x45, 0x78, 0x69, 0x66);
  const input = synthJpeg({ ...base, extraSegments: [com, app1] });
  const dcFlat = flatLumaDcReference(c.grey, 8); // jpeg-synth's luma Q0 is 8
  const flatMcus = new Set<string>();
  const expected = synthJpeg({
    ...base,
    jfif: false,
    block: (comp, bx, by) => {
      const [mx, my] = mcuOf(c.comps, comp, bx, by);
      if (!isFlat(mx, my)) return blocks(comp, bx, by);
      flatMcus.add(`${mx},${my}`);
      const flat = new Int16Array(64);
      flat[0] = comp === 0 ? dcFlat : 0;
      return flat;
    },
  });
  return { input, expected, mask, flatMcus: flatMcus.size };
}

/** round((grey - 128) * 8 / q0), half away from zero, written independently of the module's. */
function flatLumaDcReference(grey: number, q0: number): number {
  const x = ((grey - 128) * 8) / q0;
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

describe("redactJpeg: byte-exact on coefficient-level JPEGs", () => {
  for (const [name, comps] of LAYOUTS) {
    for (const restartInterval of [0, 1, 3]) {
      test(`${name}, restart interval ${restartInterval}: equals the same image written with the touched MCUs flat`, () => {
        let seed = 1;
        for (const [width, height] of [
          [61, 37],
          [16, 16],
          [8, 9],
        ]) {
          for (const zones of <Zone[][]>[
            [],
            [{ x: 10, y: 5, width: 20, height: 12 }],
            [{ polygon: [[0, 0] as [number, number], [width, height / 2], [width / 3, height]] }],
            [{ x: -50, y: -50, width: 500, height: 500 }],
          ]) {
            const grey = (seed * 53) % 256;
            const c = { comps, width, height, restartInterval, zones, grey, seed: seed++ };
            const { input, expected, mask, flatMcus } = inputAndExpected(c);
            const r = redactJpeg(input, mask, { grey });
            assert.ok(r.ok, r.ok ? "" : `${r.code}: ${r.reason}`);
            assert.equal(hex(r.jpeg), hex(expected), `${width}x${height} zones ${JSON.stringify(zones)}`);
            assert.equal(r.mcusRedacted, flatMcus);
          }
        }
      });
    }
  }

  test("the thumbnail of a redacted frame: flat cells at libjpeg's DC sample of the grey, others unchanged", () => {
    const c = { comps: LAYOUTS[2][1], width: 64, height: 48, restartInterval: 2, grey: 200, seed: 9 };
    const zones = [{ x: 16, y: 16, width: 17, height: 8 }];
    const { input, mask } = inputAndExpected({ ...c, zones });
    const r = redactJpeg(input, mask, { grey: 200 });
    assert.ok(r.ok);
    const before = decodeThumbnail(input).luma,
      after = decodeThumbnail(r.jpeg).luma;
    const flat = expectedDcSample(flatLumaDcReference(200, 8), 8);
    for (let y = 0; y < 6; y++)
      for (let x = 0; x < 8; x++) {
        const inMcu = y >= 2 && y <= 3 && x >= 2 && x <= 5; // 4:2:0 MCUs (1,1) and (2,1): luma cells 2..5 x 2..3
        assert.equal(after[y * 8 + x], inMcu ? flat : before[y * 8 + x], `cell ${x},${y}`);
      }
  });

  test("flatLumaDc: round half away from zero, as the contract states", () => {
    assert.equal(flatLumaDc(128, 16), 0);
    assert.equal(flatLumaDc(129, 16), 1); // 8/16 = 0.5 -> 1
    assert.equal(flatLumaDc(127, 16), -1); // -0.5 -> -1
    assert.equal(flatLumaDc(0, 1), -1024);
    assert.equal(flatLumaDc(255, 1), 1016);
    assert.equal(flatLumaDc(200, 7), 82); // 576/7 = 82.3
  });
});

describe("redactJpeg: refusals (never an unredacted image)", () => {
  const comps = LAYOUTS[2][1];
  const good = synthJpeg({ width: 32, height: 32, components: comps, block: randomBlocks(4) });
  const mask = zoneCells([], 32, 32);

  function refused(jpeg: Uint8Array, m: CellMask, code: string, pattern: RegExp, grey = 128): void {
    const r = createRedactor().redact(jpeg, m, { grey });
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.code, code, r.reason);
      assert.match(r.reason, pattern);
    }
  }

  test("not a JPEG, a progressive one (SOF2), a 4-component one, a truncated one", () => {
    refused(Uint8Array.of(1, 2, 3), mask, "not-jpeg", /SOI/);
    refused(
      synthJpeg({ width: 32, height: 32, components: comps, sofMarker: 0xc2, block: randomBlocks(4) }),
      mask,
      "unsupported",
      /progressive/,
    );
    const cmyk = [Y(1, 1), CB, CR, { id: 4, h: 1, v: 1, tq: 1, td: 1, ta: 1 }];
    refused(
      synthJpeg({ width: 32, height: 32, components: cmyk, block: randomBlocks(4) }),
      mask,
      "unsupported",
      /4 components/,
    );
    refused(good.subarray(0, good.length - 30), mask, "truncated", /ends/);
  });

  test("separate scans per component are refused: only one scan with every component", () => {
    const separate = synthJpeg({ width: 32, height: 32, components: comps, scans: "separate", block: randomBlocks(4) });
    refused(separate, mask, "unsupported", /1 of the 3 components/);
  });

  test("an Adobe APP14 with transform 0 (RGB) is refused: its chroma cannot be made neutral", () => {
    const app14 = Uint8Array.of(0xff, 0xee, 0, 14, 0x41, 0x64, 0x6f, 0x62, 0x65, 0, 100, 0, 0, 0, 0, 0);
    const rgb = synthJpeg({
      width: 32,
      height: 32,
      components: comps,
      jfif: false,
      extraSegments: [app14],
      block: randomBlocks(4),
    });
    refused(rgb, mask, "unsupported", /RGB/);
  });

  test("a mask of the wrong size, and a grey outside 0..255", () => {
    refused(good, zoneCells([], 33, 32), "mask-size", /5x4 cells .* 32x32 image needs 4x4/);
    refused(good, mask, "bad-option", /grey 256/, 256);
    refused(good, mask, "bad-option", /grey 1.5/, 1.5);
  });

  test("a Huffman table without EOB: missing-code, naming the table", () => {
    // An AC table whose symbols are only 0x01 and 0xF0: every coefficient 1, no EOB: a flat block needs EOB.
    const ac = { bits: [0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], values: [0x01, 0xf0] };
    const dc = {
      bits: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0],
      values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    };
    const ones = () => Int16Array.from({ length: 64 }, (_, k) => (k === 0 ? 0 : 1));
    const grey = synthJpeg({ width: 8, height: 8, components: [Y(1, 1)], huffman: { dc0: dc, ac0: ac }, block: ones });
    assert.ok(createRedactor().redact(grey, zoneCells([], 8, 8)).ok, "no zones: nothing new to code");
    refused(grey, zoneCells([{ x: 0, y: 0, width: 1, height: 1 }], 8, 8), "missing-code", /EOB.*table 0/);
  });
});

/** Per-pixel reference: the even-odd rule at pixel centres, one pixel at a time. */
function reference(zones: Zone[], w: number, h: number): Uint8Array {
  const wc = Math.ceil(w / 8);
  const cells = new Uint8Array(wc * Math.ceil(h / 8));
  for (let py = 0; py < h; py++)
    for (let px = 0; px < w; px++) {
      const inside = zones.some((z) => {
        if (!("polygon" in z)) return z.x <= px && px < z.x + z.width && z.y <= py && py < z.y + z.height;
        let odd = false;
        const pts = z.polygon;
        for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
          const [x0, y0] = pts[j],
            [x1, y1] = pts[i];
          if (y0 <= py + 0.5 !== y1 <= py + 0.5 && px + 0.5 >= x0 + ((py + 0.5 - y0) * (x1 - x0)) / (y1 - y0))
            odd = !odd;
        }
        return odd;
      });
      if (inside) cells[(py >> 3) * wc + (px >> 3)] = 1;
    }
  return cells;
}

describe("zoneCells", () => {
  test("random rectangles and polygons (fractional, concave, outside the image) match the per-pixel reference", () => {
    const rnd = seededRandom(77);
    for (let n = 0; n < 60; n++) {
      const w = 1 + Math.floor(rnd() * 90),
        h = 1 + Math.floor(rnd() * 70);
      const zones: Zone[] = [];
      for (let k = 0; k < 3; k++) {
        if (rnd() < 0.5)
          zones.push({
            x: rnd() * w * 1.2 - 10,
            y: rnd() * h * 1.2 - 10,
            width: rnd() * w * 0.5,
            height: rnd() * h * 0.5,
          });
        else {
          const pts: [number, number][] = [];
          for (let i = 0; i < 3 + Math.floor(rnd() * 5); i++)
            pts.push([rnd() * w * 1.4 - w * 0.2, rnd() * h * 1.4 - h * 0.2]);
          zones.push({ polygon: pts });
        }
      }
      const mask = zoneCells(zones, w, h);
      assert.deepEqual(
        Array.from(mask.cells),
        Array.from(reference(zones, w, h)),
        `${w}x${h} ${JSON.stringify(zones)}`,
      );
    }
  });

  test("a cell is touched by a single pixel; a zero-width rectangle touches nothing", () => {
    const m = zoneCells(
      [
        { x: 15, y: 8, width: 1, height: 1 },
        { x: 30, y: 0, width: 0, height: 20 },
      ],
      40,
      20,
    );
    assert.deepEqual(Array.from(m.cells), [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(m.widthCells, 5);
    assert.equal(m.heightCells, 3);
  });
});
