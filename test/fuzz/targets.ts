// SPDX-License-Identifier: MIT
// Fuzz targets for the parsers that take outside input: each is a fast-check property that must hold for
// every generated case: no exception escapes, and a refusal always carries a clear, typed reason.
// `npm run fuzz` runs each for 100,000 cases; test/node/fuzz-seeded.test.ts runs a seeded sample in npm test.
import fc from "fast-check";
import { parseCommand } from "../../modules/commands.js";
import { parseConfig } from "../../modules/config.js";
import { openEnvelope } from "../../modules/envelope/open-envelope.js";
import { REJECT_REASONS } from "../../modules/envelope/reasons.js";
import { sealEnvelope } from "../../modules/envelope/seal-envelope.js";
import { generateKeyPair } from "../../modules/hpke/dhkem-x25519.js";
import { testCrypto } from "../support/test-crypto.js";

export interface FuzzTarget {
  name: string;
  /** A property over one generated input. */
  /** Each target generates its own input type. */
  property(): fc.IPropertyWithHooks<any>;
}

const crypto = testCrypto();
const device = generateKeyPair(crypto);
const owner = generateKeyPair(crypto);
const TOPIC = "doorbell/frontdoor/sealed/event";
const sample = sealEnvelope({ crypto, senderPrivateKey: device.privateKey, recipientPublicKey: owner.publicKey, deviceId: "frontdoor", topic: TOPIC, seq: 9, header: { v: 1, type: "ring" }, jpeg: Uint8Array.of(0xff, 0xd8, 1, 2, 0xff, 0xd9) });

const isReason = (r: string) => (REJECT_REASONS as readonly string[]).includes(r);

/** A real envelope with a few bytes replaced, inserted or removed. */
const mutatedEnvelope = fc.array(fc.record({ at: fc.nat(sample.length + 4), op: fc.constantFrom("set", "insert", "delete"), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 6 })
  .map((edits) => {
    const bytes = Array.from(sample);
    for (const e of edits) {
      const at = Math.min(e.at, bytes.length);
      if (e.op === "set" && at < bytes.length) bytes[at] = bytes[at] === e.value ? (e.value + 1) & 255 : e.value;
      else if (e.op === "insert") bytes.splice(at, 0, e.value);
      else if (at < bytes.length) bytes.splice(at, 1);
    }
    return Uint8Array.from(bytes);
  })
  .filter((b) => b.length !== sample.length || b.some((v, i) => v !== sample[i]));

function jsonish(): fc.Arbitrary<unknown> {
  return fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.anything({ maxDepth: 3 }));
}

export const FUZZ_TARGETS: FuzzTarget[] = [
  {
    name: "envelope opener: random bytes",
    property: () => fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      const r = openEnvelope({ crypto, recipientPrivateKey: owner.privateKey, senderPublicKey: device.publicKey, deviceId: "frontdoor", topic: TOPIC, bytes });
      return !r.ok && isReason(r.reason);
    }),
  },
  {
    name: "envelope opener: mutated real envelopes",
    property: () => fc.property(mutatedEnvelope, (bytes) => {
      const r = openEnvelope({ crypto, recipientPrivateKey: owner.privateKey, senderPublicKey: device.publicKey, deviceId: "frontdoor", topic: TOPIC, bytes });
      return !r.ok && isReason(r.reason);
    }),
  },
  {
    name: "command parser",
    property: () => fc.property(fc.oneof(jsonish(), fc.record({ v: fc.constantFrom(1, 2, "1"), cmd: fc.constantFrom("snapshot", "reboot", "set-config", "x"), id: fc.string(), atMs: fc.oneof(fc.integer(), fc.double()), config: jsonish() }, { requiredKeys: [] })), (raw) => {
      const r = parseCommand(raw);
      return r.ok ? ["snapshot", "reboot", "set-config"].includes(r.command.cmd) : typeof r.error === "string" && r.error.startsWith("command");
    }),
  },
  {
    name: "config parser",
    property: () => fc.property(fc.oneof(jsonish(), fc.record({ deviceId: jsonish(), button: fc.dictionary(fc.constantFrom("debounceMs", "longPressMs", "cooldownS", "x"), jsonish()), mqtt: jsonish() }, { requiredKeys: [] })), (raw) => {
      const r = parseConfig(raw);
      if (r.ok) return parseConfig(JSON.parse(JSON.stringify(r.config))).ok; // what it accepts, it accepts again
      return r.errors.length > 0 && r.errors.every((e) => typeof e.field === "string" && typeof e.value === "string" && e.accepted.length > 0);
    }),
  },
];
