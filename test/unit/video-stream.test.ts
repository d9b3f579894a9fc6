// SPDX-License-Identifier: MIT
// Sealed video streams (docs/protocol.md, "Sealed video streams"): the layout, RFC 9180 §5.2 sequence use, and the
// owner's opener refusing forged, cross-stream, cross-device, replayed, reordered, truncated and oversized
// messages with a logged reason, while passing only authenticated frames in order. Runs under Node and in XS.
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { describe, it } from "node:test";
import { concat } from "../../modules/bytes.js";
import { envelopeAad } from "../../modules/envelope/binding.js";
import { chacha20Poly1305Aead } from "../../modules/hpke/aead.js";
import { generateKeyPair } from "../../modules/hpke/dhkem-x25519.js";
import { setupRecipient } from "../../modules/hpke/setup.js";
import { streamInfo } from "../../modules/video/stream-crypto.js";
import {
  FRAME,
  FRAME_HEADER_BYTES,
  MAX_VIDEO_MESSAGE_BYTES,
  OPEN,
  OPEN_BYTES,
  readVideoMessage,
} from "../../modules/video/stream-format.js";
import { STREAM_IDLE_TIMEOUT_MS } from "../../bridge/video/stream-opener.js";
import { crypto, jpegOf, sender, testDevice, testOwner } from "../support/video-streams.js";

const front = testDevice("frontdoor");
const back = testDevice("backdoor");
const clipMeta = {
  kind: "clip" as const,
  trigger: "ring" as const,
  eventSeq: 42,
  triggerMs: 1_790_000_000_500,
  startMs: 1_790_000_000_600,
};

const frame = (s: ReturnType<typeof sender>, n: number, last = false) =>
  s.sealFrame({ jpeg: jpegOf(n), captureMs: 1_790_000_000_000 + n * 200, last, droppedOnDevice: 0 });

describe("video stream layout", () => {
  it("an open message is 100 bytes and reads back its metadata; a frame carries index, time and last", () => {
    const owner = testOwner();
    const s = sender(front, owner.keys, clipMeta);
    equal(s.openMessage.length, OPEN_BYTES);
    const open = readVideoMessage(s.openMessage);
    ok(open.ok && open.message.type === "open");
    if (open.message.type !== "open") return;
    equal(open.message.kind, "clip");
    equal(open.message.trigger, "ring");
    equal(open.message.eventSeq, 42);
    equal(open.message.triggerMs, clipMeta.triggerMs);
    const f = readVideoMessage(frame(s, 0));
    ok(f.ok && f.message.type === "frame");
    if (f.message.type !== "frame") return;
    deepEqual([f.message.index, f.message.captureMs, f.message.last], [0, 1_790_000_000_000, false]);
    equal(frame(s, 1).length, FRAME_HEADER_BYTES + 64 + 16);
  });

  it("refuses before any crypto: truncated, unknown version or type, reserved flags, oversized", () => {
    const owner = testOwner();
    const s = sender(front, owner.keys);
    const f = frame(s, 0);
    equal(readVideoMessage(f.subarray(0, FRAME_HEADER_BYTES + 15)).ok, false);
    deepEqual(readVideoMessage(new Uint8Array(1)), { ok: false, reason: "truncated" });
    const wrongVersion = f.slice();
    wrongVersion[1] = 2;
    deepEqual(readVideoMessage(wrongVersion), { ok: false, reason: "bad-version" });
    const wrongType = f.slice();
    wrongType[0] = 9;
    deepEqual(readVideoMessage(wrongType), { ok: false, reason: "bad-type" });
    const flags = f.slice();
    flags[FRAME.flags] = 0x02;
    deepEqual(readVideoMessage(flags), { ok: false, reason: "bad-field" });
    const big = new Uint8Array(MAX_VIDEO_MESSAGE_BYTES + 1);
    big.set(f.subarray(0, 2));
    deepEqual(readVideoMessage(big), { ok: false, reason: "too-large" });
    const liveWithTrigger = s.openMessage.slice();
    liveWithTrigger[OPEN.trigger] = 1;
    deepEqual(readVideoMessage(liveWithTrigger), { ok: false, reason: "bad-field" });
  });

  it("the sender refuses an oversized frame, a frame that is not a JPEG, and anything after the last", () => {
    const s = sender(front, generateKeyPair(crypto));
    throws(() =>
      s.sealFrame({ jpeg: jpegOf(0, MAX_VIDEO_MESSAGE_BYTES), captureMs: 1, last: false, droppedOnDevice: 0 }),
    );
    throws(() => s.sealFrame({ jpeg: Uint8Array.of(1, 2, 3), captureMs: 1, last: false, droppedOnDevice: 0 }));
    throws(() => s.sealFrame({ captureMs: 1, last: false, droppedOnDevice: 0 }), /only the last/);
    s.sealFrame({ captureMs: 1, last: true, droppedOnDevice: 0 });
    throws(() => frame(s, 1), /ended/);
  });
});

describe("video stream crypto: RFC 9180 §5.2 sequence numbers", () => {
  it("an independent RFC 9180 ContextR opens the open tag at sequence 0 and frame i at sequence i + 1", () => {
    const owner = generateKeyPair(crypto);
    const s = sender(front, owner, clipMeta);
    const frames = [frame(s, 0), frame(s, 1), frame(s, 2, true)];
    const aead = chacha20Poly1305Aead(crypto);
    const open = s.openMessage;
    const context = setupRecipient({
      crypto,
      aead,
      enc: open.subarray(OPEN.enc, OPEN.tag),
      recipient: owner,
      info: streamInfo(front.id),
      senderPublicKey: front.publicKey,
    });
    ok(context.open(envelopeAad(open.subarray(0, OPEN.enc), front.topic, front.id), open.subarray(OPEN.tag)));
    frames.forEach((f, i) => {
      const jpeg = context.open(envelopeAad(f.subarray(0, FRAME.ciphertext), front.topic, front.id), f.subarray(27));
      deepEqual(jpeg, jpegOf(i), `frame ${i} at sequence ${i + 1}`);
    });
    equal(context.seq, 4);
  });
});

describe("video stream opener", () => {
  it("passes authenticated frames in order with the stream's metadata, and a complete summary on the last", () => {
    const owner = testOwner();
    const s = sender(front, owner.keys, clipMeta);
    owner.receive(front, s.openMessage);
    for (let i = 0; i < 3; i++) owner.receive(front, frame(s, i, i === 2));
    deepEqual(
      owner.frames.map((f) => [f.index, f.last, f.kind, f.trigger, f.eventSeq]),
      [
        [0, false, "clip", "ring", 42],
        [1, false, "clip", "ring", 42],
        [2, true, "clip", "ring", 42],
      ],
    );
    deepEqual(owner.frames[1].jpeg, jpegOf(1));
    equal(owner.ended.length, 1);
    deepEqual(owner.ended[0], {
      deviceId: "frontdoor",
      streamId: "0101010101010101",
      kind: "clip",
      frames: 3,
      complete: true,
      gaps: 0,
      refused: {},
      droppedOnDevice: 0,
    });
  });

  it("a forged frame (one flipped bit) is refused as forged, logged, and never reaches the sink", () => {
    const owner = testOwner();
    const s = sender(front, owner.keys);
    owner.receive(front, s.openMessage);
    const forged = frame(s, 0);
    forged[forged.length - 20] ^= 1;
    owner.receive(front, forged);
    equal(owner.frames.length, 0);
    equal(owner.opener.stats.refused.forged, 1);
    ok(owner.lines.some((l) => l.startsWith("warn video video refused: the AEAD tag did not verify")));
    const header = frame(s, 1);
    header[FRAME.captureMs + 7] ^= 1; // the capture time is bound into the AAD
    owner.receive(front, header);
    equal(owner.opener.stats.refused.forged, 2);
    equal(owner.frames.length, 0);
  });

  it("a forged open message is refused; frames of that stream are then unknown", () => {
    const owner = testOwner();
    const s = sender(front, owner.keys);
    const open = s.openMessage.slice();
    open[OPEN.startMs + 7] ^= 1;
    owner.receive(front, open);
    owner.receive(front, frame(s, 0));
    deepEqual(owner.opener.stats.refused, { forged: 1, "unknown-stream": 1 });
    equal(owner.frames.length, 0);
  });

  it("replays, reordering and gaps: each counted in the stream's summary; the viewer sees indexes rising", () => {
    const owner = testOwner();
    const s = sender(front, owner.keys);
    owner.receive(front, s.openMessage);
    const f = [0, 1, 2, 3, 4].map((i) => frame(s, i, i === 4));
    owner.receive(front, f[0]);
    owner.receive(front, f[0]); // replay
    owner.receive(front, f[2]); // gap: 1 missing
    owner.receive(front, f[1]); // late: reordered
    owner.receive(front, s.openMessage); // replayed open
    owner.receive(front, f[4]); // gap: 3 missing; last
    deepEqual(
      owner.frames.map((x) => x.index),
      [0, 2, 4],
    );
    const [summary] = owner.ended;
    equal(summary.gaps, 2);
    deepEqual(summary.refused, { replay: 1, reordered: 1 });
    equal(owner.opener.stats.refused.replay, 2, "the replayed open counts too");
    owner.receive(front, f[3]);
    equal(owner.opener.stats.refused["after-end"], 1, "a frame after the last");
  });
});

describe("video stream opener: other streams and devices, bad sizes, time", () => {
  it("a frame re-labelled with another stream's id is refused as other-stream", () => {
    const owner = testOwner();
    const a = sender(front, owner.keys, undefined, 0xa);
    const b = sender(front, owner.keys, undefined, 0xb);
    owner.receive(front, a.openMessage);
    owner.receive(front, b.openMessage);
    const fromA = frame(a, 0);
    fromA.set(new Uint8Array(8).fill(0xb), FRAME.streamId); // claims to be stream b; sealed under a's context
    owner.receive(front, fromA);
    equal(owner.frames.length, 0);
    deepEqual(owner.opener.stats.refused, { "other-stream": 1 });
    owner.receive(front, frame(a, 1));
    deepEqual(
      owner.frames.map((f) => [f.streamId, f.index]),
      [["0a0a0a0a0a0a0a0a", 1]],
    );
  });

  it("another device's open message or frames on this device's topic are refused as other-device", () => {
    const owner = testOwner();
    const s = sender(back, owner.keys, undefined, 7);
    owner.receive(back, s.openMessage);
    owner.receive(front, s.openMessage, front.topic);
    equal(owner.opener.stats.refused["other-device"], 1, "the open names the back door's key");
    owner.receive(front, frame(s, 0), front.topic);
    equal(owner.opener.stats.refused["other-device"], 2, "a frame of the back door's live stream");
    owner.receive(back, frame(s, 1));
    deepEqual(
      owner.frames.map((f) => [f.deviceId, f.index]),
      [["backdoor", 1]],
    );
  });

  it("a frame on another topic of the same device does not open: the topic is bound", () => {
    const owner = testOwner();
    const s = sender(front, owner.keys);
    owner.receive(front, s.openMessage);
    owner.receive(front, frame(s, 0), "doorbell/frontdoor/sealed/event");
    equal(owner.frames.length, 0);
    equal(owner.opener.stats.refused.forged, 1);
  });

  it("truncated and oversized messages are refused as malformed and oversized", () => {
    const owner = testOwner();
    const s = sender(front, owner.keys);
    owner.receive(front, s.openMessage.subarray(0, 60));
    owner.receive(front, concat(frame(s, 0).subarray(0, 2), new Uint8Array(MAX_VIDEO_MESSAGE_BYTES)));
    deepEqual(owner.opener.stats.refused, { malformed: 1, oversized: 1 });
  });

  it("a stream with no frame for the idle timeout ends as cut short, with what the device reported dropped", () => {
    const owner = testOwner();
    const s = sender(front, owner.keys);
    owner.receive(front, s.openMessage);
    owner.receive(front, s.sealFrame({ jpeg: jpegOf(0), captureMs: 1, last: false, droppedOnDevice: 3 }));
    owner.clock.advance(STREAM_IDLE_TIMEOUT_MS - 1);
    equal(owner.ended.length, 0);
    owner.clock.advance(1);
    equal(owner.ended.length, 1);
    equal(owner.ended[0].complete, false);
    equal(owner.ended[0].droppedOnDevice, 3);
    ok(owner.lines.some((l) => l.includes("cut short")));
  });

  it("a bare end marker ends the stream complete and carries the device's final dropped count", () => {
    const owner = testOwner();
    const s = sender(front, owner.keys);
    owner.receive(front, s.openMessage);
    owner.receive(front, frame(s, 0));
    owner.receive(front, s.sealFrame({ captureMs: 2, last: true, droppedOnDevice: 5 }));
    equal(owner.frames.length, 1);
    deepEqual([owner.ended[0].complete, owner.ended[0].droppedOnDevice], [true, 5]);
  });

  it("an open message dated over ten minutes before the bridge's clock is refused as stale", () => {
    const owner = testOwner();
    owner.clock.advance(11 * 60_000);
    const s = sender(front, owner.keys, { kind: "live", startMs: 1_790_000_000_000 });
    owner.receive(front, s.openMessage);
    deepEqual(owner.opener.stats.refused, { stale: 1 });
  });
});
