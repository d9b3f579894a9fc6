// SPDX-License-Identifier: MIT
// Privacy zones on every picture before sealing (issue 14 point 1's wiring): the frame size read from SOFn
// (ITU T.81 §B.2.2), the zone mask cached per frame size, and the firmware's rule that a picture leaves the device
// only redacted: one the redactor refuses is withheld with `pictureWithheld`, never sent as it was.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { toHex } from "../../modules/bytes.js";
import { startFirmware } from "../../modules/firmware.js";
import { createThumbnailDecoder } from "../../modules/jpeg/thumbnail-decoder.js";
import { createPicturePrivacy, zoneMask } from "../../modules/privacy/picture-privacy.js";
import type { CellMask, JpegRedactor, RedactResult } from "../../modules/privacy/redactor-port.js";
import { createFakeHost, type FakeHost, frameBytes } from "../support/fake-host.js";
import { synthJpeg } from "../support/jpeg-synth.js";
import { openEventForTest, testOwnerKeys } from "../support/owner.js";

const owner = testOwnerKeys();
const Y = { id: 1, h: 2, v: 2, tq: 0, td: 0, ta: 0 };
const CB = { id: 2, h: 1, v: 1, tq: 1, td: 1, ta: 1 };
const CR = { id: 3, h: 1, v: 1, tq: 1, td: 1, ta: 1 };
const jpegOf = (width: number, height: number, dc = 0) =>
  synthJpeg({ width, height, components: [Y, CB, CR], block: () => [dc] });
const ZONE = { x: 16, y: 8, width: 8, height: 8 };

/** A redactor double: records each call and answers with `answer`. The real redactor has its own tests. */
function recordingRedactor(answer: (jpeg: Uint8Array) => RedactResult) {
  const calls: { size: number; mask: CellMask; grey: number }[] = [];
  const redactor: JpegRedactor = {
    redact(jpeg, mask, options) {
      calls.push({ size: jpeg.length, mask, grey: options?.grey ?? -1 });
      return answer(jpeg);
    },
  };
  return { redactor, calls };
}
const REDACTED = Uint8Array.of(0xff, 0xd8, 0x52, 0x45, 0x44, 0xff, 0xd9);
const redactsTo = () => ({ ok: true as const, jpeg: REDACTED, mcusRedacted: 1, mcus: 8 });
const refuses = () => ({ ok: false as const, code: "unsupported" as const, reason: "progressive JPEG (SOF2)" });

describe("picture privacy", () => {
  test("the mask has ceil(w/8) x ceil(h/8) cells and marks the zone's cells", () => {
    const mask = zoneMask([ZONE], 75, 45);
    assert.deepEqual([mask.widthCells, mask.heightCells], [10, 6]);
    assert.deepEqual(
      [...mask.cells].flatMap((c, i) => (c ? [i] : [])),
      [12],
    );
  });

  test("no zones: the picture passes untouched and the redactor is never called", () => {
    const { redactor, calls } = recordingRedactor(redactsTo);
    const jpeg = jpegOf(32, 16);
    const v = createPicturePrivacy({ zones: [], grey: 128, redactor }).apply(jpeg);
    assert.ok(v.ok && v.jpeg === jpeg);
    assert.equal(calls.length, 0);
  });

  test("zones: the redactor's picture is sealed; the mask is computed once per frame size", () => {
    const { redactor, calls } = recordingRedactor(redactsTo);
    const privacy = createPicturePrivacy({ zones: [ZONE], grey: 40, redactor });
    for (const jpeg of [jpegOf(75, 45), jpegOf(75, 45, 3), jpegOf(64, 48), jpegOf(64, 48)]) {
      const v = privacy.apply(jpeg);
      assert.ok(v.ok && v.jpeg === REDACTED);
    }
    assert.equal(privacy.masksBuilt, 2, "75x45 then 64x48");
    assert.equal(calls[0].mask, calls[1].mask, "the cached mask is reused");
    assert.deepEqual([calls[2].mask.widthCells, calls[2].mask.heightCells, calls[2].grey], [8, 6, 40]);
  });

  test("a refusal, a throwing redactor, no redactor, no frame header: each withheld with its code", () => {
    const jpeg = jpegOf(32, 16);
    const code = (redactor: JpegRedactor | undefined, bytes = jpeg) => {
      const v = createPicturePrivacy({ zones: [ZONE], grey: 128, redactor }).apply(bytes);
      return v.ok ? "sent" : v.code;
    };
    assert.equal(code(recordingRedactor(refuses).redactor), "unsupported");
    const throwing = recordingRedactor(() => {
      throw new Error("native redactor out of memory");
    });
    assert.equal(code(throwing.redactor), "redactor-error");
    assert.equal(code(undefined), "no-redactor");
    assert.equal(code(recordingRedactor(redactsTo).redactor, frameBytes(1)), "no-frame-header");
  });
});

function boot(redactor: JpegRedactor | undefined, privacy: object) {
  const host: FakeHost = { ...createFakeHost(), redactor };
  const fw = startFirmware(host, {
    firmwareVersion: "test",
    // Clips off: these tests count the redactor's calls per event picture (clip frames: video-flow.test.ts).
    config: {
      deviceId: "frontdoor",
      keys: { ownerPublic: owner.publicHex },
      privacy,
      motion: { enabled: false },
      video: { clips: false },
    },
  });
  host.mqtt.accept();
  host.clock.advance(10_000);
  return { host, fw };
}
/** A ring with a real JPEG frame before the press and one for the follow-up; then a command snapshot. */
function ringAndSnapshot({ host, fw }: ReturnType<typeof boot>, frame: Uint8Array) {
  host.camera.capture(host.clock.nowMs, frame);
  host.button.edge(1, host.clock.nowMs);
  host.clock.advance(150);
  host.button.edge(0, host.clock.nowMs);
  host.camera.capture(host.clock.nowMs + 850, frame);
  host.clock.advance(1500);
  fw.ring.snapshotNow("command");
  host.camera.capture(host.clock.nowMs, frame);
  host.clock.advance(500);
  return host.mqtt.published
    .filter((p) => p.topic === "doorbell/frontdoor/sealed/event")
    .map((p) => openEventForTest(owner, toHex(fw.devicePublicKey), "frontdoor", p.topic, p.payload))
    .filter((e) => e.header.type !== "status");
}

describe("firmware: every picture is redacted before sealing", () => {
  test("the ring's snapshot, its follow-up and a command snapshot are each the redactor's picture", () => {
    const { redactor, calls } = recordingRedactor(redactsTo);
    const frame = jpegOf(64, 48);
    const events = ringAndSnapshot(boot(redactor, { zones: [ZONE], grey: 90 }), frame);
    assert.deepEqual(
      events.map((e) => [e.header.type, e.header.reason]),
      [
        ["ring", undefined],
        ["snapshot", "follow-up"],
        ["snapshot", "command"],
      ],
    );
    for (const e of events) assert.deepEqual(e.jpeg, REDACTED, `${e.header.type} carries the redacted picture`);
    assert.deepEqual(
      calls.map((c) => [c.size, c.grey]),
      [
        [frame.length, 90],
        [frame.length, 90],
        [frame.length, 90],
      ],
    );
  });

  test("a picture the redactor refuses is withheld: the event goes out without it, with the code, logged", () => {
    const { redactor } = recordingRedactor(refuses);
    const booted = boot(redactor, { zones: [ZONE] });
    const events = ringAndSnapshot(booted, jpegOf(64, 48));
    assert.equal(events.length, 3);
    for (const e of events) {
      assert.equal(e.jpeg, undefined, `${e.header.type}: never sent unredacted`);
      assert.equal(e.header.pictureWithheld, "unsupported");
    }
    const warnings = booted.host.lines.filter((l) => l.tag === "privacy" && l.level === "warn");
    assert.equal(warnings.length, 3);
    assert.match(warnings[0].message, /^picture withheld: it could not be redacted .*code=unsupported/);
    assert.ok(
      warnings.every((l) => l.message.length < 300),
      "sizes and ids only, never image bytes",
    );
  });

  test("no zones: the picture is sent unchanged and the redactor is not called", () => {
    const { redactor, calls } = recordingRedactor(redactsTo);
    const frame = jpegOf(64, 48);
    const events = ringAndSnapshot(boot(redactor, {}), frame);
    assert.equal(events.length, 3);
    for (const e of events) {
      assert.deepEqual(e.jpeg, frame);
      assert.equal(e.header.pictureWithheld, undefined);
    }
    assert.equal(calls.length, 0);
  });

  test("with no host redactor the firmware's TypeScript one blanks the zone: flat inside, the same DC outside", () => {
    // A 64x48 4:2:0 frame whose luma DC varies per block; the zone touches one 16x16 MCU.
    let n = 0;
    const frame = synthJpeg({ width: 64, height: 48, components: [Y, CB, CR], block: () => [((n++ * 7) % 41) - 20] });
    const events = ringAndSnapshot(boot(undefined, { zones: [ZONE], grey: 128 }), frame);
    assert.equal(events.length, 3);
    const decoder = createThumbnailDecoder();
    const before = Uint8Array.from(decoder.decode(frame).luma);
    for (const e of events) {
      assert.ok(e.jpeg, `${e.header.type} carries a picture`);
      const t = decoder.decode(e.jpeg);
      const mcu = (i: number) => (Math.floor(i / t.width / 2) === 0 && Math.floor((i % t.width) / 2) === 1 ? 1 : 0);
      for (let i = 0; i < t.width * t.height; i++) {
        if (mcu(i)) assert.equal(t.luma[i], 128, `cell ${i} inside the zone's MCU is flat grey`);
        else assert.equal(t.luma[i], before[i], `cell ${i} outside it is unchanged`);
      }
    }
  });
});
