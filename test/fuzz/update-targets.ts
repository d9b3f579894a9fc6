// SPDX-License-Identifier: MIT
// Fuzz targets for owner updates (docs/ota.md): the manifest parser, and the device's receiver fed mutated real
// manifests and chunks. Nothing may throw, nothing forged may be accepted or written to the slot.
import fc from "fast-check";
import { createLogger } from "../../modules/logger.js";
import { deviceTopics } from "../../modules/topics.js";
import { parseManifest } from "../../modules/update/update-format.js";
import { createUpdateReceiver } from "../../modules/update/update-receiver.js";
import { createVirtualFlash } from "../../hosts/node/virtual-flash.js";
import { FakeClock } from "../support/fake-clock.js";
import { MemoryKv } from "../support/fake-host.js";
import { testOwnerKeys } from "../support/owner.js";
import { testCrypto } from "../support/test-crypto.js";
import { packForTest, testImage } from "../support/update-owner.js";
import type { FuzzTarget } from "./targets.js";

const crypto = testCrypto();
const owner = testOwnerKeys();
const deviceSecret = crypto.randomBytes(32);
const deviceKey = { secret: deviceSecret, publicKey: crypto.x25519(deviceSecret) };
const ID = "frontdoor";
const topics = deviceTopics("doorbell", ID);
const packed = packForTest({
  owner,
  devicePublicKey: deviceKey.publicKey,
  deviceId: ID,
  image: testImage("1.1.0", 5000),
  version: "1.1.0",
  seq: 1_790_000_000_000,
});

/** A receiver with an empty slot; `accept` gives it the real manifest first, so chunks are checked. */
function receiver(accept: boolean) {
  const flash = createVirtualFlash({ slotBytes: 64 * 1024 });
  flash.flashFactory(testImage("1.0.0", 100));
  flash.boot();
  const r = createUpdateReceiver({
    crypto,
    kv: new MemoryKv(),
    timers: new FakeClock(),
    log: createLogger({ write() {} }, "update"),
    slots: flash.port,
    deviceKey,
    ownerKeys: () => ({ publicHex: owner.publicHex, signingPublicHex: owner.signingPublicHex }),
    deviceId: ID,
    topics,
    runningVersion: "1.0.0",
    publish() {},
    connected: () => true,
    restart() {},
  });
  if (accept) r.manifest(packed.manifest);
  return { r, flash };
}

/** `sample` with a few bytes replaced, inserted or removed; never the sample itself. */
function mutated(sample: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc
    .array(
      fc.record({
        at: fc.nat(sample.length + 4),
        op: fc.constantFrom("set", "insert", "delete"),
        value: fc.integer({ min: 0, max: 255 }),
      }),
      { minLength: 1, maxLength: 6 },
    )
    .map((edits) => {
      const bytes = Array.from(sample);
      for (const e of edits) {
        const at = Math.min(e.at, bytes.length);
        if (e.op === "set" && at < bytes.length) bytes[at] = bytes[at] === e.value ? (e.value + 1) & 255 : e.value;
        else if (e.op === "insert") bytes.splice(at, 0, e.value);
        else if (at < bytes.length) bytes.splice(at, 1);
      }
      return Uint8Array.from(bytes);
    })
    .filter((b) => b.length !== sample.length || b.some((v, i) => v !== sample[i]));
}

const manifestDevice = receiver(false);
const chunkDevice = receiver(true);

export const UPDATE_FUZZ_TARGETS: FuzzTarget[] = [
  {
    name: "update manifest parser",
    property: () =>
      fc.property(
        fc.oneof(
          fc.jsonValue({ maxDepth: 3 }),
          fc.record(
            {
              v: fc.constantFrom(1, 2),
              kind: fc.constantFrom("firmware", "x"),
              version: fc.constantFrom("1.2.3", "1.2", "", "9.9.9"),
              size: fc.oneof(fc.integer(), fc.double()),
              sha256: fc.constantFrom("ab".repeat(32), "AB", ""),
              chunkBytes: fc.integer({ min: -1, max: 70_000 }),
              chunks: fc.integer({ min: -1, max: 20_000 }),
              firstChunk: fc.constantFrom("cd".repeat(32), "x"),
              allowDowngrade: fc.oneof(fc.boolean(), fc.constant("yes")),
              atMs: fc.integer(),
            },
            { requiredKeys: [] },
          ),
        ),
        (raw) => {
          const r = parseManifest(raw);
          return r.ok
            ? r.manifest.chunks === Math.ceil(r.manifest.size / r.manifest.chunkBytes)
            : r.error.startsWith("manifest");
        },
      ),
  },
  {
    name: "update receiver: mutated real manifests are refused, never accepted",
    property: () =>
      fc.property(mutated(packed.manifest), (bytes) => {
        manifestDevice.r.manifest(bytes);
        return manifestDevice.r.stats.accepted === 0 && manifestDevice.flash.state.states.b === "empty";
      }),
  },
  {
    name: "update receiver: mutated real chunks are refused and never written",
    property: () =>
      fc.property(mutated(packed.chained.chunks[0]), (bytes) => {
        chunkDevice.r.chunk(bytes);
        return chunkDevice.r.stats.chunksWritten === 0 && chunkDevice.flash.slot("b").every((v) => v === 0);
      }),
  },
];
