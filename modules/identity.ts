// SPDX-License-Identifier: MIT
// The device's identity settings: its id, its broker and topic root, and the owner's two keys. Only a
// `set-identity` command, signed by the owner's current key, changes them; `set-config` keeps them as they are.
import { fromHex, toHex } from "./bytes.js";
import type { Config } from "./config.js";
import type { CryptoPort } from "./ports.js";
import { senderKeyId } from "./envelope/binding.js";

/** Dotted config paths that make up the identity (docs/protocol.md, "Changing the identity"). */
export const IDENTITY_FIELDS = Object.freeze([
  "deviceId",
  "mqtt.host",
  "mqtt.port",
  "mqtt.topicRoot",
  "keys.ownerPublic",
  "keys.ownerSigningPublic",
] as const);

export type IdentityField = (typeof IDENTITY_FIELDS)[number];
const KEY_FIELDS: readonly string[] = Object.freeze(["keys.ownerPublic", "keys.ownerSigningPublic"]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function getPath(obj: Record<string, unknown>, path: string): { found: boolean; value?: unknown } {
  let at: unknown = obj;
  for (const part of path.split(".")) {
    if (!isObject(at) || !(part in at)) return { found: false };
    at = at[part];
  }
  return { found: true, value: at };
}

/** Sets a dotted path in a nested object, creating the sections on the way. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let at = obj;
  for (const part of parts.slice(0, -1)) {
    if (!isObject(at[part])) at[part] = {};
    at = at[part] as Record<string, unknown>;
  }
  at[parts[parts.length - 1]] = value;
}

const same = (field: string, a: unknown, b: unknown) =>
  KEY_FIELDS.includes(field) && typeof a === "string" && typeof b === "string"
    ? a.toLowerCase() === b.toLowerCase()
    : a === b;

/** A deep copy of a JSON value (configs are plain JSON). */
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/**
 * The config a `set-config` may apply: `raw` with every identity field taken from `current`. A field
 * given with another value than the one in force is refused, naming it, so no identity changes unseen.
 */
export function keepIdentity(
  current: Config,
  raw: Record<string, unknown>,
): { ok: true; raw: Record<string, unknown> } | { ok: false; error: string } {
  const out = copy(raw);
  for (const field of IDENTITY_FIELDS) {
    const now = getPath(current as unknown as Record<string, unknown>, field).value;
    const given = getPath(raw, field);
    if (given.found && !same(field, given.value, now)) {
      return {
        ok: false,
        error: `command set-config: ${field} cannot change with set-config; send a set-identity command signed by the current owner key`,
      };
    }
    setPath(out, field, now);
  }
  return { ok: true, raw: out };
}

/** Validates a `set-identity` command's `identity` object: identity fields only, at least one, keys never emptied. */
export function checkIdentityChange(identity: Record<string, unknown>): string | undefined {
  const paths: string[] = [];
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      if (isObject(v)) walk(v, `${prefix}${k}.`);
      else paths.push(prefix + k);
    }
  };
  walk(identity, "");
  if (!paths.length)
    return `command set-identity: identity names no field; expected some of ${IDENTITY_FIELDS.join(", ")}`;
  const foreign = paths.find((p) => !(IDENTITY_FIELDS as readonly string[]).includes(p));
  if (foreign)
    return (
      `command set-identity: ${foreign.slice(0, 40)} is not an identity field; ` +
      `expected some of ${IDENTITY_FIELDS.join(", ")} (use set-config for the rest)`
    );
  const emptied = paths.find((p) => KEY_FIELDS.includes(p) && getPath(identity, p).value === "");
  if (emptied) return `command set-identity: ${emptied} cannot be emptied; that would lock the owner out`;
  return undefined;
}

/** The whole config with `identity`'s fields replaced: what `set-identity` applies. */
export function withIdentity(current: Config, identity: Record<string, unknown>): Record<string, unknown> {
  const out = copy(current) as unknown as Record<string, unknown>;
  for (const field of IDENTITY_FIELDS) {
    const given = getPath(identity, field);
    if (given.found) setPath(out, field, given.value);
  }
  return out;
}

/** A public fingerprint of a key (hex): 8 bytes of HMAC-SHA256("doorbell/1 key id", key), as envelopes name senders. */
export function keyFingerprint(crypto: CryptoPort, hex: string): string {
  return hex ? toHex(senderKeyId(crypto, fromHex(hex))) : "(none)";
}

/** One entry per identity field that differs between `before` and `after`; keys as fingerprints, never key bytes. */
export function identityChanges(
  crypto: CryptoPort,
  before: Config,
  after: Config,
): { field: IdentityField; from: string; to: string }[] {
  const changes: { field: IdentityField; from: string; to: string }[] = [];
  for (const field of IDENTITY_FIELDS) {
    const a = getPath(before as unknown as Record<string, unknown>, field).value;
    const b = getPath(after as unknown as Record<string, unknown>, field).value;
    if (same(field, a, b)) continue;
    const show = (v: unknown) => (KEY_FIELDS.includes(field) ? keyFingerprint(crypto, String(v)) : String(v));
    changes.push({ field, from: show(a), to: show(b) });
  }
  return changes;
}
