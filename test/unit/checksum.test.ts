// SPDX-License-Identifier: MIT
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ascii } from "../../modules/bytes.js";
import { adler32 } from "../../modules/checksum.js";
import { decodeOutboxRecord, DROP_CLASS, encodeOutboxRecord, recordChecksum } from "../../modules/outbox-record.js";
import { testCrypto } from "../support/test-crypto.js";

describe("checksums for torn flash writes", () => {
  test("RFC 1950 §9 Adler-32: known answers, and ranges past zlib's NMAX", () => {
    assert.equal(adler32(new Uint8Array(0)), 1);
    assert.equal(adler32(ascii("Wikipedia")), 0x11e60398);
    // zlib.adler32 of bytes 0..255 repeated 40 times (10,240 bytes: two NMAX rounds).
    const long = Uint8Array.from({ length: 10240 }, (_, i) => i & 0xff);
    assert.equal(adler32(long), 4101369118);
    assert.equal(adler32(ascii("xWikipediay"), 1, 10), 0x11e60398);
  });

  test("a record torn at any byte, truncated or with an erased tail, is refused", () => {
    const envelope = Uint8Array.from({ length: 60 }, (_, i) => (i * 37 + 11) & 0xff);
    const checksum = recordChecksum(testCrypto());
    const record = encodeOutboxRecord(DROP_CLASS.ring, envelope, checksum);
    assert.deepEqual(decodeOutboxRecord(record, checksum)?.envelope, envelope);
    for (let keep = 0; keep < record.length; keep++) {
      assert.equal(decodeOutboxRecord(record.subarray(0, keep), checksum), undefined, `truncated to ${keep}`);
      const erased = record.slice();
      erased.fill(0xff, keep);
      if (erased.some((v, i) => v !== record[i]))
        assert.equal(decodeOutboxRecord(erased, checksum), undefined, `erased from ${keep}`);
    }
  });

  test("a record carries an optional per-record tag beside the envelope, covered by the checksum", () => {
    const envelope = Uint8Array.from({ length: 60 }, (_, i) => (i * 37 + 11) & 0xff);
    const tag = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
    const checksum = recordChecksum(testCrypto());
    const record = encodeOutboxRecord(DROP_CLASS.motion, envelope, checksum, tag);
    assert.deepEqual([record[0], record[1], record[2]], [4, DROP_CLASS.motion, 32], "format 4, class, tag length");
    const decoded = decodeOutboxRecord(record, checksum);
    assert.deepEqual(decoded?.tag, tag);
    assert.deepEqual(decoded?.envelope, envelope);
    assert.equal(decodeOutboxRecord(encodeOutboxRecord(DROP_CLASS.ring, envelope, checksum), checksum)?.tag.length, 0);
    const flipped = record.slice();
    flipped[3] ^= 0x80;
    assert.equal(decodeOutboxRecord(flipped, checksum), undefined, "a flipped tag bit fails the checksum");
    assert.throws(() => encodeOutboxRecord(DROP_CLASS.ring, envelope, checksum, new Uint8Array(33)), /33-byte tag/);
  });
});
