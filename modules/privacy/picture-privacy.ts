// SPDX-License-Identifier: MIT
// The privacy zones applied to every picture before it is sealed: with zones configured a picture leaves the
// device only redacted, and one that cannot be redacted is withheld, never sent as it was. No zones: untouched.
import { rasterizeMask } from "../motion/privacy-mask.js";
import { jpegFrameSize } from "./frame-size.js";
import type { CellMask, JpegRedactor } from "./redactor-port.js";
import type { Zone } from "./zone.js";

/** The picture to seal, or why there is none: `code` is the redactor's refusal code or one of this file's. */
export type PictureVerdict = { ok: true; jpeg: Uint8Array } | { ok: false; code: string; reason: string };

export interface PicturePrivacyOptions {
  /** The config's `privacy.zones`; none: pictures pass untouched. */
  zones: readonly Zone[];
  /** The config's `privacy.grey`. */
  grey: number;
  /** The host's redactor; undefined: every picture is withheld while there are zones (code "no-redactor"). */
  redactor: JpegRedactor | undefined;
}

export interface PicturePrivacy {
  /** What may be sealed of `jpeg` (valid only during the call, like the frame it comes from). */
  apply(jpeg: Uint8Array): PictureVerdict;
  /** How many cell masks were computed: one per frame size met, then cached. */
  readonly masksBuilt: number;
}

/** The zones' cell mask for one frame size: the same cell rule as the motion mask (modules/motion/privacy-mask.ts). */
export function zoneMask(zones: readonly Zone[], width: number, height: number): CellMask {
  const widthCells = Math.ceil(width / 8);
  const heightCells = Math.ceil(height / 8);
  const cells = new Uint8Array(widthCells * heightCells);
  rasterizeMask(zones, width, height, widthCells, heightCells, cells);
  return { widthCells, heightCells, cells };
}

export function createPicturePrivacy(o: PicturePrivacyOptions): PicturePrivacy {
  let cached: { width: number; height: number; mask: CellMask } | undefined;
  let masksBuilt = 0;
  const maskFor = (width: number, height: number) => {
    if (!cached || cached.width !== width || cached.height !== height) {
      cached = { width, height, mask: zoneMask(o.zones, width, height) };
      masksBuilt++;
    }
    return cached.mask;
  };
  return {
    apply(jpeg) {
      if (o.zones.length === 0) return { ok: true, jpeg };
      if (!o.redactor) return { ok: false, code: "no-redactor", reason: "this host has no JPEG redactor" };
      const size = jpegFrameSize(jpeg);
      if (!size) return { ok: false, code: "no-frame-header", reason: "no JPEG frame header before the scan" };
      let r: ReturnType<JpegRedactor["redact"]>;
      try {
        r = o.redactor.redact(jpeg, maskFor(size.width, size.height), { grey: o.grey });
      } catch (error) {
        return { ok: false, code: "redactor-error", reason: (error as Error).message };
      }
      return r.ok ? { ok: true, jpeg: r.jpeg } : { ok: false, code: r.code, reason: r.reason };
    },
    get masksBuilt() {
      return masksBuilt;
    },
  };
}
