// SPDX-License-Identifier: MIT
// Fuzz targets for the owner's video stream opener (bridge/video/stream-opener.ts): random bytes and mutated real
// open and frame messages never throw, are refused with a known reason, and never put a frame in front of a viewer.
import fc from "fast-check";
import { generateKeyPair } from "../../modules/hpke/dhkem-x25519.js";
import { createLogger } from "../../modules/logger.js";
import { createStreamSender } from "../../modules/video/stream-crypto.js";
import { createStreamOpener } from "../../bridge/video/stream-opener.js";
import { STREAM_REFUSALS } from "../../bridge/video/stream-reasons.js";
import { testCrypto } from "../support/test-crypto.js";

const crypto = testCrypto();
const device = generateKeyPair(crypto);
const owner = generateKeyPair(crypto);
const DEVICE = { id: "frontdoor", publicKey: device.publicKey };
const TOPIC = "doorbell/frontdoor/sealed/video";
const sender = createStreamSender({
  crypto,
  sender: device,
  recipientPublicKey: owner.publicKey,
  deviceId: DEVICE.id,
  topic: TOPIC,
  streamId: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
  openSeq: 5,
  meta: { kind: "clip", trigger: "ring", eventSeq: 4, triggerMs: 1_790_000_000_000, startMs: 1_790_000_000_100 },
});
const OPEN = sender.openMessage;
const FRAME = sender.sealFrame({
  jpeg: Uint8Array.of(0xff, 0xd8, 1, 2, 3, 0xff, 0xd9),
  captureMs: 1_790_000_000_000,
  last: false,
  droppedOnDevice: 0,
});

/** A real message with a few bytes replaced, inserted or removed; never the message itself. */
function mutated(seed: Uint8Array): fc.Arbitrary<Uint8Array> {
  const edit = fc.record({
    at: fc.nat(seed.length),
    op: fc.constantFrom("set", "insert", "delete"),
    value: fc.integer({ min: 0, max: 255 }),
  });
  return fc
    .array(edit, { minLength: 1, maxLength: 6 })
    .map((edits) => {
      const bytes = Array.from(seed);
      for (const e of edits) {
        const at = Math.min(e.at, bytes.length);
        if (e.op === "set" && at < bytes.length) bytes[at] = bytes[at] === e.value ? (e.value + 1) & 255 : e.value;
        else if (e.op === "insert") bytes.splice(at, 0, e.value);
        else if (at < bytes.length) bytes.splice(at, 1);
      }
      return Uint8Array.from(bytes);
    })
    .filter((b) => b.length !== seed.length || b.some((v, i) => v !== seed[i]));
}

/**
 * Delivers `messages` to a fresh opener: true when nothing threw, every refusal has a known code, and no frame
 * reached the sink unless `authentic` says the real open and frame were among them unaltered.
 */
function refusesCleanly(messages: Uint8Array[], authenticFrames: number): boolean {
  let frames = 0;
  const opener = createStreamOpener({
    crypto,
    ownerSecret: owner.privateKey,
    sink: { frame: () => void frames++, streamEnded: () => undefined },
    log: createLogger({ write: () => undefined }, "video"),
    timers: { set: () => 0, clear: () => undefined },
    now: () => 1_790_000_000_000,
  });
  for (const m of messages) opener.onMessage(DEVICE, TOPIC, m);
  const known = Object.keys(opener.stats.refused).every((r) => (STREAM_REFUSALS as readonly string[]).includes(r));
  return known && frames === authenticFrames;
}

export const VIDEO_FUZZ_TARGETS = [
  {
    name: "video stream opener: random bytes",
    property: () => fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => refusesCleanly([OPEN, bytes], 0)),
  },
  {
    name: "video stream opener: mutated real frames after a real open",
    property: () => fc.property(mutated(FRAME), (bytes) => refusesCleanly([OPEN, bytes, FRAME], 1)),
  },
  {
    name: "video stream opener: mutated real open messages, then a real frame",
    property: () => fc.property(mutated(OPEN), (bytes) => refusesCleanly([bytes, FRAME], 0)),
  },
];
