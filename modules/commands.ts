// SPDX-License-Identifier: MIT
// Owner-to-device commands, as they appear inside an opened command envelope: snapshot now, set config,
// reboot. The parser accepts exactly these shapes and names what is wrong with anything else.
import { sealEnvelope } from "./envelope/seal-envelope.js";
import type { CryptoPort } from "./ports.js";

export type Command =
  | { v: 1; cmd: "snapshot"; id: string; atMs: number }
  | { v: 1; cmd: "set-config"; id: string; atMs: number; config: Record<string, unknown> }
  | { v: 1; cmd: "reboot"; id: string; atMs: number };

export const COMMAND_NAMES = ["snapshot", "set-config", "reboot"] as const;

export type CommandResult = { ok: true; command: Command } | { ok: false; error: string };

const ID = /^[0-9a-f]{16}$/;

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
  const allowed = raw.cmd === "set-config" ? ["v", "cmd", "id", "atMs", "config"] : ["v", "cmd", "id", "atMs"];
  const extra = Object.keys(raw).filter((k) => !allowed.includes(k));
  if (extra.length) return { ok: false, error: `command ${raw.cmd}: unknown field ${extra[0].slice(0, 40)}` };
  if (raw.cmd === "set-config") {
    if (!isObject(raw.config)) return { ok: false, error: "command set-config: config must be a JSON object" };
    return { ok: true, command: { v: 1, cmd: "set-config", id: raw.id, atMs: raw.atMs, config: raw.config } };
  }
  return { ok: true, command: { v: 1, cmd: raw.cmd as "snapshot" | "reboot", id: raw.id, atMs: raw.atMs } };
}

/** Owner side: seals `command` to the device (HPKE mode_auth with the owner's key) for its command topic. */
export function sealCommand(options: {
  crypto: CryptoPort;
  ownerSecret: Uint8Array;
  devicePublicKey: Uint8Array;
  deviceId: string;
  topic: string;
  /** The owner's command sequence number for this device; persist it, strictly increasing. */
  seq: number;
  command: Command;
}): Uint8Array {
  return sealEnvelope({
    crypto: options.crypto,
    senderPrivateKey: options.ownerSecret,
    recipientPublicKey: options.devicePublicKey,
    deviceId: options.deviceId,
    topic: options.topic,
    seq: options.seq,
    header: options.command,
  });
}
