// SPDX-License-Identifier: MIT
// Installs the TextEncoder and TextDecoder globals that modules/ use (Moddable has them only as the
// modules `text/encoder` and `text/decoder`). Preloaded, and imported first by main.ts, so the
// globals exist before any module that needs them is evaluated. Declared in types/text-globals.d.ts.
import TextDecoderClass from "text/decoder";
import TextEncoderClass from "text/encoder";

globalThis.TextEncoder = TextEncoderClass;
globalThis.TextDecoder = TextDecoderClass;
