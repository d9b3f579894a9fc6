// SPDX-License-Identifier: MIT
// Owner-to-device commands, as they appear inside an opened command envelope: snapshot now, set config,
// set identity, reboot. The parser accepts exactly these shapes and names what is wrong with anything else.
import { signCommandEnvelope } from "./command-signature.js";
import { sealEnvelope } from "./envelope/seal-envelope.js";
import { checkIdentityChange } from "./identity.js";
import type { CryptoPort } from "./ports.js";

export type Command =
  | { v: 1; cmd: "snapshot"; id: string; atMs: number }
  | { v: 1; cmd: "set-config"; id: string; atMs: number; config: Record<string, unknown> }
  /** Changes identity fields (modules/identity.ts) only: the device id, broker, topic root or owner keys. */
  | { v: 1; cmd: "set-identity"; id: string; atMs: number; identity: Record<string, unknown> }
  | { v: 1; cmd: "reboot"; id: string; atMs: number };

export const COMMAND_NAMES = Object.freeze(["snapshot", "set-config", "set-identity", "reboot"] as const);
/** The field each command carries beyond v, cmd, id and atMs. */
const BODY: Readonly<Record<string, string | undefined>> = Object.freeze({
  "set-config": "config",
  "set-identity": "identity",
});

export type CommandResult = { ok: true; command: Command } | { ok: false; error: string };

const ID = Object.freeze(/^[0-9a-f]{16}$/);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Validates an opened command header. Never throws. */
export function parseCommand(raw: unknown): CommandResult {
  if (!isObject(raw)) return { ok: false, error: "command: expected a JSON object" };
  if (raw.v !== 1) return { ok: false, error: `command v: ${JSON.stringify(raw.v)} is not accepted; expected 1` };
  if (typeof raw.cmd !== "string" || !(COMMAND_NAMES as readonly string[]).includes(raw.cmd)) {
    return {
      ok: false,
      error: `command cmd: ${JSON.stringify(raw.cmd)?.slice(0, 40)} is not accepted; expected one of ${COMMAND_NAMES.join(", ")}`,
    };
  }
  if (typeof raw.id !== "string" || !ID.test(raw.id))
    return { ok: false, error: "command id: expected 16 lowercase hex digits" };
  if (typeof raw.atMs !== "number" || !Number.isSafeInteger(raw.atMs) || raw.atMs < 0) {
    return { ok: false, error: "command atMs: expected the owner's wall-clock time in Unix ms" };
  }
  const body = BODY[raw.cmd];
  const allowed = ["v", "cmd", "id", "atMs", ...(body ? [body] : [])];
  const extra = Object.keys(raw).filter((k) => !allowed.includes(k));
  if (extra.length) return { ok: false, error: `command ${raw.cmd}: unknown field ${extra[0].slice(0, 40)}` };
  if (body && !isObject(raw[body])) return { ok: false, error: `command ${raw.cmd}: ${body} must be a JSON object` };
  if (raw.cmd === "set-config" && isObject(raw.config))
    return { ok: true, command: { v: 1, cmd: "set-config", id: raw.id, atMs: raw.atMs, config: raw.config } };
  if (raw.cmd === "set-identity" && isObject(raw.identity)) {
    const error = checkIdentityChange(raw.identity);
    if (error) return { ok: false, error };
    return { ok: true, command: { v: 1, cmd: "set-identity", id: raw.id, atMs: raw.atMs, identity: raw.identity } };
  }
  return { ok: true, command: { v: 1, cmd: raw.cmd as "snapshot" | "reboot", id: raw.id, atMs: raw.atMs } };
}

/**
 * Owner side: seals `command` to the device (HPKE mode_auth with the owner's X25519 key) for its command
 * topic, then appends the owner's ECDSA P-256 signature over topic, device id and envelope
 * (modules/command-signature.ts). The device refuses a command without that signature.
 */
export function sealCommand(options: {
  crypto: CryptoPort;
  ownerSecret: Uint8Array;
  /** ECDSA P-256/SHA-256 with the owner's signing key: r || s (64 bytes) over the message given. */
  sign(message: Uint8Array): Uint8Array;
  devicePublicKey: Uint8Array;
  deviceId: string;
  topic: string;
  /** The owner's command sequence number for this device; persist it, strictly increasing. */
  seq: number;
  command: Command;
}): Uint8Array {
  const envelope = sealEnvelope({
    crypto: options.crypto,
    senderPrivateKey: options.ownerSecret,
    recipientPublicKey: options.devicePublicKey,
    deviceId: options.deviceId,
    topic: options.topic,
    seq: options.seq,
    header: options.command,
  });
  return signCommandEnvelope(options.sign, options.deviceId, options.topic, envelope);
}
