// SPDX-License-Identifier: MIT
// The redactor on the ESP32: doorbell_redact.c through redact-xs.c, behind the same Redactor interface as the TypeScript
// one (modules/jpeg/redact.ts): the same bytes, the same refusal codes at the same byte offsets. The host's `redactor` port.
import {
  DEFAULT_GREY,
  type RedactErrorCode,
  type Redactor,
  type RedactorOptions,
} from "../../../modules/jpeg/redact.js";
import { DEFAULT_MAX_CELLS } from "../../../modules/jpeg/thumbnail-decoder.js";

// XS resolves native("…") at compile time to the C host function of that name (see crypto.ts).
// biome-ignore lint/suspicious/noExplicitAny: XS's native() returns an untyped host function; each use is typed at its call
declare function native(name: string): (...args: any[]) => any;

/** doorbell_redact.h status -> RedactErrorCode, indexed by -status (NO_ROOM, -9, never reaches a caller). */
const CODES: readonly RedactErrorCode[] = Object.freeze([
  "not-jpeg",
  "not-jpeg",
  "truncated",
  "corrupt",
  "unsupported",
  "too-large",
  "missing-code",
  "mask-size",
  "bad-option",
]);
const NO_ROOM = -9;

type NativeRedact = (
  jpeg: Uint8Array,
  cells: Uint8Array,
  widthCells: number,
  heightCells: number,
  grey: number,
  maxCells: number,
  out: Uint8Array,
  info: ArrayBuffer,
) => number;

/** A mask size as the C sees it: a whole number, or -1, which never matches (redact.ts compares with !==). */
const cellCount = (n: number) => (Number.isInteger(n) && n >= 0 && n <= 0x7fffffff ? n : -1);

/**
 * Creates a redactor over the native module. The output buffer starts at the input's size + 1,024 bytes and grows
 * (once, to the C's proven bound) only for an image whose redaction is larger; a result's `jpeg` is valid until the
 * next `redact`. Never throws on bad input: refusals carry redact.ts's codes, and the reason names the byte offset.
 */
export function createNativeRedactor(options: RedactorOptions = {}): Redactor {
  const redactNative = native("xs_doorbell_redact") as NativeRedact;
  const detail = native("xs_doorbell_redact_detail") as () => string;
  const maxCells = options.maxCells ?? DEFAULT_MAX_CELLS;
  const infoBuffer = new ArrayBuffer(28); // xsmc takes byte buffers only: read back as int32s
  const info = new Int32Array(infoBuffer);
  const noCells = new Uint8Array(0);
  let out = new Uint8Array(0);
  return {
    redact(jpeg, mask, redactOptions = {}) {
      const grey = redactOptions.grey ?? DEFAULT_GREY;
      if (!Number.isInteger(grey) || grey < 0 || grey > 255)
        return { ok: false, code: "bad-option", reason: `grey ${grey}: expected a whole number from 0 to 255` };
      if (jpeg.length < 2 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8)
        return { ok: false, code: "not-jpeg", reason: "no SOI marker (0xFFD8) at the start" };
      if (out.length < jpeg.length + 1024) out = new Uint8Array(jpeg.length + 1024);
      const run = () =>
        redactNative(
          jpeg,
          mask.cells ?? noCells,
          cellCount(mask.widthCells),
          cellCount(mask.heightCells),
          grey,
          maxCells,
          out,
          infoBuffer,
        );
      let status = run();
      if (status === NO_ROOM && info[4] > out.length) {
        out = new Uint8Array(info[4]);
        status = run();
      }
      if (status === 0) return { ok: true, jpeg: out.subarray(0, info[0]), mcusRedacted: info[1], mcus: info[2] };
      const code = CODES[-status] ?? "too-large";
      if (code !== "mask-size") return { ok: false, code, reason: `jpeg ${code} at byte ${info[3]}: ${detail()}` };
      const [width, height] = [info[5], info[6]];
      return {
        ok: false,
        code,
        reason:
          `mask is ${mask.widthCells}x${mask.heightCells} cells (${mask.cells?.length} bytes) ` +
          `but the ${width}x${height} image needs ${Math.ceil(width / 8)}x${Math.ceil(height / 8)}`,
      };
    },
  };
}
