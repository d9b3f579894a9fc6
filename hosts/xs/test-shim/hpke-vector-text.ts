// SPDX-License-Identifier: MIT
// Inside XS: the RFC 9180 vector text, injected by hosts/xs/run-tests.ts as a global before the tests load.
declare const __HPKE_VECTOR_TEXT__: string;

export function hpkeVectorText(): string {
  return __HPKE_VECTOR_TEXT__;
}
