// SPDX-License-Identifier: MIT
// The broker's private CA and the certificates it signs, with node-forge: RSA 2048 and SHA-256 throughout.
// RSA, not P-256, because Moddable's TLS (SDK 8.2.3) can authenticate a client only with an RSA key
// and only in RSA or ECDHE_RSA suites, so the broker's certificate must be RSA too; P-256 is the curve
// of the ECDHE key exchange (docs/provisioning.md).
import forge from "node-forge";

const { pki } = forge;

/** RSA modulus size for every key made here. */
export const RSA_BITS = 2048;
const CA_YEARS = 20;
const LEAF_YEARS = 10;

export interface KeyAndCert {
  /** PEM, PKCS#8. Secret. */
  keyPem: string;
  certPem: string;
}

export interface LoadedCa {
  key: forge.pki.rsa.PrivateKey;
  cert: forge.pki.Certificate;
}

function newKeyPair(): forge.pki.rsa.KeyPair {
  return pki.rsa.generateKeyPair({ bits: RSA_BITS, e: 0x10001 });
}

/** A random positive 128-bit serial number, hex (RFC 5280 §4.1.2.2: positive, at most 20 octets). */
function serial(): string {
  const bytes = forge.random.getBytesSync(16);
  return `01${forge.util.bytesToHex(bytes).slice(2)}`;
}

function validity(cert: forge.pki.Certificate, years: number): void {
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000); // an hour of slack for clocks behind
  cert.validity.notAfter = new Date(now + years * 365.25 * 24 * 3600 * 1000);
}

function keyPem(key: forge.pki.rsa.PrivateKey): string {
  return pki.privateKeyInfoToPem(pki.wrapRsaPrivateKey(pki.privateKeyToAsn1(key)));
}

/** Creates a self-signed CA that can sign leaf certificates only (pathLen 0). */
export function createCa(commonName = "Doorbell broker CA"): KeyAndCert {
  const keys = newKeyPair();
  const cert = pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  validity(cert, CA_YEARS);
  const subject = [
    { name: "commonName", value: commonName },
    { name: "organizationName", value: "doorbell" },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
    // RFC 5280 §4.2.1.1 lets a self-signed CA omit it, but Moddable's TLS (modules/crypt/ssl/ssl_cert.js, verify)
    // reads the AKI of every issuer the server sends, and OpenSSL brokers send this root: without it the
    // device's handshake throws and XS aborts (found running the firmware in mcsim, docs/simulator.md).
    { name: "authorityKeyIdentifier", keyIdentifier: cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { keyPem: keyPem(keys.privateKey), certPem: pki.certificateToPem(cert) };
}

/** Parses a CA written by `createCa`; errors name the file. */
export function loadCa(material: KeyAndCert, where: string): LoadedCa {
  try {
    const cert = pki.certificateFromPem(material.certPem);
    const key = pki.privateKeyFromPem(material.keyPem) as forge.pki.rsa.PrivateKey;
    const publicKey = cert.publicKey as forge.pki.rsa.PublicKey;
    if (publicKey.n?.compareTo(key.n) !== 0) throw new Error("the key does not match the certificate");
    return { key, cert };
  } catch (error) {
    throw new Error(`${where}: not a CA written by doorbell device add (${(error as Error).message})`);
  }
}

export interface LeafOptions {
  commonName: string;
  /** Host names and IPv4/IPv6 addresses for subjectAltName (servers). */
  altNames?: string[];
  usage: "server" | "client";
  /** An existing key to certify (PEM), e.g. to re-issue the broker's certificate without replacing its key. */
  keyPem?: string;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Parses an RSA private key (PEM); errors name the file. */
export function loadRsaKey(keyPem: string, where: string): forge.pki.rsa.PrivateKey {
  try {
    const key = pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
    if (!key?.n) throw new Error("not an RSA key");
    return key;
  } catch (error) {
    throw new Error(`${where}: not a readable RSA private key (${(error as Error).message})`);
  }
}

/** Issues an RSA leaf certificate signed by `ca`, with a fresh key pair unless `options.keyPem` is given. */
export function issueCertificate(ca: LoadedCa, options: LeafOptions): KeyAndCert {
  const privateKey = options.keyPem ? loadRsaKey(options.keyPem, "key") : newKeyPair().privateKey;
  const cert = pki.createCertificate();
  cert.publicKey = pki.setRsaPublicKey(privateKey.n, privateKey.e);
  cert.serialNumber = serial();
  validity(cert, LEAF_YEARS);
  cert.setSubject([
    { name: "commonName", value: options.commonName },
    { name: "organizationName", value: "doorbell" },
  ]);
  cert.setIssuer(ca.cert.subject.attributes);
  const extensions: object[] = [
    { name: "basicConstraints", cA: false, critical: true },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    options.usage === "server" ? { name: "extKeyUsage", serverAuth: true } : { name: "extKeyUsage", clientAuth: true },
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ];
  if (options.altNames?.length) {
    extensions.push({
      name: "subjectAltName",
      altNames: options.altNames.map((n) =>
        IPV4.test(n) || n.includes(":") ? { type: 7, ip: n } : { type: 2, value: n },
      ),
    });
  }
  cert.setExtensions(extensions);
  cert.sign(ca.key, forge.md.sha256.create());
  return { keyPem: options.keyPem ?? keyPem(privateKey), certPem: pki.certificateToPem(cert) };
}

/** A certificate's serial number (lowercase hex, as written) and subject CN. Accepts PEM or DER. */
export function certificateIdentity(cert: string | Uint8Array): { serialHex: string; commonName: string } {
  const parsed =
    typeof cert === "string"
      ? pki.certificateFromPem(cert)
      : pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(cert).toString("binary"))));
  return {
    serialHex: parsed.serialNumber.toLowerCase(),
    commonName: String(parsed.subject.getField("CN")?.value ?? ""),
  };
}

/** The names in a certificate's subjectAltName (DNS names and IP addresses). */
export function altNamesOf(certPem: string): string[] {
  const ext = pki.certificateFromPem(certPem).getExtension("subjectAltName") as
    | { altNames?: { type: number; value?: string; ip?: string }[] }
    | undefined;
  return (ext?.altNames ?? []).map((a) => (a.type === 7 ? (a.ip ?? "") : (a.value ?? ""))).filter(Boolean);
}

/** DER bytes of a PEM certificate (what the device flashes). */
export function certificateDer(certPem: string): Uint8Array {
  return Buffer.from(forge.asn1.toDer(pki.certificateToAsn1(pki.certificateFromPem(certPem))).getBytes(), "binary");
}

/** DER PKCS#8 bytes of a PEM private key (what the device flashes). */
export function privateKeyDer(pem: string): Uint8Array {
  const key = pki.privateKeyFromPem(pem);
  return Buffer.from(forge.asn1.toDer(pki.wrapRsaPrivateKey(pki.privateKeyToAsn1(key))).getBytes(), "binary");
}
