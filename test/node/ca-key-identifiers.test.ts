// SPDX-License-Identifier: MIT
// The broker CA carries an authorityKeyIdentifier equal to its own subjectKeyIdentifier (RFC 5280 §4.2.1.1,
// optional for a self-signed CA): Moddable's TLS (modules/crypt/ssl/ssl_cert.js, verify, SDK 8.2.3) reads the AKI
// of every issuer the server sends, OpenSSL brokers send this root, and without it the device's handshake threw.
import assert from "node:assert/strict";
import { test } from "node:test";
import forge from "node-forge";
import { createCa, issueCertificate, loadCa } from "../../bridge/provision/certificates.js";

type Extension = { value?: string; subjectKeyIdentifier?: string };

/** The keyIdentifier of an AKI extension's DER value: SEQUENCE { [0] IMPLICIT OCTET STRING }. */
function akiKeyId(ext: Extension | undefined): string | undefined {
  if (!ext?.value) return undefined;
  const asn1 = forge.asn1.fromDer(ext.value);
  const first = (asn1.value as forge.asn1.Asn1[])[0];
  return first && first.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && first.type === 0
    ? forge.util.bytesToHex(first.value as string)
    : undefined;
}

test("RFC 5280 §4.2.1.1: the CA's AKI names its own key, and a leaf's AKI names the CA's", () => {
  const material = createCa("Test CA");
  const ca = forge.pki.certificateFromPem(material.certPem);
  const ski = (ca.getExtension("subjectKeyIdentifier") as Extension | null)?.subjectKeyIdentifier;
  assert.ok(ski, "the CA has a subjectKeyIdentifier");
  assert.equal(akiKeyId(ca.getExtension("authorityKeyIdentifier") as Extension), ski);
  const leaf = issueCertificate(loadCa(material, "test"), { commonName: "frontdoor", usage: "client" });
  assert.equal(
    akiKeyId(forge.pki.certificateFromPem(leaf.certPem).getExtension("authorityKeyIdentifier") as Extension),
    ski,
  );
});
