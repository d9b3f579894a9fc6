// SPDX-License-Identifier: MIT
// The desktop build's picture of the camera: each frame the mcsim host's camera delivers is drawn on the
// simulator's screen, which the skin shows as its camera panel. Decoded by commodetto's JPEG reader
// (modules/commodetto/commodettoReadJPEG.js, picojpeg) block by block and drawn with Poco, centred, so a
// frame larger than the screen shows its middle. Drawing only, like the skin: the firmware gets the JPEG
// bytes and decodes them itself, and nothing here feeds back into it. Limit: picojpeg reads baseline JPEG.
import type PixelsOut from "commodetto/PixelsOut";
import Poco from "commodetto/Poco";
import JPEG from "commodetto/readJPEG";
import { describeError } from "../../hosts/esp32/guard.js";
import type { LogPort } from "../../modules/ports.js";

const TAG = "camera";

export interface FrameView {
  /** Decodes `jpeg` and draws it; a frame that does not decode is logged once per run of such frames. */
  show(jpeg: Uint8Array): void;
}

/** Creates the view over `pixelsOut` (the simulator's `screen`). */
export function createFrameView(options: { pixelsOut: PixelsOut; log: LogPort }): FrameView {
  const { pixelsOut, log } = options;
  const poco = new Poco(pixelsOut);
  let failing = false;
  return {
    show(jpeg) {
      try {
        const decoder = new JPEG(jpeg.slice().buffer);
        const { width, height } = decoder as unknown as { width: number; height: number };
        const left = (pixelsOut.width - width) >> 1;
        const top = (pixelsOut.height - height) >> 1;
        while (decoder.ready) {
          const block = decoder.read();
          poco.begin(left + block.x, top + block.y, block.width, block.height);
          poco.drawBitmap(block, left + block.x, top + block.y);
          poco.end();
        }
        failing = false;
      } catch (error) {
        if (!failing) log.write("warn", TAG, `cannot draw a frame in the skin: ${describeError(error)}`);
        failing = true;
      }
    },
  };
}
