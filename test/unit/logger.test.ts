// SPDX-License-Identifier: MIT
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createLogger, formatLine } from "../../modules/logger.js";

describe("logger", () => {
  test("byte arrays are printed as their size, never their contents", () => {
    const line = formatLine("frame", { jpeg: new Uint8Array([0xde, 0xad]), data: new Uint8Array(300) });
    assert.equal(line, "frame jpeg=<2 bytes> data=<300 bytes>");
  });

  test("fields named like secrets are redacted whatever their type", () => {
    const line = formatLine("x", { ownerKey: "abcdef0123", password: "hunter2", token: 7, seq: 3 });
    assert.equal(line, "x ownerKey=<redacted> password=<redacted> token=<redacted> seq=3");
  });

  test("a number that is the size of a secret thing is printed, but not a string under such a name", () => {
    const line = formatLine("x", {
      jpegBytes: 28971,
      payloadLength: 12,
      keyCount: 2,
      jpegBytesText: "28971",
      imageSize: "ffd8",
    });
    assert.equal(line, "x jpegBytes=28971 payloadLength=12 keyCount=2 jpegBytesText=<redacted> imageSize=<redacted>");
  });

  test("lines carry the module tag and level", () => {
    const out: string[] = [];
    const log = createLogger({ write: (level, tag, m) => void out.push(`${level} ${tag} ${m}`) }, "camera");
    log.warn("stalled", { ms: 5000 });
    log.child("mqtt").info("up");
    assert.deepEqual(out, ["warn camera stalled ms=5000", "info mqtt up"]);
  });
});
