// SPDX-License-Identifier: MIT
// The pixel size a JPEG's frame header declares (ITU T.81 §B.2.2 X and Y), found by walking its marker
// segments up to the first SOFn; nothing is decoded or allocated beyond the answer. Used to build a privacy
// mask for a frame before redacting it; whether the frame type can be redacted is the redactor's call.
import { JpegError } from "./jpeg-error.js";
import { DAC, DHT, readSegment, SOF0, SOF15, SOI, SOS, type Segment } from "./marker-segments.js";

/** Width and height in pixels from the first SOFn; throws JpegError ("not-jpeg", "truncated", "corrupt"). */
export function jpegFrameSize(jpeg: Uint8Array): { width: number; height: number } {
  if (jpeg.length < 2 || jpeg[0] !== 0xff || jpeg[1] !== SOI)
    throw new JpegError("not-jpeg", "no SOI marker (0xFFD8) at the start", 0);
  const seg: Segment = { marker: 0, at: 0, length: 0, p: 0, end: 0 };
  let pos = 2;
  for (;;) {
    const parameterless = !readSegment(jpeg, pos, seg);
    pos = seg.end;
    if (parameterless) continue;
    const m = seg.marker;
    if (m === SOS) throw new JpegError("corrupt", "SOS before SOF", seg.at);
    if (m >= SOF0 && m <= SOF15 && m !== DHT && m !== DAC && m !== 0xc8) {
      if (seg.length < 8) throw new JpegError("corrupt", `SOF segment length ${seg.length}`, seg.at);
      const p = seg.p;
      return { width: (jpeg[p + 3] << 8) | jpeg[p + 4], height: (jpeg[p + 1] << 8) | jpeg[p + 2] };
    }
  }
}
