// SPDX-License-Identifier: MIT
// The RFC 9180 vector file's text. In Node it is read from ../shared beside the repository (as in CI);
// the XS test bundle swaps this module for one that reads the text the runner injected.
import { readFileSync } from "node:fs";

export function hpkeVectorText(): string {
  return readFileSync(new URL("../../../shared/data/hpke/rfc9180-x25519-vectors.txt", import.meta.url), "utf8");
}
