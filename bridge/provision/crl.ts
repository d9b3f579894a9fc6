// SPDX-License-Identifier: MIT
// The broker CA's certificate revocation list (RFC 5280 §5), built with node-forge's ASN.1 and signed with
// the CA key, and the list of revoked certificates it is made from (ca/revoked.txt). Mosquitto's `crlfile`
// loads it; OpenSSL then refuses every client while it is expired, so it is re-issued on every change.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import forge from "node-forge";
import type { LoadedCa } from "./certificates.js";

const { asn1, pki } = forge;

/**
 * How long a CRL stays valid (nextUpdate - thisUpdate). Every `device add`, `device revoke`, `bridge add`
 * and `broker renew` re-issues it; past nextUpdate OpenSSL refuses every client certificate.
 */
export const CRL_VALID_DAYS = 3 * 365;
const DAY_MS = 24 * 3600 * 1000;
const OID_SHA256_RSA = "1.2.840.113549.1.1.11";
const OID_AUTHORITY_KEY_ID = "2.5.29.35";
const OID_CRL_NUMBER = "2.5.29.20";

export interface RevokedEntry {
  /** The certificate's serial number, lowercase hex. */
  serialHex: string;
  /** Its subject CN, for people reading the list. */
  commonName: string;
  /** ISO 8601. */
  revokedAt: string;
}

export interface RevocationList {
  /** RFC 5280 §5.2.3: increases with every CRL issued. */
  crlNumber: number;
  revoked: RevokedEntry[];
}

const LIST_HEADER = /^# doorbell revocation list, crl-number (\d+)$/;
const LIST_ENTRY = /^([0-9a-f]{2,40}) (\S+) (.+)$/;

/**
 * Reads ca/revoked.txt, a text file in the manner of OpenSSL's index.txt: a header line with the number of
 * the last CRL issued, then one line per revoked certificate, `<serial hex> <revoked at, ISO 8601> <CN>`.
 * An absent file is an empty list. Errors name the file and the line.
 */
export function readRevocationList(path: string): RevocationList {
  if (!existsSync(path)) return { crlNumber: 0, revoked: [] };
  const lines = readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "");
  const bad = (what: string) =>
    new Error(`${path}: not a revocation list written by doorbell (${what}); restore it from a backup`);
  const header = LIST_HEADER.exec(lines[0] ?? "");
  if (!header) throw bad("line 1: expected the header");
  const revoked = lines.slice(1).map((line, i) => {
    const m = LIST_ENTRY.exec(line);
    if (!m || Number.isNaN(Date.parse(m[2]))) throw bad(`line ${i + 2}: expected <serial hex> <ISO time> <name>`);
    return { serialHex: m[1], revokedAt: m[2], commonName: m[3] };
  });
  const crlNumber = Number(header[1]);
  if (!Number.isSafeInteger(crlNumber)) throw bad("line 1: the CRL number is too large");
  return { crlNumber, revoked };
}

/** Writes the list through a temporary file and a rename, so a crash never leaves half a list. */
export function writeRevocationList(path: string, list: RevocationList): void {
  const lines = [
    `# doorbell revocation list, crl-number ${list.crlNumber}`,
    ...list.revoked.map((e) => `${e.serialHex} ${e.revokedAt} ${e.commonName}`),
  ];
  writeFileSync(`${path}.tmp`, `${lines.join("\n")}\n`, { mode: 0o644 });
  renameSync(`${path}.tmp`, path);
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
function time(date: Date): forge.asn1.Asn1 {
  return date.getUTCFullYear() < 2050
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

function seq(items: forge.asn1.Asn1[]): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
}

function integer(bytes: string): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, bytes);
}

function sha256WithRsa(): forge.asn1.Asn1 {
  return seq([
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(OID_SHA256_RSA).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ""),
  ]);
}

function extension(oid: string, value: forge.asn1.Asn1): forge.asn1.Asn1 {
  return seq([
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, asn1.toDer(value).getBytes()),
  ]);
}

/**
 * A v2 CRL (RFC 5280 §5.1) signed by the CA with SHA-256/RSA: thisUpdate an hour back (clock slack),
 * nextUpdate `CRL_VALID_DAYS` on, the revoked serials, and the two extensions §5.2 requires of a
 * conforming CA: authorityKeyIdentifier (the CA's key id, as the leaves carry it) and cRLNumber.
 */
export function buildCrlPem(ca: LoadedCa, list: RevocationList, nowMs = Date.now()): string {
  const revoked = list.revoked.map((e) =>
    seq([integer(forge.util.hexToBytes(e.serialHex)), time(new Date(e.revokedAt))]),
  );
  const keyId = ca.cert.generateSubjectKeyIdentifier().getBytes();
  const aki = seq([asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, keyId)]);
  const crlNumber = integer(asn1.integerToDer(list.crlNumber).getBytes());
  const tbs = seq([
    integer(String.fromCharCode(1)), // v2, required with extensions (§5.1.2.1)
    sha256WithRsa(),
    pki.distinguishedNameToAsn1(ca.cert.subject),
    time(new Date(nowMs - 3600 * 1000)),
    time(new Date(nowMs + CRL_VALID_DAYS * DAY_MS)),
    ...(revoked.length ? [seq(revoked)] : []), // omitted, not empty, when nothing is revoked (§5.1.2.6)
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      seq([extension(OID_AUTHORITY_KEY_ID, aki), extension(OID_CRL_NUMBER, crlNumber)]),
    ]),
  ]);
  const md = forge.md.sha256.create();
  md.update(asn1.toDer(tbs).getBytes());
  const signature = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\0${ca.key.sign(md)}`);
  const der = asn1.toDer(seq([tbs, sha256WithRsa(), signature])).getBytes();
  return forge.pem.encode({ type: "X509 CRL", body: der });
}

/** The date a CRL built now expires, for messages. */
export function crlExpiry(nowMs = Date.now()): Date {
  return new Date(nowMs + CRL_VALID_DAYS * DAY_MS);
}
