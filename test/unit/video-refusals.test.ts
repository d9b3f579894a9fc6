// SPDX-License-Identifier: MIT
// Issue 10 point 6, in one place: forged, replayed, truncated, reordered, oversized and cross-device video frames
// (at the owner's stream opener) and live-view commands (at the doorbell) are each refused, counted, and logged with
// their reason, and change nothing: no frame reaches a viewer, no live view starts or stops. Runs under Node and XS.
import { equal, ok } from "node:assert/strict";
import { describe, test } from "node:test";
import { concat, toHex } from "../../modules/bytes.js";
import { type Command, sealCommand } from "../../modules/commands.js";
import { MAX_ENVELOPE_BYTES } from "../../modules/envelope/layout.js";
import { FRAME, MAX_VIDEO_MESSAGE_BYTES } from "../../modules/video/stream-format.js";
import { STREAM_REFUSAL_TEXT, type StreamRefusal } from "../../bridge/video/stream-reasons.js";
import { testCrypto } from "../support/test-crypto.js";
import { bootVideo, CMD_TOPIC, owner } from "../support/video-device.js";
import { jpegOf, sender, testDevice, testOwner, type Owner } from "../support/video-streams.js";

const front = testDevice("frontdoor");
const back = testDevice("backdoor");
type Sender = ReturnType<typeof sender>;
const frame = (s: Sender, n: number) =>
  s.sealFrame({ jpeg: jpegOf(n), captureMs: 1_790_000_000_000 + n * 100, last: false, droppedOnDevice: 0 });

interface FrameCase {
  what: string;
  code: StreamRefusal;
  /** Delivers the stream's open (and any good frames) and then the bad message; returns the frames expected shown. */
  run(owner: Owner, s: Sender): number;
}

const FRAME_CASES: FrameCase[] = [
  {
    what: "forged: one bit of the ciphertext flipped",
    code: "forged",
    run(owner, s) {
      const f = frame(s, 0);
      f[f.length - 20] ^= 1;
      owner.receive(front, f);
      return 0;
    },
  },
  {
    what: "replayed: the same frame twice",
    code: "replay",
    run(owner, s) {
      const f = frame(s, 0);
      owner.receive(front, f);
      owner.receive(front, f);
      return 1;
    },
  },
  {
    what: "truncated: a frame cut inside its header",
    code: "malformed",
    run(owner, s) {
      owner.receive(front, frame(s, 0).subarray(0, FRAME.ciphertext + 3));
      return 0;
    },
  },
  {
    what: "reordered: frame 0 after frame 1",
    code: "reordered",
    run(owner, s) {
      const [f0, f1] = [frame(s, 0), frame(s, 1)];
      owner.receive(front, f1);
      owner.receive(front, f0);
      return 1;
    },
  },
  {
    what: "oversized: one byte over MAX_VIDEO_MESSAGE_BYTES",
    code: "oversized",
    run(owner, s) {
      const f = frame(s, 0);
      owner.receive(front, concat(f, new Uint8Array(MAX_VIDEO_MESSAGE_BYTES + 1 - f.length)));
      return 0;
    },
  },
  {
    what: "cross-device: the back door's stream on the front door's topic",
    code: "other-device",
    run(owner) {
      const theirs = sender(back, owner.keys, undefined, 9);
      owner.receive(back, theirs.openMessage);
      owner.receive(front, frame(theirs, 0), front.topic);
      return 0;
    },
  },
];

describe("issue 10 point 6: bad video frames, each refused with a logged reason", () => {
  for (const c of FRAME_CASES)
    test(`${c.what}: refused as ${c.code}, logged, never shown`, () => {
      const owner = testOwner();
      const s = sender(front, owner.keys);
      owner.receive(front, s.openMessage);
      const shown = c.run(owner, s);
      equal(owner.opener.stats.refused[c.code], 1);
      equal(owner.frames.length, shown);
      const line = owner.lines.find((l) => l.includes(`reason=${c.code}`));
      ok(line, `a log line for ${c.code}: ${owner.lines.join(" | ")}`);
      ok(line.startsWith(`warn video video refused: ${STREAM_REFUSAL_TEXT[c.code]}`), line);
    });
});

/** The doorbell's key and wall clock, as the owner's side knows them. */
interface Target {
  key: Uint8Array;
  wallMs(): number;
}

/** A live-view command sealed and signed by the owner for `deviceId`, with command number `seq`; not delivered. */
function sealLive(to: Target, seq: number, live: Record<string, unknown>, deviceId = "frontdoor") {
  const crypto = testCrypto();
  return sealCommand({
    crypto,
    ownerSecret: owner.secret,
    sign: owner.sign,
    devicePublicKey: to.key,
    deviceId,
    topic: `doorbell/${deviceId}/sealed/cmd`,
    seq,
    command: { v: 1, cmd: "live-view", id: toHex(crypto.randomBytes(8)), atMs: to.wallMs(), live } as Command,
  });
}

interface CommandCase {
  what: string;
  /** The start of the logged line after "command refused: ". */
  reason: string;
  /** The bytes delivered after a valid start (seq 1000) was accepted, or none when the case delivers its own. */
  bad(to: Target, start: Uint8Array): Uint8Array[];
}

const STOP = { action: "stop" };
const COMMAND_CASES: CommandCase[] = [
  {
    what: "forged: a stop with one byte of its envelope flipped",
    reason: "bad-signature",
    bad: (to) => {
      const b = sealLive(to, 1001, STOP);
      b[60] ^= 1;
      return [b];
    },
  },
  { what: "replayed: the same start again", reason: "replayed", bad: (_to, start) => [start] },
  {
    what: "truncated: a stop cut short",
    reason: "truncated",
    bad: (to) => [sealLive(to, 1001, STOP).subarray(0, 150)],
  },
  {
    what: "reordered: an older stop after the newer start",
    reason: "replayed",
    bad: (to) => [sealLive(to, 999, STOP)],
  },
  {
    what: "oversized: a stop padded past MAX_ENVELOPE_BYTES",
    reason: "too-large",
    bad: (to) => [concat(sealLive(to, 1001, STOP), new Uint8Array(MAX_ENVELOPE_BYTES))],
  },
  {
    what: "cross-device: a stop sealed and signed for the back door",
    reason: "wrong-topic",
    bad: (to) => [sealLive(to, 1001, STOP, "backdoor")],
  },
];

describe("issue 10 point 6: bad live-view commands, each refused with a logged reason", () => {
  for (const c of COMMAND_CASES)
    test(`${c.what}: refused (${c.reason}), logged, the live view unchanged`, () => {
      const d = bootVideo({ video: { clips: false } });
      d.runTo(2000);
      const to: Target = { key: d.fw.devicePublicKey, wallMs: () => d.host.clock.wallMs() };
      const start = sealLive(to, 1000, { action: "start", seconds: 60 });
      d.host.mqtt.options!.onMessage(CMD_TOPIC, start);
      equal(d.fw.video.live.running, true, "the valid start runs");
      const before = d.host.lines.length;
      for (const bytes of c.bad(to, start)) d.host.mqtt.options!.onMessage(CMD_TOPIC, bytes);
      d.runTo(3000);
      equal(d.fw.video.live.running, true, "a refused stop leaves the view running");
      equal(d.fw.video.live.stats.starts, 1, "nothing restarted");
      equal(d.fw.video.live.stats.renewals, 0, "nothing renewed");
      const refused = d.host.lines.slice(before).filter((l) => l.message.startsWith("command refused: "));
      equal(refused.length, 1, refused.map((l) => l.message).join(" | "));
      ok(refused[0].message.startsWith(`command refused: ${c.reason}`), refused[0].message);
    });
});
