// SPDX-License-Identifier: MIT
// The privacy zones applied to every picture before it is sealed: with zones configured a picture leaves the
// device only redacted, and one that cannot be redacted is withheld, never sent as it was. No zones: untouched.
import { jpegFrameSize } from "../jpeg/frame-size.js";
import type { CellMask, JpegRedactor } from "./redactor-port.js";
import { zoneCells } from "./zone-cells.js";
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

/** The zones' cell mask for one frame size: the same cells the motion mask uses (modules/privacy/zone-cells.ts). */
export function zoneMask(zones: readonly Zone[], width: number, height: number): CellMask {
  return zoneCells(zones, width, height);
}

/** The frame size from the JPEG's header, or undefined when it has none that can be read. */
function frameSize(jpeg: Uint8Array): { width: number; height: number } | undefined {
  try {
    const size = jpegFrameSize(jpeg);
    return size.width > 0 && size.height > 0 ? size : undefined;
  } catch {
    return undefined;
  }
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
      const size = frameSize(jpeg);
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
