// SPDX-License-Identifier: MIT
// Opens and acts on sealed commands. Only the configured owner key is accepted (HPKE mode_auth); the last
// accepted sequence number is persisted before acting, so a redelivered or replayed command never runs
// twice, not even a reboot; and a command older than `commands.maxAgeS` is refused as stale.
import { fromHex } from "./bytes.js";
import { parseCommand, type Command } from "./commands.js";
import type { DeviceKey } from "./device-key.js";
import { createDurableNumber } from "./durable-number.js";
import { openEnvelope } from "./envelope/open-envelope.js";
import { REJECT_REASON_TEXT } from "./envelope/reasons.js";
import type { Logger } from "./logger.js";
import type { ClockPort, CryptoPort, KeyValuePort } from "./ports.js";

/** Where the first firmware kept the last accepted command seq (8 bytes, no checksum); read, never written. */
export const COMMAND_SEQ_KEY = "cmd.seq";
/** The two checksummed slots it is kept in now, so a power cut mid-write cannot forget it (modules/durable-number.ts). */
export const COMMAND_SEQ_SLOT_KEYS = Object.freeze(["cmd.a", "cmd.b"] as const);

/** Wall clocks before this are unset (no SNTP yet); the age check is skipped rather than refusing everything. */
const CLOCK_VALID_AFTER_MS = Date.UTC(2024, 0, 1);

export interface CommandHandlerOptions {
  crypto: CryptoPort;
  clock: ClockPort;
  kv: KeyValuePort;
  log: Logger;
  deviceKey: DeviceKey;
  /** The owner's public key (hex); empty means commands are refused. */
  ownerPublicHex: string;
  deviceId: string;
  topic: string;
  maxAgeS: number;
  onCommand(command: Command): void;
}

export interface CommandStats {
  accepted: number;
  refused: number;
}

export function createCommandHandler(o: CommandHandlerOptions): {
  handle(bytes: Uint8Array): void;
  readonly stats: CommandStats;
} {
  const owner = o.ownerPublicHex ? fromHex(o.ownerPublicHex) : undefined;
  const stats: CommandStats = { accepted: 0, refused: 0 };
  const lastSeq = createDurableNumber({
    kv: o.kv,
    keys: COMMAND_SEQ_SLOT_KEYS,
    valueBytes: 8,
    legacyKey: COMMAND_SEQ_KEY,
  });
  const refuse = (reason: string, fields: Record<string, string | number | undefined> = {}) => {
    stats.refused++;
    o.log.warn(`command refused: ${reason}`, fields);
  };
  return {
    handle(bytes) {
      if (!owner) return refuse("no owner key configured (keys.ownerPublic)");
      const lastAcceptedSeq = lastSeq.read();
      const r = openEnvelope({
        crypto: o.crypto,
        recipientPrivateKey: o.deviceKey.secret,
        recipientPublicKey: o.deviceKey.publicKey,
        senderPublicKey: owner,
        deviceId: o.deviceId,
        topic: o.topic,
        lastAcceptedSeq,
        bytes,
      });
      if (!r.ok) return refuse(`${r.reason}: ${REJECT_REASON_TEXT[r.reason]}`, { seq: r.seq, size: bytes.length });
      // Persist first: a command that crashes or reboots the device must not run again on redelivery.
      lastSeq.write(r.seq);
      const parsed = parseCommand(r.header);
      if (!parsed.ok) return refuse(parsed.error, { seq: r.seq });
      const now = o.clock.wallMs();
      const ageS = Math.round((now - parsed.command.atMs) / 1000);
      if (now > CLOCK_VALID_AFTER_MS && Math.abs(ageS) > o.maxAgeS) {
        return refuse("stale: sealed too long ago (or the clocks disagree)", {
          id: parsed.command.id,
          ageS,
          maxAgeS: o.maxAgeS,
        });
      }
      stats.accepted++;
      o.log.info("command accepted", { cmd: parsed.command.cmd, id: parsed.command.id, seq: r.seq });
      o.onCommand(parsed.command);
    },
    get stats() {
      return stats;
    },
  };
}
