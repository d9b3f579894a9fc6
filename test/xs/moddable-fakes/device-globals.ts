// SPDX-License-Identifier: MIT
// The globals the device's XS has and the xsnap worker lacks, installed before any host module loads:
// - `ArrayBuffer.fromString` and `String.fromArrayBuffer` (XS built-ins, xs/includes/xs.d.ts: UTF-8 in
//   and out);
// - `System` (modules/io/system/system.js: `restart()` resets the board; here it is recorded);
// - `native(name)` (XS in C: the build binds each name to a C function). The crypto names answer
//   through the host-call bridge with Node's crypto, as hosts/xs/guest-crypto.ts does for the XS host;
//   the C itself, with its argument checks, runs under `npm run test:native`. The xs_doorbell_ota_* names answer from
//   esp-ota.ts, a fake of ESP-IDF's app update state. Other names throw if called.
import { createGuestCrypto } from "../../../hosts/xs/guest-crypto.js";
import { otaActivate, otaMarkValid, otaRollback, otaRunningPending } from "./esp-ota.js";

type Bytes = Uint8Array | ArrayBuffer;
const view = (b: Bytes): Uint8Array => (b instanceof Uint8Array ? b : new Uint8Array(b));
const out = (b: Uint8Array): ArrayBuffer => b.slice().buffer;

export const systemStats = { restarts: 0 };

function nativeFunction(name: string): (...args: never[]) => unknown {
  const crypto = createGuestCrypto();
  switch (name) {
    case "xs_doorbell_x25519":
      return (secret: Bytes, publicKey?: Bytes) =>
        out(crypto.x25519(view(secret), publicKey === undefined ? undefined : view(publicKey)));
    case "xs_doorbell_hmac_sha256":
      return (key: Bytes, data: Bytes) => out(crypto.hmacSha256(view(key), view(data)));
    case "xs_doorbell_chacha20poly1305_seal":
      return (key: Bytes, nonce: Bytes, aad: Bytes, plaintext: Bytes) =>
        out(crypto.chacha20Poly1305Seal(view(key), view(nonce), view(aad), view(plaintext)));
    case "xs_doorbell_chacha20poly1305_open":
      return (key: Bytes, nonce: Bytes, aad: Bytes, sealed: Bytes) => {
        const opened = crypto.chacha20Poly1305Open(view(key), view(nonce), view(aad), view(sealed));
        return opened === undefined ? undefined : out(opened);
      };
    case "xs_doorbell_random_bytes":
      return (length: number) => out(crypto.randomBytes(length));
    case "xs_doorbell_ecdsa_p256_verify":
      return (publicKey: Bytes, message: Bytes, signature: Bytes) =>
        crypto.ecdsaP256Verify(view(publicKey), view(message), view(signature));
    case "xs_doorbell_ota_activate":
      return otaActivate;
    case "xs_doorbell_ota_running_pending":
      return otaRunningPending;
    case "xs_doorbell_ota_mark_valid":
      return otaMarkValid;
    case "xs_doorbell_ota_rollback":
      return otaRollback;
    default:
      return () => {
        throw new Error(`native ${name} is C only; npm run test:native exercises it`);
      };
  }
}

const g = globalThis as unknown as Record<string, unknown>;
const ab = ArrayBuffer as unknown as Record<string, unknown>;
const str = String as unknown as Record<string, unknown>;
ab.fromString ??= (text: string) => out(new TextEncoder().encode(text));
str.fromArrayBuffer ??= (buffer: ArrayBuffer) => new TextDecoder().decode(new Uint8Array(buffer));
g.native = nativeFunction;
g.System = {
  restart(): void {
    systemStats.restarts++;
  },
};
