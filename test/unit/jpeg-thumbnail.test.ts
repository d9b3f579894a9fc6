// SPDX-License-Identifier: MIT
// The DC thumbnail decoder on JPEGs written coefficient by coefficient (test/support/jpeg-synth.ts), so
// every expected cell follows from the chosen DC values: libjpeg-turbo's 1/8 sample, 128 + (DC*Q0 + 4)/8.
// test/node/thumbnail-djpeg.test.ts compares the same decoder with djpeg itself.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { JpegError } from "../../modules/jpeg/jpeg-error.js";
import { createThumbnailDecoder, decodeThumbnail } from "../../modules/jpeg/thumbnail-decoder.js";
import { expectedDcSample, synthJpeg, type SynthComponent, type SynthOptions } from "../support/jpeg-synth.js";
import { seededRandom } from "../support/seeded-random.js";

const Y = (h: number, v: number): SynthComponent => ({ id: 1, h, v, tq: 0, td: 0, ta: 0 });
const CB: SynthComponent = { id: 2, h: 1, v: 1, tq: 1, td: 1, ta: 1 };
const CR: SynthComponent = { id: 3, h: 1, v: 1, tq: 1, td: 1, ta: 1 };

/** A deterministic DC per luma block, with AC noise everywhere so the AC codes are really skipped. */
function lumaDc(bx: number, by: number): number {
  return ((bx * 37 + by * 91) % 240) - 120;
}
function blocks(seed = 7): SynthOptions["block"] {
  const rnd = seededRandom(seed);
  return (comp, bx, by) => {
    const b = new Int16Array(64);
    b[0] = comp === 0 ? lumaDc(bx, by) : Math.floor(rnd() * 60) - 30;
    for (let k = 1; k < 64; k++) if (rnd() < 0.25) b[k] = Math.floor(rnd() * 200) - 100;
    if (rnd() < 0.2) b[63] = 3; // a block that ends at k = 63 without EOB
    return b;
  };
}

function expected(width: number, height: number, q0 = 8): Uint8Array {
  const w = Math.ceil(width / 8),
    h = Math.ceil(height / 8);
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = expectedDcSample(lumaDc(x, y), q0);
  return out;
}

function rejects(jpeg: Uint8Array, code: JpegError["code"], pattern?: RegExp): void {
  assert.throws(
    () => decodeThumbnail(jpeg),
    (e: unknown) => {
      assert.ok(e instanceof JpegError, `expected a JpegError, got ${String(e)}`);
      assert.equal(e.code, code, e.message);
      if (pattern) assert.match(e.message, pattern);
      return true;
    },
  );
}

/** DC codes of every length 1..12, the largest categories shortest. */
const DEEP_DC = {
  bits: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0],
  values: [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
};
/** Table K.5's code lengths over the 162 AC symbols in another order. */
const REORDERED_AC = (() => {
  const values = [0xf0, 0x00];
  for (let s = 10; s >= 1; s--) for (let r = 0; r < 16; r++) values.push((r << 4) | s);
  return { bits: [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d], values };
})();

describe("JPEG DC thumbnail (ITU T.81)", () => {
  for (const [name, comps] of [
    ["4:2:0", [Y(2, 2), CB, CR]],
    ["4:2:2", [Y(2, 1), CB, CR]],
    ["4:4:4", [Y(1, 1), CB, CR]],
    ["4:1:1", [Y(4, 1), CB, CR]],
    ["grayscale", [Y(1, 1)]],
  ] as [string, SynthComponent[]][]) {
    test(`§A.2.3 ${name} MCUs: one cell per luma block, ceil(w/8) x ceil(h/8), padding blocks dropped`, () => {
      const t = decodeThumbnail(synthJpeg({ width: 75, height: 45, components: comps, block: blocks() }));
      assert.deepEqual([t.width, t.height, t.frameWidth, t.frameHeight], [10, 6, 75, 45]);
      assert.deepEqual(t.luma, expected(75, 45));
    });
  }

  test("§F.2.1.3.1 restart intervals: RSTm markers in sequence, DC predictions reset at each", () => {
    for (const restartInterval of [1, 2, 5]) {
      const jpeg = synthJpeg({
        width: 64,
        height: 40,
        components: [Y(2, 2), CB, CR],
        restartInterval,
        block: blocks(),
      });
      assert.deepEqual(decodeThumbnail(jpeg).luma, expected(64, 40), `interval ${restartInterval}`);
    }
  });

  test("§A.2.2 non-interleaved scans, luma scan last: chroma scans are skipped", () => {
    const jpeg = synthJpeg({
      width: 50,
      height: 30,
      components: [Y(2, 2), CB, CR],
      scans: [[1], [2], [0]],
      restartInterval: 3,
      block: blocks(),
    });
    assert.deepEqual(decodeThumbnail(jpeg).luma, expected(50, 30));
  });

  test("§F.1.2.3 byte stuffing: 0xFF in entropy-coded data is followed by 0x00 and read as data", () => {
    const jpeg = synthJpeg({ width: 96, height: 64, components: [Y(1, 1), CB, CR], block: blocks(3) });
    let stuffed = 0;
    for (let i = 0; i + 1 < jpeg.length; i++) if (jpeg[i] === 0xff && jpeg[i + 1] === 0) stuffed++;
    assert.ok(stuffed > 0, "the test data must contain stuffed bytes");
    assert.deepEqual(decodeThumbnail(jpeg).luma, expected(96, 64));
  });
});

describe("JPEG DC thumbnail (ITU T.81): Huffman and quantization tables", () => {
  test("Annex K.3 tables stand in when a frame has no DHT (Motion-JPEG), as in libjpeg-turbo", () => {
    const jpeg = synthJpeg({
      width: 40,
      height: 24,
      components: [Y(2, 1), CB, CR],
      omitHuffman: true,
      block: blocks(),
    });
    assert.deepEqual(decodeThumbnail(jpeg).luma, expected(40, 24));
  });

  test("§F.2.2.3 codes longer than the lookup table (up to 16 bits) decode on the slow path", () => {
    // Every length 1..8 holds one code and 154 AC codes are 16 bits long; EOB is among the longest.
    const acValues: number[] = [];
    for (let r = 0; r < 16; r++) for (let s = 1; s <= 10; s++) acValues.push((r << 4) | s);
    acValues.push(0xf0, 0x00);
    const dc = {
      bits: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0],
      values: [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    };
    const ac = { bits: [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 154], values: acValues };
    const jpeg = synthJpeg({
      width: 48,
      height: 32,
      components: [Y(1, 1)],
      huffman: { dc0: dc, ac0: ac },
      block: blocks(),
    });
    assert.deepEqual(decodeThumbnail(jpeg).luma, expected(48, 32));
  });

  test("§B.2.4.1 16-bit quantization tables and any Q0", () => {
    const q = [0x11, ...Array.from({ length: 63 }, () => 2)];
    const jpeg = synthJpeg({ width: 24, height: 16, components: [Y(1, 1)], quant: { 0: q }, block: blocks() });
    const sixteenBit = Array.from(jpeg);
    const at = sixteenBit.findIndex((b, i) => b === 0xff && sixteenBit[i + 1] === 0xdb);
    // Rewrite the DQT as Pq=1: 64 two-byte entries.
    const dqt = [0xff, 0xdb, 0, 2 + 1 + 128, 0x10, ...q.flatMap((v) => [0, v])];
    const rewritten = new Uint8Array([...sixteenBit.slice(0, at), ...dqt, ...sixteenBit.slice(at + 4 + 64 + 1)]);
    assert.deepEqual(decodeThumbnail(rewritten).luma, expected(24, 16, 0x11));
    assert.deepEqual(decodeThumbnail(jpeg).luma, expected(24, 16, 0x11));
  });

  test("a reused decoder takes each JPEG's own tables and size (no stale Huffman cache)", () => {
    const decoder = createThumbnailDecoder();
    const a = synthJpeg({ width: 64, height: 48, components: [Y(1, 1)], block: blocks(1) });
    // Same slots, other codes: a decoder that kept a's tables would misread every block of b.
    const b = synthJpeg({
      width: 16,
      height: 8,
      components: [Y(1, 1)],
      huffman: { dc0: DEEP_DC, ac0: REORDERED_AC },
      block: blocks(2),
    });
    assert.deepEqual(decoder.decode(a).luma, expected(64, 48));
    const t = decoder.decode(b);
    assert.deepEqual([t.width, t.height], [2, 1]);
    assert.deepEqual(t.luma, expected(16, 8));
    assert.deepEqual(decoder.decode(a).luma, expected(64, 48));
  });
});

// The bad-input tests damage one valid JPEG: 4:2:0 with restart markers.
const good = synthJpeg({
  width: 40,
  height: 32,
  components: [Y(2, 2), CB, CR],
  restartInterval: 2,
  block: blocks(5),
});
/** The offset of the first 0xFF `code` marker in `good`. */
const marker = (code: number) => {
  for (let i = 0; i + 1 < good.length; i++) if (good[i] === 0xff && good[i + 1] === code) return i;
  throw new Error(`no marker ${code.toString(16)}`);
};
/** A copy of `good` with `bytes` written at `at`. */
const patched = (at: number, ...bytes: number[]) => {
  const copy = good.slice();
  copy.set(bytes, at);
  return copy;
};

describe("JPEG DC thumbnail: bad input gives a typed JpegError, never a crash", () => {
  test("§B.2.1 no SOI: not-jpeg", () => {
    rejects(new Uint8Array(0), "not-jpeg");
    rejects(new Uint8Array([0x89, 0x50, 0x4e, 0x47]), "not-jpeg");
  });

  test("truncations of a valid JPEG before the end of its luma scan are refused: at every header byte, every third data byte", () => {
    const sos = marker(0xda);
    const decoder = createThumbnailDecoder(); // one decoder: its Huffman tables are built once, not per prefix
    for (let length = 0; length < good.length - 2; length += length < sos + 14 ? 1 : 3) {
      let error: unknown;
      try {
        decoder.decode(good.subarray(0, length));
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof JpegError, `prefix of ${length} bytes: ${String(error)}`);
      if (length > sos) assert.equal(error.code, "truncated", `prefix of ${length} bytes: ${error.message}`);
    }
  });

  test("SOF2 (progressive) and SOF9 (arithmetic) are unsupported, with a hint for the camera", () => {
    rejects(patched(marker(0xc0), 0xff, 0xc2), "unsupported", /progressive.*baseline/);
    rejects(patched(marker(0xc0), 0xff, 0xc9), "unsupported", /arithmetic/);
  });

  test("§B.2.2 12-bit samples, four components and subsampled luma are unsupported", () => {
    const sof = marker(0xc0);
    rejects(patched(sof + 4, 12), "unsupported", /12-bit/);
    const cmyk = synthJpeg({ width: 16, height: 16, components: [Y(1, 1), CB, CR, { ...CR, id: 4 }], block: blocks() });
    rejects(cmyk, "unsupported", /4 components/);
    const lumaLow = synthJpeg({
      width: 16,
      height: 16,
      components: [Y(1, 1), { ...CB, h: 2, v: 2 }, CR],
      block: blocks(),
    });
    rejects(lumaLow, "unsupported", /luma sampled/);
  });

  test("an RGB JPEG (Adobe transform 0, no JFIF) has no luma component: unsupported", () => {
    const adobe = new Uint8Array([0xff, 0xee, 0, 14, 0x41, 0x64, 0x6f, 0x62, 0x65, 0, 100, 0, 0, 0, 0, 0]);
    const rgb = synthJpeg({
      width: 16,
      height: 16,
      components: [Y(1, 1), CB, CR],
      jfif: false,
      extraSegments: [adobe],
      block: blocks(),
    });
    rejects(rgb, "unsupported", /RGB/);
  });
});

describe("JPEG DC thumbnail: corrupt data gives a typed JpegError, never a crash", () => {
  test("§F.2.1.3.1 a wrong restart marker is corrupt", () => {
    rejects(patched(marker(0xd0), 0xff, 0xd3), "corrupt", /expected marker RST0/);
  });

  test("§F.2.2.3 a bit pattern that is no Huffman code is corrupt", () => {
    // A DC table with a single one-bit code "0": entropy data starting with a 1 bit matches nothing.
    const jpeg = synthJpeg({
      width: 8,
      height: 8,
      components: [Y(1, 1)],
      huffman: { dc0: { bits: [1, ...new Array(15).fill(0)], values: [0] }, ac0: REORDERED_AC },
      block: () => new Int16Array(64),
    });
    const sos = jpeg.length - 2 - 1; // the last entropy byte before EOI
    const bad = jpeg.slice();
    bad[sos] = 0xfe;
    rejects(bad, "corrupt", /Huffman code/);
  });

  test("§C: an overfull Huffman table, a missing table and a missing quantizer are corrupt", () => {
    const dht = marker(0xc4);
    rejects(patched(dht + 5, 3, 1, 5, 1, 1, 1, 0, 0, 0), "corrupt", /overflow/); // three one-bit codes, same total
    rejects(patched(marker(0xda) + 6, 0x22), "corrupt", /never defined/);
    const dqt = marker(0xdb);
    rejects(patched(dqt + 4, 0x03), "corrupt", /quantization table 0 was never defined/);
  });

  test("segments that overrun the data or the frame size over maxCells are refused", () => {
    rejects(patched(marker(0xdb) + 2, 0xff, 0xff), "truncated", /runs past the end/);
    assert.throws(
      () => createThumbnailDecoder({ maxCells: 10 }).decode(good),
      (e: unknown) => e instanceof JpegError && e.code === "too-large",
    );
  });

  test("seeded mutation fuzz: any damage gives a thumbnail of the header's size or a JpegError", () => {
    const rnd = seededRandom(2024);
    const decoder = createThumbnailDecoder();
    let errors = 0;
    for (let round = 0; round < 200; round++) {
      const copy = good.slice();
      const edits = 1 + Math.floor(rnd() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rnd() * copy.length);
        copy[at] = rnd() < 0.3 ? 0xff : Math.floor(rnd() * 256);
      }
      const length = rnd() < 0.2 ? Math.floor(rnd() * copy.length) : copy.length;
      try {
        const t = decoder.decode(copy.subarray(0, length));
        assert.equal(t.luma.length, t.width * t.height);
      } catch (error) {
        if (!(error instanceof JpegError)) throw new Error(`round ${round}: ${String(error)}`);
        errors++;
      }
    }
    assert.ok(errors > 25, `the fuzz must reach the error paths (${errors} errors)`);
  });
});

describe("JPEG DC thumbnail: Huffman table cache", () => {
  test("a table refused half-way (an overfull DHT) is rebuilt, not reused, when its slot is loaded again", () => {
    const decoder = createThumbnailDecoder();
    const gray = synthJpeg({ width: 16, height: 16, components: [Y(1, 1)], block: blocks(9) });
    assert.deepEqual(decoder.decode(gray).luma, expected(16, 16));
    // Slot 0 again, 12 codes as before, but counts 1, 2, 9: the one-bit code is written into the lookup
    // table, then length 2 overflows. The slot must not keep the half-written table as the cached one.
    const dht = gray.findIndex((b, i) => b === 0xff && gray[i + 1] === 0xc4);
    const bad = gray.slice();
    bad.set([1, 2, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], dht + 5);
    assert.throws(
      () => decoder.decode(bad),
      (e: unknown) => e instanceof JpegError && e.code === "corrupt",
    );
    assert.deepEqual(decoder.decode(gray).luma, expected(16, 16));
  });
});

describe("JPEG DC thumbnail with gradients (the first two AC coefficients of each luma block)", () => {
  test("each visible luma block's zigzag 1 and 2, dequantized; the thumbnail itself unchanged", () => {
    for (const [name, comps, restartInterval] of [
      ["4:2:0 with restarts", [Y(2, 2), CB, CR], 3],
      ["grayscale", [Y(1, 1)], 0],
    ] as [string, SynthComponent[], number][]) {
      const coefficients = new Map<string, Int16Array>();
      const rnd = seededRandom(11);
      const jpeg = synthJpeg({
        width: 75,
        height: 45,
        components: comps,
        restartInterval,
        block: (comp, bx, by) => {
          const b = new Int16Array(64);
          b[0] = comp === 0 ? lumaDc(bx, by) : 5;
          // Every case of the first codes: both set, one of them, neither (EOB first, or a later coefficient).
          const kind = Math.floor(rnd() * 5);
          if (kind === 0 || kind === 1) b[1] = Math.floor(rnd() * 400) - 200 || 1;
          if (kind === 0 || kind === 2) b[2] = Math.floor(rnd() * 400) - 200 || -1;
          if (kind !== 4 && rnd() < 0.5) b[3 + Math.floor(rnd() * 60)] = 7;
          if (kind === 3) b[40] = -9;
          coefficients.set(`${comp},${bx},${by}`, b);
          return b;
        },
      });
      const plain = createThumbnailDecoder().decode(jpeg);
      const t = createThumbnailDecoder({ gradients: true }).decode(jpeg);
      assert.deepEqual(t.luma, plain.luma, `${name}: the same thumbnail`);
      assert.equal(plain.gradients, undefined);
      const g = t.gradients!;
      assert.equal(g.length, 2 * t.width * t.height);
      for (let y = 0; y < t.height; y++)
        for (let x = 0; x < t.width; x++) {
          const b = coefficients.get(`0,${x},${y}`)!;
          const c = y * t.width + x;
          assert.deepEqual([g[2 * c], g[2 * c + 1]], [b[1] * 16, b[2] * 16], `${name}: block ${x},${y}`);
        }
    }
  });
});
