// SPDX-License-Identifier: MIT
// The bridge's packet-size guard: MQTT fixed-header framing (MQTT 3.1.1 §2.2.3, Remaining Length) followed
// across any split of the stream, a packet over the limit reported on its header, a 5-byte length refused.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createPacketSizeGuard } from "../../bridge/packet-size-guard.js";

/** A PUBLISH-shaped packet: type byte, Remaining Length varint, then `bodyBytes` bytes. */
function packet(bodyBytes: number): Uint8Array {
  const length: number[] = [];
  let n = bodyBytes;
  do {
    length.push((n % 128) | (n >= 128 ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return Uint8Array.from([0x30, ...length, ...new Array(bodyBytes).fill(0xaa)]);
}

test("[MQTT-2.2.3] packets at the limit pass, whatever the chunking (every split point of three packets)", () => {
  const stream = Uint8Array.from([...packet(0), ...packet(127), ...packet(200)]); // 200 + 3 header bytes = 203
  for (let cut = 0; cut <= stream.length; cut++) {
    const guard = createPacketSizeGuard(203);
    assert.deepEqual(guard.push(stream.subarray(0, cut)), { ok: true }, `cut at ${cut}`);
    assert.deepEqual(guard.push(stream.subarray(cut)), { ok: true }, `cut at ${cut}`);
  }
  const byteByByte = createPacketSizeGuard(203);
  for (const b of stream) assert.deepEqual(byteByByte.push(Uint8Array.of(b)), { ok: true });
});

test("a packet one byte over the limit is refused on its header, before its body, and the guard stays refused", () => {
  const guard = createPacketSizeGuard(202);
  assert.deepEqual(guard.push(packet(127)), { ok: true });
  const big = packet(200);
  assert.deepEqual(guard.push(big.subarray(0, 3)), { ok: false, packetBytes: 203, reason: "too-large" });
  assert.equal(guard.push(big.subarray(3)).ok, false);
});

test("a 100 MB PUBLISH is refused from its first 5 bytes; a Remaining Length of 5 bytes is malformed", () => {
  const header = Uint8Array.of(0x30, 0x80, 0x80, 0x80, 0x32); // 0x32 * 128^3 = 104,857,600
  assert.deepEqual(createPacketSizeGuard(100_000).push(header), {
    ok: false,
    packetBytes: 5 + 104_857_600,
    reason: "too-large",
  });
  const r = createPacketSizeGuard(100_000).push(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff, 0x01));
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.reason, "malformed-length");
});
