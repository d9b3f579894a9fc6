// SPDX-License-Identifier: MIT
// The crypto port for unit tests. In Node it is node:crypto; the XS test bundle swaps this module
// for one that calls the same primitives over the worker's command channel.
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import type { CryptoPort } from "../../modules/ports.js";

export function testCrypto(): CryptoPort {
  return createNodeCrypto();
}
