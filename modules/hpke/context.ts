// SPDX-License-Identifier: MIT
// RFC 9180 §5.2 encryption contexts (per-sequence nonces) and §5.3 secret export.
// The sequence number is a JavaScript safe integer, a stricter limit than the RFC's 2^96 - 1.
import type { CryptoPort } from "../ports.js";
import type { Aead } from "./aead.js";
import { i2osp } from "./i2osp.js";
import { hpkeSuiteId, type KeyScheduleOutput } from "./key-schedule.js";
import { labeledExpand } from "./labeled-kdf.js";

/** The sender's side: seals messages in order, sequence number 0 first. */
export interface SenderContext {
  /** RFC 9180 §5.2 ContextS.Seal: ciphertext plus tag; advances the sequence number. */
  seal(aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** RFC 9180 §5.3 Export: `length` secret bytes bound to `exporterContext`. */
  export(exporterContext: Uint8Array, length: number): Uint8Array;
  /** The sequence number the next seal uses. */
  readonly seq: number;
}

/** The recipient's side: opens messages in the order they were sealed. */
export interface RecipientContext {
  /**
   * RFC 9180 §5.2 ContextR.Open: the plaintext, or `undefined` when the tag does not verify; only
   * a successful open advances the sequence number.
   */
  open(aad: Uint8Array, sealed: Uint8Array): Uint8Array | undefined;
  export(exporterContext: Uint8Array, length: number): Uint8Array;
  readonly seq: number;
}

/** RFC 9180 §5.2 ComputeNonce: base_nonce XOR I2OSP(seq, Nn). */
export function computeNonce(baseNonce: Uint8Array, seq: number): Uint8Array {
  const seqBytes = i2osp(seq, baseNonce.length);
  const nonce = new Uint8Array(baseNonce.length);
  for (let i = 0; i < nonce.length; i++) nonce[i] = baseNonce[i] ^ seqBytes[i];
  return nonce;
}

/** A context over a key schedule's output; it serves as either role. */
export function createContext(
  crypto: CryptoPort,
  aead: Aead,
  schedule: KeyScheduleOutput,
): SenderContext & RecipientContext {
  const suiteId = hpkeSuiteId(aead);
  let seq = 0;
  function advance(): void {
    if (seq >= Number.MAX_SAFE_INTEGER)
      throw new RangeError("hpke: message limit reached for this context (RFC 9180 §5.2)");
    seq += 1;
  }
  return {
    get seq() {
      return seq;
    },
    seal(aad, plaintext) {
      const sealed = aead.seal(schedule.key, computeNonce(schedule.baseNonce, seq), aad, plaintext);
      advance();
      return sealed;
    },
    open(aad, sealed) {
      const plaintext = aead.open(schedule.key, computeNonce(schedule.baseNonce, seq), aad, sealed);
      if (plaintext) advance();
      return plaintext;
    },
    export(exporterContext, length) {
      return labeledExpand(crypto, suiteId, schedule.exporterSecret, "sec", exporterContext, length);
    },
  };
}
