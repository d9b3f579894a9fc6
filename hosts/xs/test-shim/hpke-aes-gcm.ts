// SPDX-License-Identifier: MIT
// Inside XS, for the vector tests only: AES-128-GCM served by the Node runner (the crypto port has no AES,
// and the device never uses this suite). The runner answers the "test.aes" calls.
import { AEAD_AES_128_GCM, type Aead } from "../../../modules/hpke/aead.js";
import { call } from "../guest-call.js";

export function nodeAes128GcmAead(): Aead {
  return {
    id: AEAD_AES_128_GCM,
    keyLength: 16,
    nonceLength: 12,
    seal: (key, nonce, aad, plaintext) => call("test.aes.seal", {}, [key, nonce, aad, plaintext]).blobs[0],
    open: (key, nonce, aad, sealed) => call("test.aes.open", {}, [key, nonce, aad, sealed]).blobs[0],
  };
}
