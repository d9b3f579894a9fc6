// SPDX-License-Identifier: MIT
// Fake of Moddable's `text/decoder` (modules/data/text/decoder): the WHATWG TextDecoder, which the
// xsnap worker already has as a global; this module hands that class out under the SDK's specifier.
export default globalThis.TextDecoder;
