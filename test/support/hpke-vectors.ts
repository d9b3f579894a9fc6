// SPDX-License-Identifier: MIT
// Parses the RFC 9180 Appendix A vector text (the draft's markdown) into typed vectors. Pure: no fs,
// so the XS test bundle can embed the text. Knows the fields of the X25519 suites only.
import { fromHex } from "../../modules/bytes.js";

export interface HpkeEncryptionVector {
  seq: number;
  pt: Uint8Array;
  aad: Uint8Array;
  nonce: Uint8Array;
  ct: Uint8Array;
}

export interface HpkeExportVector {
  exporterContext: Uint8Array;
  length: number;
  value: Uint8Array;
}

export interface HpkeVector {
  /** The "## ..." heading, e.g. "DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM". */
  suite: string;
  mode: number;
  kemId: number;
  kdfId: number;
  aeadId: number;
  info: Uint8Array;
  ikmE: Uint8Array;
  pkEm: Uint8Array;
  skEm: Uint8Array;
  ikmR: Uint8Array;
  pkRm: Uint8Array;
  skRm: Uint8Array;
  ikmS?: Uint8Array;
  pkSm?: Uint8Array;
  skSm?: Uint8Array;
  psk?: Uint8Array;
  pskId?: Uint8Array;
  enc: Uint8Array;
  sharedSecret: Uint8Array;
  keyScheduleContext: Uint8Array;
  secret: Uint8Array;
  key: Uint8Array;
  baseNonce: Uint8Array;
  exporterSecret: Uint8Array;
  encryptions: HpkeEncryptionVector[];
  exports: HpkeExportVector[];
}

type Fields = Map<string, string>;

function need(fields: Fields, name: string): string {
  const value = fields.get(name);
  if (value === undefined) throw new Error(`hpke vectors: a record lacks "${name}"`);
  return value;
}

function hexField(fields: Fields, name: string): Uint8Array {
  return fromHex(need(fields, name));
}

function optionalHex(fields: Fields, name: string): Uint8Array | undefined {
  return fields.has(name) ? fromHex(need(fields, name)) : undefined;
}

/** Splits the text into records: each is the fields of one `~~~` block entry, with its headings. */
function records(text: string): { suite: string; section: string; fields: Fields }[] {
  const out: { suite: string; section: string; fields: Fields }[] = [];
  let suite = "";
  let section = "";
  let inBlock = false;
  let fields: Fields = new Map();
  let last = "";
  const flush = () => {
    if (fields.size > 0) out.push({ suite, section, fields });
    fields = new Map();
    last = "";
  };
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "~~~") {
      flush();
      inBlock = !inBlock;
    } else if (!inBlock) {
      if (line.startsWith("## ")) suite = line.slice(3).trim();
      else if (line.startsWith("### ") || line.startsWith("#### ")) section = line.replace(/^#+ /, "").trim();
    } else if (line === "") {
      flush();
    } else {
      const match = /^([A-Za-z_ ]+):\s*([0-9a-f]*)$/.exec(line);
      if (match) {
        last = match[1];
        fields.set(last, match[2]);
      } else if (/^[0-9a-f]+$/.test(line) && last !== "") {
        fields.set(last, fields.get(last) + line);
      } else {
        throw new Error(`hpke vectors: cannot read a line in section "${section}"`);
      }
    }
  }
  return out;
}

/** Every setup in `text` with its encryptions and exported values, in file order. */
export function parseHpkeVectors(text: string): HpkeVector[] {
  const vectors: HpkeVector[] = [];
  for (const { suite, section, fields } of records(text)) {
    if (section.endsWith("Setup Information")) {
      vectors.push({
        suite,
        mode: Number(need(fields, "mode")),
        kemId: Number(need(fields, "kem_id")),
        kdfId: Number(need(fields, "kdf_id")),
        aeadId: Number(need(fields, "aead_id")),
        info: hexField(fields, "info"),
        ikmE: hexField(fields, "ikmE"),
        pkEm: hexField(fields, "pkEm"),
        skEm: hexField(fields, "skEm"),
        ikmR: hexField(fields, "ikmR"),
        pkRm: hexField(fields, "pkRm"),
        skRm: hexField(fields, "skRm"),
        ikmS: optionalHex(fields, "ikmS"),
        pkSm: optionalHex(fields, "pkSm"),
        skSm: optionalHex(fields, "skSm"),
        psk: optionalHex(fields, "psk"),
        pskId: optionalHex(fields, "psk_id"),
        enc: hexField(fields, "enc"),
        sharedSecret: hexField(fields, "shared_secret"),
        keyScheduleContext: hexField(fields, "key_schedule_context"),
        secret: hexField(fields, "secret"),
        key: hexField(fields, "key"),
        baseNonce: hexField(fields, "base_nonce"),
        exporterSecret: hexField(fields, "exporter_secret"),
        encryptions: [],
        exports: [],
      });
      continue;
    }
    const current = vectors[vectors.length - 1];
    if (!current) throw new Error(`hpke vectors: "${section}" comes before any setup`);
    if (section === "Encryptions") {
      current.encryptions.push({
        seq: Number(need(fields, "sequence number")),
        pt: hexField(fields, "pt"),
        aad: hexField(fields, "aad"),
        nonce: hexField(fields, "nonce"),
        ct: hexField(fields, "ct"),
      });
    } else if (section === "Exported Values") {
      current.exports.push({
        exporterContext: hexField(fields, "exporter_context"),
        length: Number(need(fields, "L")),
        value: hexField(fields, "exported_value"),
      });
    } else {
      throw new Error(`hpke vectors: unknown section "${section}"`);
    }
  }
  return vectors;
}
