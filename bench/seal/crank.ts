// SPDX-License-Identifier: MIT
// One recorded XS crank of the seal bench: its command, reply, compute units, and the crypto host calls the
// guest made (named from the typed schema hosts/xs/host-calls.ts, so a renamed call is a type error here).
import type { Blobs, HostCalls } from "../../hosts/xs/host-calls.js";
import { decodeWire } from "../../hosts/xs/wire.js";

/** The crypto primitive behind each host call a seal or an open makes. */
const PRIMITIVE_OF = {
  "crypto.x25519": "x25519",
  "crypto.hmac": "hmacSha256",
  "crypto.seal": "chacha20Poly1305Seal",
  "crypto.open": "chacha20Poly1305Open",
  "crypto.random": "randomBytes",
} as const satisfies Partial<Record<keyof HostCalls, string>>;
type CryptoCall = keyof typeof PRIMITIVE_OF;

/** A primitive as counted: an X25519 with one blob (no peer key) is a key generation, "x25519PublicKey". */
export type Primitive = (typeof PRIMITIVE_OF)[CryptoCall] | "x25519PublicKey";
/** Calls per primitive; a primitive not called is absent. */
export type Calls = Partial<Record<Primitive, number>>;

/** What the guest asked of the host during one crank, and what it was answered. */
export interface CrankCalls {
  calls: Calls;
  /** The data length of each HMAC, in call order. */
  hmacBytes: number[];
  /** The plaintext (seal) or sealed (open) length of the last AEAD call. */
  aeadBytes: number;
  requests: Uint8Array[];
  answers: Uint8Array[];
}

/** One recorded crank: its command, reply, compute units and host calls. */
export interface Crank extends CrankCalls {
  command: Uint8Array;
  reply: Uint8Array;
  units: number;
}

export const noCalls = (): CrankCalls => ({ calls: {}, hmacBytes: [], aeadBytes: 0, requests: [], answers: [] });

/** The number of calls of `primitive` in `calls` (0 when absent). */
export const callsOf = (calls: Calls, primitive: Primitive): number => calls[primitive] ?? 0;

const isCryptoCall = (op: unknown): op is CryptoCall => typeof op === "string" && Object.hasOwn(PRIMITIVE_OF, op);

/** Counts one host-call request into `crank`; any call but a crypto primitive is an error during a seal. */
export function countHostCall(crank: CrankCalls, request: Uint8Array): void {
  const { fields, blobs } = decodeWire(request);
  const op = fields.op;
  if (!isCryptoCall(op)) throw new Error(`bench: unexpected host call ${String(op)} during a seal`);
  const primitive: Primitive = op === "crypto.x25519" && blobs.length === 1 ? "x25519PublicKey" : PRIMITIVE_OF[op];
  crank.calls[primitive] = callsOf(crank.calls, primitive) + 1;
  if (op === "crypto.hmac") {
    const [, data] = blobs as Blobs<HostCalls, "crypto.hmac">;
    crank.hmacBytes.push(data.length);
  }
  if (op === "crypto.seal" || op === "crypto.open") {
    const [, , , text] = blobs as Blobs<HostCalls, typeof op>;
    crank.aeadBytes = text.length;
  }
}
