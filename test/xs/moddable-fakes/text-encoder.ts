// SPDX-License-Identifier: MIT
// Fake of Moddable's `text/encoder` (modules/data/text/encoder): the WHATWG TextEncoder, which the
// xsnap worker already has as a global; this module hands that class out under the SDK's specifier.
export default globalThis.TextEncoder;
