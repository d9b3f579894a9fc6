// SPDX-License-Identifier: MIT
// Opens and acts on signed, sealed commands (docs/protocol.md, "Signed commands"). A command must carry the
// owner's ECDSA P-256 signature, checked before the envelope is opened; the envelope itself is HPKE mode_auth
// from the owner's X25519 key. The last accepted sequence number is persisted before acting, so a redelivered
// or replayed command never runs twice; a seq too far ahead of the device's clock, or above the ceiling, is
// refused so that no command can lock the owner out; and a command older than `commands.maxAgeS` is stale.
import { fromHex, readUintBE } from "./bytes.js";
import { COMMAND_SIGNATURE_BYTES, verifyCommandSignature } from "./command-signature.js";
import { parseCommand, type Command } from "./commands.js";
import type { DeviceKey } from "./device-key.js";
import { createDurableNumber } from "./durable-number.js";
import { topicTag } from "./envelope/binding.js";
import { ENVELOPE_VERSION, MAX_ENVELOPE_BYTES, OFFSET, readEnvelopeHeader } from "./envelope/layout.js";
import { openEnvelope } from "./envelope/open-envelope.js";
import { REJECT_REASON_TEXT } from "./envelope/reasons.js";
import type { Logger } from "./logger.js";
import type { ClockPort, CryptoPort, KeyValuePort } from "./ports.js";

/** The two checksummed slots the last accepted command seq is kept in (modules/durable-number.ts). */
export const COMMAND_SEQ_SLOT_KEYS = Object.freeze(["cmd.a", "cmd.b"] as const);

/** Wall clocks before this are unset (no SNTP yet); the clock-based checks are skipped rather than refusing everything. */
const CLOCK_VALID_AFTER_MS = Date.UTC(2024, 0, 1);
/**
 * No command seq above this is ever accepted, whatever the clocks say: 2100-01-01T00:00:00Z in Unix ms.
 * The bridge numbers commands by its wall clock, so a seq of 2^53 - 1 could otherwise become a floor
 * that no later command can pass.
 */
export const COMMAND_SEQ_CEILING = Date.UTC(2100, 0, 1);

export interface OwnerKeysInForce {
  /** The owner's X25519 public key (hex): the only HPKE sender accepted. */
  publicHex: string;
  /** The owner's P-256 signing key (hex, 65 bytes uncompressed): the only signer accepted. */
  signingPublicHex: string;
}

export interface CommandHandlerOptions {
  crypto: CryptoPort;
  clock: ClockPort;
  kv: KeyValuePort;
  log: Logger;
  deviceKey: DeviceKey;
  /** The owner's keys in force, read for every command, so a re-key takes effect at once; empty refuses all. */
  ownerKeys(): OwnerKeysInForce;
  deviceId: string;
  topic: string;
  /** Commands sealed longer ago than this are stale; a seq more than this ahead of the clock is refused. */
  maxAgeS: number;
  onCommand(command: Command): void;
}

export interface CommandStats {
  accepted: number;
  refused: number;
}

/** Why an authenticated command's seq is not accepted as the new floor, or undefined when it is. */
export function seqOutOfRange(seq: number, wallMs: number, maxAgeS: number): string | undefined {
  if (seq > COMMAND_SEQ_CEILING) return "above the ceiling (2100-01-01 in Unix ms)";
  if (wallMs > CLOCK_VALID_AFTER_MS && seq > wallMs + maxAgeS * 1000)
    return "more than commands.maxAgeS ahead of the device's clock";
  return undefined;
}

export function createCommandHandler(o: CommandHandlerOptions): {
  handle(bytes: Uint8Array): void;
  readonly stats: CommandStats;
} {
  const stats: CommandStats = { accepted: 0, refused: 0 };
  const lastSeq = createDurableNumber({ kv: o.kv, keys: COMMAND_SEQ_SLOT_KEYS, valueBytes: 8 });
  const refuse = (reason: string, fields: Record<string, string | number | undefined> = {}) => {
    stats.refused++;
    o.log.warn(`command refused: ${reason}`, fields);
  };

  /** The checks that need no key: size, structure, topic and replay, so a flood of redeliveries costs no ECDSA. */
  const precheck = (bytes: Uint8Array): string | undefined => {
    if (bytes.length > MAX_ENVELOPE_BYTES + COMMAND_SIGNATURE_BYTES)
      return `too-large: ${REJECT_REASON_TEXT["too-large"]}`;
    const bare =
      bytes.length >= OFFSET.seq &&
      bytes[OFFSET.version] === ENVELOPE_VERSION &&
      readUintBE(bytes, OFFSET.totalLength, 4) === bytes.length;
    if (bare || bytes.length <= COMMAND_SIGNATURE_BYTES)
      return "unsigned: no owner signature after the envelope (keys.ownerSigningPublic signs every command)";
    const read = readEnvelopeHeader(bytes.subarray(0, bytes.length - COMMAND_SIGNATURE_BYTES));
    if (!read.ok) return `${read.reason}: ${REJECT_REASON_TEXT[read.reason]}`;
    const tag = topicTag(o.crypto, o.topic);
    if (read.header.topicTag.some((v, i) => v !== tag[i])) return `wrong-topic: ${REJECT_REASON_TEXT["wrong-topic"]}`;
    const last = lastSeq.read();
    if (last !== undefined && read.header.seq <= last) return `replayed: ${REJECT_REASON_TEXT.replayed}`;
    return undefined;
  };

  const open = (bytes: Uint8Array, keys: OwnerKeysInForce) => {
    const signed = verifyCommandSignature(o.crypto, fromHex(keys.signingPublicHex), o.deviceId, o.topic, bytes);
    if (!signed.ok)
      return {
        ok: false as const,
        why: "bad-signature: not signed by the owner's signing key (keys.ownerSigningPublic)",
      };
    const r = openEnvelope({
      crypto: o.crypto,
      recipientPrivateKey: o.deviceKey.secret,
      recipientPublicKey: o.deviceKey.publicKey,
      senderPublicKey: fromHex(keys.publicHex),
      deviceId: o.deviceId,
      topic: o.topic,
      lastAcceptedSeq: lastSeq.read(),
      bytes: signed.envelope,
    });
    return r.ok ? r : { ok: false as const, why: `${r.reason}: ${REJECT_REASON_TEXT[r.reason]}`, seq: r.seq };
  };

  return {
    handle(bytes) {
      const keys = o.ownerKeys();
      if (!keys.publicHex || !keys.signingPublicHex)
        return refuse("no owner key configured (keys.ownerPublic and keys.ownerSigningPublic)");
      const early = precheck(bytes);
      if (early) return refuse(early, { size: bytes.length });
      const r = open(bytes, keys);
      if (!r.ok) return refuse(r.why, { size: bytes.length });
      const now = o.clock.wallMs();
      const outOfRange = seqOutOfRange(r.seq, now, o.maxAgeS);
      if (outOfRange) return refuse(`seq-ahead: ${outOfRange}; not accepted as the new floor`, { seq: r.seq });
      // Persist first: a command that crashes or reboots the device must not run again on redelivery.
      lastSeq.write(r.seq);
      const parsed = parseCommand(r.header);
      if (!parsed.ok) return refuse(parsed.error, { seq: r.seq });
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
