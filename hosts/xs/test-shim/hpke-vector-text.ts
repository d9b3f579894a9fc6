// SPDX-License-Identifier: MIT
// Inside XS: the RFC 9180 vector text of test/fixtures/hpke/, which hosts/xs/run-tests.ts reads in Node and
// injects as a global before the tests load (XS has no file system).
declare const __HPKE_VECTOR_TEXT__: string;

export function hpkeVectorText(): string {
  return __HPKE_VECTOR_TEXT__;
}
