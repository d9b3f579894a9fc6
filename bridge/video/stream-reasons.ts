// SPDX-License-Identifier: MIT
// Why the stream opener refused a video message: one code per check, each with a log text that holds no key,
// plaintext or image bytes. StreamSummary.refused counts them per stream by these codes.

export const STREAM_REFUSALS = Object.freeze([
  "malformed",
  "oversized",
  "other-device",
  "unknown-stream",
  "after-end",
  "stale",
  "replay",
  "forged",
  "other-stream",
  "reordered",
] as const);

export type StreamRefusal = (typeof STREAM_REFUSALS)[number];

export const STREAM_REFUSAL_TEXT: Readonly<Record<StreamRefusal, string>> = Object.freeze({
  malformed: "not a version 1 video message (truncated, unknown version or type, or a field out of range)",
  oversized: "video message over MAX_VIDEO_MESSAGE_BYTES; refused before any crypto",
  "other-device": "the message belongs to another device's stream or names another sender key; check the topic",
  "unknown-stream": "a frame of a stream that was never opened here (its open message was lost or refused)",
  "after-end": "a frame of a stream that already ended (after its last frame, or after it timed out)",
  stale: "an open message dated too long ago by the device's clock: a replay or a badly wrong clock",
  replay: "an open or frame already accepted (same stream id, open number or frame index)",
  forged: "the AEAD tag did not verify under the stream's context: tampered bytes or wrong keys",
  "other-stream": "the frame opens under another stream of this device than the one it names",
  reordered: "an authentic frame that arrived after a later one; not shown, so the viewer sees frames in order",
});
