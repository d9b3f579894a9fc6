// SPDX-License-Identifier: MIT
// Runs inside xsnap-worker for bench/motion.ts: the motion detector (and the TypeScript thumbnail decoder) fed
// one frame per command, so each crank's meter is one frame's cost. Command byte 0: set up a detector for a
// width x height grid; 1: process the thumbnail that starts at byte 4 (word-aligned, as the device's native
// decoder hands it over); 2: the same bytes, no work (the baseline); 3: decode the JPEG that follows.
import { defaultConfig } from "../../modules/config.js";
import { createThumbnailDecoder } from "../../modules/jpeg/thumbnail-decoder.js";
import { createMotionDetector, type MotionDetector } from "../../modules/motion/detector.js";

const g = globalThis as unknown as { handleCommand(command: ArrayBuffer): ArrayBuffer };
let detector: MotionDetector | undefined;
let width = 0,
  height = 0,
  atMs = 0;
const decoder = createThumbnailDecoder();

g.handleCommand = (command) => {
  const bytes = new Uint8Array(command);
  const op = bytes[0];
  if (op === 0) {
    width = bytes[1] | (bytes[2] << 8);
    height = bytes[3] | (bytes[4] << 8);
    const { enabled: _enabled, ...params } = defaultConfig().motion;
    detector = createMotionDetector(params);
    atMs = 0;
  } else if (op === 1) {
    const luma = bytes.subarray(4);
    const r = detector!.process({ width, height, frameWidth: width * 8, frameHeight: height * 8, luma }, (atMs += 33));
    return new Uint8Array([r.foregroundCells & 255, r.foregroundCells >> 8]).buffer;
  } else if (op === 3) {
    decoder.decode(bytes.subarray(1));
  }
  return new ArrayBuffer(0);
};
