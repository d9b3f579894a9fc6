// SPDX-License-Identifier: MIT
// Owner-to-device commands, as they appear inside an opened command envelope: snapshot now, set config,
// set identity, reboot, live view. The parser accepts exactly these shapes and names what is wrong with anything else.
import { signCommandEnvelope } from "./command-signature.js";
import { sealEnvelope } from "./envelope/seal-envelope.js";
import { checkIdentityChange } from "./identity.js";
import type { CryptoPort } from "./ports.js";

export type Command =
  | { v: 1; cmd: "snapshot"; id: string; atMs: number }
  | { v: 1; cmd: "set-config"; id: string; atMs: number; config: Record<string, unknown> }
  /** Changes identity fields (modules/identity.ts) only: the device id, broker, topic root or owner keys. */
  | { v: 1; cmd: "set-identity"; id: string; atMs: number; identity: Record<string, unknown> }
  | { v: 1; cmd: "reboot"; id: string; atMs: number }
  /** Starts (or renews) the live view for `seconds`, or stops it (modules/video/live-view.ts). */
  | { v: 1; cmd: "live-view"; id: string; atMs: number; live: LiveViewRequest }
  /**
   * The bridge asks for the device's delivery floor (docs/delivery.md, "A bridge that lost its state"): the device
   * answers with a sealed `sync` event naming this command's id. Only with `outbox.confirm`.
   */
  | { v: 1; cmd: "sync"; id: string; atMs: number };

export const COMMAND_NAMES = Object.freeze([
  "snapshot",
  "set-config",
  "set-identity",
  "reboot",
  "live-view",
  "sync",
] as const);
/** The field each command carries beyond v, cmd, id and atMs. */
const BODY: Readonly<Record<string, string | undefined>> = Object.freeze({
  "set-config": "config",
  "set-identity": "identity",
  "live-view": "live",
});

export type LiveViewRequest = { action: "start"; seconds: number } | { action: "stop" };
/** A live view runs at most this long per start; the owner renews it with another start. */
export const LIVE_VIEW_MAX_SECONDS = 300;
export const LIVE_VIEW_DEFAULT_SECONDS = 60;

/** Validates a live-view body `{ action: "start" | "stop", seconds?: 1..300 }`; the error names the field. */
export function parseLiveView(
  raw: Record<string, unknown>,
): { ok: true; live: LiveViewRequest } | { ok: false; error: string } {
  const extra = Object.keys(raw).filter((k) => k !== "action" && k !== "seconds");
  if (extra.length) return { ok: false, error: `command live-view: unknown field live.${extra[0].slice(0, 40)}` };
  if (raw.action === "stop") {
    if (raw.seconds !== undefined) return { ok: false, error: "command live-view: live.seconds goes with start only" };
    return { ok: true, live: { action: "stop" } };
  }
  if (raw.action !== "start") {
    const got = JSON.stringify(raw.action)?.slice(0, 40);
    return { ok: false, error: `command live-view: live.action ${got} is not accepted; expected "start" or "stop"` };
  }
  const seconds = raw.seconds ?? LIVE_VIEW_DEFAULT_SECONDS;
  if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < 1 || seconds > LIVE_VIEW_MAX_SECONDS) {
    const got = JSON.stringify(seconds)?.slice(0, 40);
    return {
      ok: false,
      error: `command live-view: live.seconds ${got} is not accepted; expected an integer 1..${LIVE_VIEW_MAX_SECONDS}`,
    };
  }
  return { ok: true, live: { action: "start", seconds } };
}

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
  if (raw.cmd === "live-view" && isObject(raw.live)) {
    const live = parseLiveView(raw.live);
    if (!live.ok) return live;
    return { ok: true, command: { v: 1, cmd: "live-view", id: raw.id, atMs: raw.atMs, live: live.live } };
  }
  return { ok: true, command: { v: 1, cmd: raw.cmd as "snapshot" | "reboot" | "sync", id: raw.id, atMs: raw.atMs } };
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
