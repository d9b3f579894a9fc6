// SPDX-License-Identifier: MIT
// Seals each event on the device to the owner's public key before it goes anywhere (docs/protocol.md).
// Without a provisioned owner key nothing is sent: the device never publishes plaintext.
import { fromHex } from "./bytes.js";
import type { Config } from "./config.js";
import type { DeviceKey } from "./device-key.js";
import { sealEnvelope } from "./envelope/seal-envelope.js";
import type { EventHeader } from "./events.js";
import type { Logger } from "./logger.js";
import type { CryptoPort } from "./ports.js";

/** Returns the envelope bytes, or undefined (and logs why) when the event cannot be sealed. */
export type EventSealer = (header: EventHeader, jpeg: Uint8Array | undefined) => Uint8Array | undefined;

export function createEventSealer(options: {
  crypto: CryptoPort;
  deviceKey: DeviceKey;
  config: Config;
  topic: string;
  log: Logger;
}): EventSealer {
  const { crypto, deviceKey, config, topic, log } = options;
  const ownerPublic = config.keys.ownerPublic ? fromHex(config.keys.ownerPublic) : undefined;
  if (!ownerPublic)
    log.error("no owner public key configured (keys.ownerPublic); events will not be sent. Run doorbell device add");
  return (header, jpeg) => {
    if (!ownerPublic) {
      log.warn("event not sent: no owner key", { type: header.type, id: header.id });
      return undefined;
    }
    const sealWith = (frame: Uint8Array | undefined) =>
      sealEnvelope({
        crypto,
        senderPrivateKey: deviceKey.secret,
        senderPublicKey: deviceKey.publicKey,
        recipientPublicKey: ownerPublic,
        deviceId: config.deviceId,
        topic,
        seq: header.seq,
        header,
        jpeg: frame,
      });
    try {
      return sealWith(jpeg);
    } catch (error) {
      log.error("event not sealed", { type: header.type, id: header.id, reason: (error as Error).message });
      if (!jpeg) return undefined;
    }
    // A bad or oversized frame must not cost the owner the event itself.
    try {
      const sealed = sealWith(undefined);
      log.warn("event sent without its snapshot", { type: header.type, id: header.id });
      return sealed;
    } catch (error) {
      log.error("event not sealed without its snapshot either", {
        type: header.type,
        id: header.id,
        reason: (error as Error).message,
      });
      return undefined;
    }
  };
}
