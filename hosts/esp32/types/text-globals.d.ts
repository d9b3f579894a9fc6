// SPDX-License-Identifier: MIT
// Declares the TextEncoder and TextDecoder globals that hosts/esp32/globals.ts installs on the device
// from Moddable's `text/encoder` and `text/decoder` modules (Moddable has no such globals by itself).
// Listed in manifest.json `typescript.tsconfig.compilerOptions.types` and in tsconfig.device.json.

declare var TextEncoder: typeof import("text/encoder").default;
type TextEncoder = import("text/encoder").default;
declare var TextDecoder: typeof import("text/decoder").default;
type TextDecoder = import("text/decoder").default;
