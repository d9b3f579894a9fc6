// SPDX-License-Identifier: MIT
// AES-128-GCM (RFC 9180 aead_id 0x0001) over node:crypto, for the vector and interop tests only:
// the crypto port has no AES, so the device never uses this suite. Node-only (not for test/unit).
import { createCipheriv, createDecipheriv } from "node:crypto";
import { AEAD_AES_128_GCM, AEAD_TAG_BYTES, type Aead } from "../../modules/hpke/aead.js";

function u8(bytes: Buffer): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function nodeAes128GcmAead(): Aead {
  return {
    id: AEAD_AES_128_GCM,
    keyLength: 16,
    nonceLength: 12,
    seal(key, nonce, aad, plaintext) {
      const cipher = createCipheriv("aes-128-gcm", key, nonce, { authTagLength: AEAD_TAG_BYTES });
      cipher.setAAD(aad);
      return u8(Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]));
    },
    open(key, nonce, aad, sealed) {
      if (sealed.length < AEAD_TAG_BYTES) return undefined;
      const decipher = createDecipheriv("aes-128-gcm", key, nonce, { authTagLength: AEAD_TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(sealed.subarray(sealed.length - AEAD_TAG_BYTES));
      try {
        return u8(
          Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - AEAD_TAG_BYTES)), decipher.final()]),
        );
      } catch {
        return undefined;
      }
    },
  };
}
