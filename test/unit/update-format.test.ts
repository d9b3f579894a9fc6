// SPDX-License-Identifier: MIT
// The update's building blocks: SHA-256 against FIPS 180-4 examples and the crypto port's HMAC, its saved state
// resuming mid-image, the hash chain, the chunk codec and the manifest parser's named errors.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { toHex, utf8 } from "../../modules/bytes.js";
import { compareFirmwareVersions } from "../../modules/update/firmware-version.js";
import { createSha256, sha256 } from "../../modules/update/sha256.js";
import { chunkHash, decodeChunk, parseManifest } from "../../modules/update/update-format.js";
import { chainImage, manifestFor } from "../../modules/update/update-pack.js";
import { testCrypto } from "../support/test-crypto.js";
import { testImage } from "../support/update-owner.js";

/** RFC 2104 HMAC-SHA-256 built on this SHA-256, to compare with the crypto port's own (node:crypto or mbedtls). */
function hmacWith(hash: (b: Uint8Array) => Uint8Array, key: Uint8Array, data: Uint8Array): Uint8Array {
  const pad = (x: number) => Uint8Array.from({ length: 64 }, (_, i) => (key[i] ?? 0) ^ x);
  const inner = new Uint8Array(64 + data.length);
  inner.set(pad(0x36));
  inner.set(data, 64);
  const outer = new Uint8Array(96);
  outer.set(pad(0x5c));
  outer.set(hash(inner), 64);
  return hash(outer);
}

describe("SHA-256 (FIPS 180-4)", () => {
  test("FIPS 180-4 examples: abc, the 448-bit and 896-bit messages, and the empty message", () => {
    assert.equal(toHex(sha256(utf8("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(
      toHex(sha256(utf8("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
    const m896 =
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    assert.equal(toHex(sha256(utf8(m896))), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    assert.equal(toHex(sha256(new Uint8Array(0))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  test("every length 0..200 and odd update splits agree with the crypto port's HMAC-SHA-256 (RFC 2104)", () => {
    const data = testImage("0.0.1", 200, 9);
    const key = testImage("0.0.2", 32, 5);
    const split = (n: number) => (b: Uint8Array) => {
      const h = createSha256();
      h.update(b.subarray(0, n % 7));
      h.update(b.subarray(n % 7));
      return h.digest();
    };
    for (let n = 0; n <= 200; n++) {
      const msg = data.subarray(0, n);
      assert.equal(toHex(hmacWith(split(n), key, msg)), toHex(testCrypto().hmacSha256(key, msg)), `length ${n}`);
    }
  });

  test("a saved state resumes the hash, as after a power cut between chunks", () => {
    const data = testImage("0.0.1", 5000, 2);
    const h = createSha256();
    h.update(data.subarray(0, 4096));
    const resumed = createSha256(h.save());
    resumed.update(data.subarray(4096));
    assert.equal(toHex(resumed.digest()), toHex(sha256(data)));
    const partial = createSha256();
    partial.update(data.subarray(0, 100));
    assert.throws(() => partial.save(), /block boundary/);
    assert.throws(() => createSha256(new Uint8Array(39)), /40 bytes/);
  });
});

describe("update format", () => {
  test("each chunk carries the chain hash of the next; the manifest holds chunk 0's", () => {
    const image = testImage("1.0.0", 5000);
    const c = chainImage(image, 1024);
    assert.equal(c.chunks.length, 5);
    assert.equal(c.sha256, toHex(sha256(image)));
    let expect = c.firstChunk;
    for (let i = 0; i < c.chunks.length; i++) {
      const d = decodeChunk(c.chunks[i]);
      assert.ok(d.ok);
      assert.equal(d.chunk.index, i);
      assert.equal(d.chunk.updateId, c.updateId);
      assert.equal(toHex(chunkHash(i, d.chunk.payload)), expect);
      expect = toHex(d.chunk.payload.subarray(d.chunk.payload.length - 32));
    }
    assert.equal(expect, "00".repeat(32), "the last chunk's next hash is zeros");
  });

  test("chunk codec: truncated, wrong version and oversized are named", () => {
    assert.deepEqual(decodeChunk(new Uint8Array(10)), { ok: false, reason: "truncated chunk" });
    const c = chainImage(testImage("1.0.0", 2000), 1024).chunks[0].slice();
    c[0] = 2;
    assert.deepEqual(decodeChunk(c), { ok: false, reason: "chunk version 2 is not 1" });
    assert.deepEqual(decodeChunk(new Uint8Array(40 * 1024).fill(1)), { ok: false, reason: "oversized chunk" });
  });

  test("manifest parser: accepts what the packer writes and names the field of anything else", () => {
    const m = manifestFor(chainImage(testImage("1.0.0", 3000), 1024), "1.2.3", { atMs: 1 });
    assert.ok(parseManifest(m).ok);
    const bad = (edit: Record<string, unknown>, field: RegExp) => {
      const r = parseManifest({ ...m, ...edit });
      assert.ok(!r.ok && field.test(r.error), JSON.stringify(r));
    };
    bad({ version: "1.2" }, /manifest version/);
    bad({ size: 0 }, /manifest size/);
    bad({ sha256: "AB" }, /manifest sha256/);
    bad({ chunkBytes: 1000 }, /manifest chunkBytes/);
    bad({ chunks: 2 }, /manifest chunks/);
    bad({ allowDowngrade: "yes" }, /allowDowngrade/);
    bad({ extra: 1 }, /unknown field extra/);
    assert.deepEqual(parseManifest([]), { ok: false, error: "manifest: expected a JSON object" });
  });

  test("versions compare as numbers, and an unparsable running version counts as 0.0.0", () => {
    assert.ok(compareFirmwareVersions("1.10.0", "1.9.9") > 0);
    assert.equal(compareFirmwareVersions("2.0.0", "2.0.0"), 0);
    assert.ok(compareFirmwareVersions("0.0.1", "test") > 0);
    assert.throws(() => manifestFor(chainImage(new Uint8Array(100), 1024), "v1", { atMs: 0 }), /major.minor.patch/);
  });
});
