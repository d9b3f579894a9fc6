// SPDX-License-Identifier: MIT
// The bundle partition's format (modules/bundle-image.ts, docs/build-and-flash.md): what `doorbell device add`
// writes for a maker to flash, and what the device reads back. Runs on Node and inside XS.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  BUNDLE_HEADER_BYTES,
  BundleImageError,
  decodeBundleBody,
  decodeBundleImage,
  encodeBundleBody,
  encodeBundleHeader,
  encodeBundleImage,
  readBundleHeader,
} from "../../modules/bundle-image.js";
import { sha256 } from "../../modules/update/sha256.js";

const FILES = [
  { name: "device-config.json", bytes: Uint8Array.of(0x7b, 0x7d) },
  { name: "broker-ca.der", bytes: Uint8Array.of(0x30, 1, 2) },
  { name: "empty.der", bytes: new Uint8Array(0) },
];
const SIZE = 0x4000;

describe("bundle partition image", () => {
  test("the layout is byte for byte: magic DBND, version 1, length, SHA-256 of the body, commit 0, then the files", () => {
    const image = encodeBundleImage(FILES, SIZE);
    assert.equal(image.length, SIZE);
    const body = encodeBundleBody(FILES);
    assert.deepEqual(Array.from(image.subarray(0, 12)), [0x44, 0x42, 0x4e, 0x44, 1, 0, 0, 0, 0, 0, 0, body.length]);
    assert.deepEqual(Array.from(image.subarray(12, 44)), Array.from(sha256(body)));
    assert.deepEqual(Array.from(image.subarray(44, 48)), [0, 0, 0, 0]);
    // First entry: name length 18, "device-config.json", u32 BE 2, "{}".
    assert.deepEqual(Array.from(body.subarray(0, 1)), [18]);
    assert.deepEqual(Array.from(body.subarray(19, 25)), [0, 0, 0, 2, 0x7b, 0x7d]);
    assert.ok(
      image.subarray(BUNDLE_HEADER_BYTES + body.length).every((b) => b === 0xff),
      "the rest is erased flash",
    );
  });

  test("decoding gives the files back, in order, empty ones included", () => {
    const files = decodeBundleImage(encodeBundleImage(FILES, SIZE));
    assert.deepEqual(
      files.map((f) => [f.name, Array.from(f.bytes)]),
      FILES.map((f) => [f.name, Array.from(f.bytes)]),
    );
  });

  test("an erased header is empty; a header whose commit word is not zero is an unfinished write", () => {
    assert.deepEqual(readBundleHeader(new Uint8Array(48).fill(0xff), SIZE), { state: "empty" });
    const body = encodeBundleBody(FILES);
    assert.deepEqual(readBundleHeader(encodeBundleHeader(body, false), SIZE), { state: "unfinished" });
    const half = encodeBundleHeader(body, true);
    half[46] = 0xff; // a commit write cut half-way
    assert.deepEqual(readBundleHeader(half, SIZE), { state: "unfinished" });
    const whole = readBundleHeader(encodeBundleHeader(body, true), SIZE);
    assert.equal(whole.state, "committed");
  });

  test("each damage is refused with its reason", () => {
    const image = encodeBundleImage(FILES, SIZE);
    const refused = (mutate: (b: Uint8Array) => void, reason: RegExp) => {
      const b = image.slice();
      mutate(b);
      assert.throws(
        () => decodeBundleImage(b),
        (e: unknown) => e instanceof BundleImageError && reason.test(e.message),
      );
    };
    refused((b) => void (b[0] = 0), /no bundle magic/);
    refused((b) => void (b[4] = 9), /format version 9/);
    refused((b) => b.set([0, 0, 0, 0], 8), /body length 0 outside 1\.\.16336/);
    refused((b) => void (b[BUNDLE_HEADER_BYTES + 3] ^= 0x20), /SHA-256 of the body does not match/);
    refused((b) => void (b[20] ^= 1), /SHA-256 of the body does not match/);
    assert.throws(() => decodeBundleImage(new Uint8Array(SIZE).fill(0xff)), /the partition is empty/);
  });

  test("a body that passes its hash but is malformed is refused (a bundle.bin written by another tool)", () => {
    const forge = (body: Uint8Array) => {
      const image = new Uint8Array(SIZE).fill(0xff);
      image.set(encodeBundleHeader(body), 0);
      image.set(body, BUNDLE_HEADER_BYTES);
      return image;
    };
    assert.throws(() => decodeBundleImage(forge(Uint8Array.of(0))), /file 1: truncated entry/);
    assert.throws(() => decodeBundleImage(forge(Uint8Array.of(1, 0x61, 0, 0, 0, 9, 1))), /file a: 9 bytes run past/);
    assert.throws(() => decodeBundleImage(forge(Uint8Array.of(1, 0x2f, 0, 0, 0, 0))), /name is not/);
    const twice = encodeBundleBody([
      { name: "a", bytes: new Uint8Array(1) },
      { name: "b", bytes: new Uint8Array(1) },
    ]);
    twice[8] = 0x61; // the second entry's name becomes "a"
    assert.throws(() => decodeBundleImage(forge(twice)), /file a appears twice/);
    assert.throws(() => decodeBundleBody(Uint8Array.of(0), new Uint8Array(32)), /SHA-256/);
  });

  test("a bundle larger than its partition, or a bad file name, is refused when the image is made", () => {
    assert.throws(() => encodeBundleImage([{ name: "big.der", bytes: new Uint8Array(SIZE) }], SIZE), /16336/);
    assert.throws(() => encodeBundleImage([{ name: "../key.der", bytes: new Uint8Array(1) }], SIZE), /file name/);
    assert.throws(() => encodeBundleImage([], SIZE), /1 to 16 files/);
  });
});
