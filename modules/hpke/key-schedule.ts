// SPDX-License-Identifier: MIT
// RFC 9180 §5.1 key schedule: modes, PSK input checks, and the AEAD key, base nonce and exporter secret.
// Fixed to DHKEM(X25519, HKDF-SHA256) and HKDF-SHA256; the AEAD decides Nk and Nn.
import type { CryptoPort } from "../ports.js";
import type { Aead } from "./aead.js";
import { concat, utf8 } from "../bytes.js";
import { i2osp } from "./i2osp.js";
import { KEM_DHKEM_X25519_HKDF_SHA256 } from "./dhkem-x25519.js";
import { HASH_BYTES, labeledExpand, labeledExtract } from "./labeled-kdf.js";

/** RFC 9180 §5 Table 1 modes. The product seals in `MODE_AUTH`. */
export const MODE_BASE = 0x00;
export const MODE_PSK = 0x01;
export const MODE_AUTH = 0x02;
export const MODE_AUTH_PSK = 0x03;
export type Mode = typeof MODE_BASE | typeof MODE_PSK | typeof MODE_AUTH | typeof MODE_AUTH_PSK;

/** RFC 9180 §7.2 kdf_id of HKDF-SHA256. */
export const KDF_HKDF_SHA256 = 0x0001;

/** A pre-shared key and its id (RFC 9180 §5.1.2). The key is secret; the id is not. */
export interface PreSharedKey {
  /** At least 32 bytes of entropy (RFC 9180 §5.1.2, §9.5). */
  psk: Uint8Array;
  pskId: Uint8Array;
}

/** What the key schedule yields: all three are secret. */
export interface KeyScheduleOutput {
  key: Uint8Array;
  baseNonce: Uint8Array;
  exporterSecret: Uint8Array;
}

const EMPTY = Object.freeze(new Uint8Array(0));

/** RFC 9180 §5.1 suite_id = "HPKE" || I2OSP(kem_id, 2) || I2OSP(kdf_id, 2) || I2OSP(aead_id, 2). */
export function hpkeSuiteId(aead: Aead): Uint8Array {
  return concat(utf8("HPKE"), i2osp(KEM_DHKEM_X25519_HKDF_SHA256, 2), i2osp(KDF_HKDF_SHA256, 2), i2osp(aead.id, 2));
}

/** RFC 9180 §5.1 VerifyPSKInputs, plus the §5.1.2 minimum PSK length of 32 bytes. */
export function verifyPskInputs(mode: Mode, psk: PreSharedKey | undefined): void {
  const wantsPsk = mode === MODE_PSK || mode === MODE_AUTH_PSK;
  if (psk && !wantsPsk) throw new Error("hpke: a PSK was given for a mode that takes none (RFC 9180 §5.1)");
  if (!psk && wantsPsk) throw new Error("hpke: this mode needs a PSK and a PSK id (RFC 9180 §5.1)");
  if (!psk) return;
  if (psk.psk.length === 0 || psk.pskId.length === 0)
    throw new Error("hpke: the PSK and the PSK id must both be non-empty (RFC 9180 §5.1)");
  if (psk.psk.length < 32)
    throw new RangeError(`hpke: the PSK must be at least 32 bytes, got ${psk.psk.length} (RFC 9180 §5.1.2)`);
}

/** RFC 9180 §5.1 key_schedule_context = mode || psk_id_hash || info_hash. */
export function keyScheduleContext(
  crypto: CryptoPort,
  aead: Aead,
  mode: Mode,
  info: Uint8Array,
  pskId: Uint8Array,
): Uint8Array {
  const suiteId = hpkeSuiteId(aead);
  const pskIdHash = labeledExtract(crypto, suiteId, EMPTY, "psk_id_hash", pskId);
  const infoHash = labeledExtract(crypto, suiteId, EMPTY, "info_hash", info);
  return concat(Uint8Array.of(mode), pskIdHash, infoHash);
}

/**
 * RFC 9180 §5.1 KeySchedule: the AEAD key, base nonce and exporter secret for one context. `precomputedContext`,
 * when given, must be `keyScheduleContext(crypto, aead, mode, info, pskId)` for the same inputs: it depends only on
 * public values (the mode, the info, the PSK id), so a recipient of many messages with one info keeps it (two HMACs
 * fewer per message).
 */
export function keySchedule(
  crypto: CryptoPort,
  aead: Aead,
  mode: Mode,
  sharedSecret: Uint8Array,
  info: Uint8Array,
  psk?: PreSharedKey,
  precomputedContext?: Uint8Array,
): KeyScheduleOutput {
  verifyPskInputs(mode, psk);
  const suiteId = hpkeSuiteId(aead);
  const context = precomputedContext ?? keyScheduleContext(crypto, aead, mode, info, psk ? psk.pskId : EMPTY);
  const secret = labeledExtract(crypto, suiteId, sharedSecret, "secret", psk ? psk.psk : EMPTY);
  return {
    key: labeledExpand(crypto, suiteId, secret, "key", context, aead.keyLength),
    baseNonce: labeledExpand(crypto, suiteId, secret, "base_nonce", context, aead.nonceLength),
    exporterSecret: labeledExpand(crypto, suiteId, secret, "exp", context, HASH_BYTES),
  };
}
