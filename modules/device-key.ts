// SPDX-License-Identifier: MIT
// The device's own X25519 key pair. Provisioning normally supplies the secret; without one the
// device makes its own on first boot and keeps it in storage. Only the public key is ever logged.
import { toHex } from "./bytes.js";
import type { Logger } from "./logger.js";
import type { CryptoPort, KeyValuePort } from "./ports.js";

export const DEVICE_KEY_KEY = "device.key";

export interface DeviceKey {
  secret: Uint8Array;
  publicKey: Uint8Array;
}

export function loadDeviceKey(options: {
  crypto: CryptoPort;
  kv: KeyValuePort;
  provided?: Uint8Array;
  log: Logger;
}): DeviceKey {
  const { crypto, kv, log } = options;
  let secret = options.provided;
  if (secret && secret.length !== 32)
    throw new RangeError(`device key: expected 32 bytes, got ${secret.length}; re-run doorbell device add`);
  if (!secret) {
    const stored = kv.get(DEVICE_KEY_KEY);
    if (stored && stored.length === 32) secret = stored;
    else {
      secret = crypto.randomBytes(32);
      kv.set(DEVICE_KEY_KEY, secret);
      log.warn("no device key provisioned; generated one", { public: toHex(crypto.x25519(secret)) });
    }
  }
  return { secret, publicKey: crypto.x25519(secret) };
}
