// SPDX-License-Identifier: MIT
// Seals each event on the device to the owner's public key before it goes anywhere (docs/protocol.md).
// Without a provisioned owner key nothing is sent: the device never publishes plaintext.
import { fromHex } from "./bytes.js";
import type { Config } from "./config.js";
import type { DeviceKey } from "./device-key.js";
import { sealEnvelope, sealEnvelopeConfirmable, type SealEnvelopeOptions } from "./envelope/seal-envelope.js";
import type { EventHeader } from "./events.js";
import type { Logger } from "./logger.js";
import type { CryptoPort, TimerPort } from "./ports.js";
import { createSealAhead, type SealAhead } from "./seal-ahead.js";

/** Returns the envelope bytes, or undefined (and logs why) when the event cannot be sealed. */
export interface EventSealer {
  (header: EventHeader, jpeg: Uint8Array | undefined): Uint8Array | undefined;
  /**
   * Seals as the plain call does, and returns the event's delivery confirmation key too: exported from the same
   * HPKE context (RFC 9180 §5.3), so no extra X25519 (envelope/confirmation.ts). Secret.
   */
  confirmable(
    header: EventHeader,
    jpeg: Uint8Array | undefined,
  ): { envelope: Uint8Array; confirmKey: Uint8Array } | undefined;
  /** The X25519 work done ahead of the next seal (modules/seal-ahead.ts); absent without `timers`. */
  readonly ahead: SealAhead | undefined;
  /** Cancels the idle work and zero-fills the precomputed secrets. */
  close(): void;
}

export interface EventSealerOptions {
  crypto: CryptoPort;
  deviceKey: DeviceKey;
  config: Config;
  topic: string;
  log: Logger;
  /** When given, the next seal's X25519 work is done ahead, when idle: at start and after each seal. */
  timers?: TimerPort;
  /** The owner key (hex) in force, read per seal so a `set-identity` takes effect; default `config.keys.ownerPublic`. */
  ownerPublicHex?: () => string;
}

/** The owner key bytes for the hex in force, parsed again only when the hex changes. */
function ownerKeyReader(hexOf: () => string): () => Uint8Array | undefined {
  let hex: string | undefined;
  let key: Uint8Array | undefined;
  return () => {
    const now = hexOf();
    if (now !== hex) [hex, key] = [now, now ? fromHex(now) : undefined];
    return key;
  };
}

export function createEventSealer(options: EventSealerOptions): EventSealer {
  const { crypto, deviceKey, config, topic, log } = options;
  const ownerPublic = ownerKeyReader(options.ownerPublicHex ?? (() => config.keys.ownerPublic));
  if (!ownerPublic())
    log.error("no owner public key configured (keys.ownerPublic); events will not be sent. Run doorbell device add");
  const sender = { privateKey: deviceKey.secret, publicKey: deviceKey.publicKey };
  const ahead = options.timers
    ? createSealAhead({ crypto, timers: options.timers, sender, recipientPublicKey: ownerPublic, log })
    : undefined;
  ahead?.soon(); // at boot, off the boot's own path
  type Sealed = { envelope: Uint8Array; confirmKey?: Uint8Array };
  const sealWith = (
    header: EventHeader,
    owner: Uint8Array,
    frame: Uint8Array | undefined,
    withKey: boolean,
  ): Sealed => {
    const options: SealEnvelopeOptions = {
      crypto,
      senderPrivateKey: deviceKey.secret,
      senderPublicKey: deviceKey.publicKey,
      recipientPublicKey: owner,
      deviceId: config.deviceId,
      topic,
      seq: header.seq,
      header,
      jpeg: frame,
      encapsulate: ahead && (() => ahead.take(owner)),
    };
    return withKey ? sealEnvelopeConfirmable(options) : { envelope: sealEnvelope(options) };
  };
  const sealAny = (header: EventHeader, jpeg: Uint8Array | undefined, withKey: boolean): Sealed | undefined => {
    const owner = ownerPublic();
    if (!owner) {
      log.warn("event not sent: no owner key", { type: header.type, id: header.id });
      return undefined;
    }
    try {
      return sealWith(header, owner, jpeg, withKey);
    } catch (error) {
      log.error("event not sealed", { type: header.type, id: header.id, reason: (error as Error).message });
      if (!jpeg) return undefined;
    }
    // A bad or oversized frame must not cost the owner the event itself.
    try {
      const sealed = sealWith(header, owner, undefined, withKey);
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
  const seal = (header: EventHeader, jpeg: Uint8Array | undefined) => sealAny(header, jpeg, false)?.envelope;
  const confirmable = (header: EventHeader, jpeg: Uint8Array | undefined) =>
    sealAny(header, jpeg, true) as { envelope: Uint8Array; confirmKey: Uint8Array } | undefined;
  return Object.assign(seal, { ahead, confirmable, close: () => ahead?.close() });
}
