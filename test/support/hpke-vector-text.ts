// SPDX-License-Identifier: MIT
// The RFC 9180 vector file's text, read from the repository's fixture (test/fixtures/hpke/); the XS test
// bundle swaps this module for hosts/xs/test-shim/hpke-vector-text.ts, which reads the text the runner injected.
import { readFileSync } from "node:fs";

export function hpkeVectorText(): string {
  return readFileSync(new URL("../fixtures/hpke/rfc9180-x25519-vectors.txt", import.meta.url), "utf8");
}
