// SPDX-License-Identifier: MIT
// Fuzz targets for the parsers that take outside input: each is a fast-check property that must hold for
// every generated case: no exception escapes, and a refusal always carries a clear, typed reason.
// `npm run fuzz` runs each for 100,000 cases; test/node/fuzz-seeded.test.ts runs a seeded sample in npm test.
import fc from "fast-check";
import { parseCommand } from "../../modules/commands.js";
import { parseConfig } from "../../modules/config.js";
import { decodeConfirmations, encodeConfirmations } from "../../modules/envelope/confirmation.js";
import { openEnvelope } from "../../modules/envelope/open-envelope.js";
import { REJECT_REASONS } from "../../modules/envelope/reasons.js";
import { sealEnvelope } from "../../modules/envelope/seal-envelope.js";
import { generateKeyPair } from "../../modules/hpke/dhkem-x25519.js";
import { testCrypto } from "../support/test-crypto.js";
import { readFileSync } from "node:fs";
import jpegJs from "jpeg-js";
import { createThumbnailDecoder, decodeThumbnail } from "../../modules/jpeg/thumbnail-decoder.js";
import { JpegError } from "../../modules/jpeg/jpeg-error.js";
import { jpegFrameSize } from "../../modules/jpeg/frame-size.js";
import { createRedactor } from "../../modules/jpeg/redact.js";
import type { CellMask } from "../../modules/privacy/zone-cells.js";
import { DROP_CLASS, decodeOutboxRecord, encodeOutboxRecord, recordChecksum } from "../../modules/outbox-record.js";
import { parseScenario, ScenarioError } from "../../simulator/scenario/parse-scenario.js";
import { VIDEO_FUZZ_TARGETS } from "./video-targets.js";
import { UPDATE_FUZZ_TARGETS } from "./update-targets.js";
import { BUNDLE_FUZZ_TARGETS } from "./bundle-targets.js";

export interface FuzzTarget {
  name: string;
  /** A property over one generated input. */
  /** Each target generates its own input type. */
  // biome-ignore lint/suspicious/noExplicitAny: each target's property has its own input type
  property(): fc.IPropertyWithHooks<any>;
}

const crypto = testCrypto();
const device = generateKeyPair(crypto);
const owner = generateKeyPair(crypto);
const TOPIC = "doorbell/frontdoor/sealed/event";
const sample = sealEnvelope({
  crypto,
  senderPrivateKey: device.privateKey,
  recipientPublicKey: owner.publicKey,
  deviceId: "frontdoor",
  topic: TOPIC,
  seq: 9,
  header: { v: 1, type: "ring" },
  jpeg: Uint8Array.of(0xff, 0xd8, 1, 2, 0xff, 0xd9),
});

const isReason = (r: string) => (REJECT_REASONS as readonly string[]).includes(r);

/** A real envelope with a few bytes replaced, inserted or removed. */
const mutatedEnvelope = fc
  .array(
    fc.record({
      at: fc.nat(sample.length + 4),
      op: fc.constantFrom("set", "insert", "delete"),
      value: fc.integer({ min: 0, max: 255 }),
    }),
    { minLength: 1, maxLength: 6 },
  )
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
    property: () =>
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const r = openEnvelope({
          crypto,
          recipientPrivateKey: owner.privateKey,
          senderPublicKey: device.publicKey,
          deviceId: "frontdoor",
          topic: TOPIC,
          bytes,
        });
        return !r.ok && isReason(r.reason);
      }),
  },
  {
    name: "envelope opener: mutated real envelopes",
    property: () =>
      fc.property(mutatedEnvelope, (bytes) => {
        const r = openEnvelope({
          crypto,
          recipientPrivateKey: owner.privateKey,
          senderPublicKey: device.publicKey,
          deviceId: "frontdoor",
          topic: TOPIC,
          bytes,
        });
        return !r.ok && isReason(r.reason);
      }),
  },
  {
    name: "command parser",
    property: () =>
      fc.property(
        fc.oneof(
          jsonish(),
          fc.record(
            {
              v: fc.constantFrom(1, 2, "1"),
              cmd: fc.constantFrom("snapshot", "reboot", "set-config", "sync", "x"),
              id: fc.string(),
              atMs: fc.oneof(fc.integer(), fc.double()),
              config: jsonish(),
            },
            { requiredKeys: [] },
          ),
        ),
        (raw) => {
          const r = parseCommand(raw);
          return r.ok
            ? ["snapshot", "reboot", "set-config", "sync"].includes(r.command.cmd)
            : typeof r.error === "string" && r.error.startsWith("command");
        },
      ),
  },
  {
    name: "config parser",
    property: () =>
      fc.property(
        fc.oneof(
          jsonish(),
          fc.record(
            {
              deviceId: jsonish(),
              button: fc.dictionary(fc.constantFrom("debounceMs", "longPressMs", "cooldownS", "x"), jsonish()),
              mqtt: jsonish(),
            },
            { requiredKeys: [] },
          ),
        ),
        (raw) => {
          const r = parseConfig(raw);
          if (r.ok) return parseConfig(JSON.parse(JSON.stringify(r.config))).ok; // what it accepts, it accepts again
          return (
            r.errors.length > 0 &&
            r.errors.every((e) => typeof e.field === "string" && typeof e.value === "string" && e.accepted.length > 0)
          );
        },
      ),
  },
  {
    name: "JPEG thumbnail decoder (TypeScript): random bytes",
    property: () =>
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 600 }),
          fc.uint8Array({ maxLength: 600 }).map((b) => Uint8Array.of(0xff, 0xd8, ...b)),
        ),
        decodesOrRefuses,
      ),
  },
  {
    name: "JPEG thumbnail decoder (TypeScript): mutated real JPEGs",
    property: () => fc.property(mutated(realJpeg, 8), decodesOrRefuses),
  },
  {
    name: "JPEG thumbnail decoder (TypeScript) with gradients: mutated real JPEGs, the same thumbnail as without",
    property: () => fc.property(mutated(realJpeg, 8), decodesWithGradientsOrRefuses),
  },
  {
    name: "JPEG redactor: mutated real JPEGs (highway frame, jpeg-js), random masks and greys",
    property: () =>
      fc.property(
        fc.oneof(mutated(realJpeg, 8), mutated(highwayJpeg, 8)),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 255 }),
        fc.nat(1000),
        fc.boolean(),
        redactsOrRefuses,
      ),
  },
  {
    name: "scenario parser: mutated real scenarios and random text",
    property: () =>
      fc.property(
        fc.oneof(
          mutated(realScenario, 6).map((b) => new TextDecoder().decode(b)),
          fc.string({ maxLength: 300 }),
        ),
        (text) => {
          try {
            const s = parseScenario(text, "fuzz.yaml");
            return s.version === 1 && Array.isArray(s.steps) && s.steps.every((step) => Number.isInteger(step.line));
          } catch (error) {
            // A clear refusal: a ScenarioError listing each problem (the parser numbers them by line).
            return (
              error instanceof ScenarioError &&
              error.problems.length > 0 &&
              error.problems.every((p) => typeof p === "string" && p.length > 0)
            );
          }
        },
      ),
  },
  {
    name: "outbox record decoder: mutated records (formats 4 and 3) and random bytes",
    property: () =>
      fc.property(
        fc.oneof(mutated(realRecord, 6), mutated(format3Record, 6), fc.uint8Array({ maxLength: 200 })),
        (bytes) => {
          const decoded = decodeOutboxRecord(bytes, recordCheck);
          if (!decoded) return true;
          // Anything accepted is a record as written: the sample envelope, with its tag or none.
          const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);
          return same(decoded.envelope, sample) && (same(decoded.tag, RECORD_TAG) || decoded.tag.length === 0);
        },
      ),
  },
  {
    name: "confirmation decoder: mutated messages and random bytes",
    property: () =>
      fc.property(fc.oneof(mutated(realConfirmations, 6), fc.uint8Array({ maxLength: 200 })), (bytes) => {
        const decoded = decodeConfirmations(bytes);
        if (!decoded.ok) return CONFIRMATION_REFUSALS.includes(decoded.reason);
        // Anything accepted is a message as the bridge writes it: encoding its items gives the same bytes.
        const again = encodeConfirmations(decoded.items);
        return again.length === bytes.length && again.every((v, i) => v === bytes[i]);
      }),
  },
  ...VIDEO_FUZZ_TARGETS,
  ...UPDATE_FUZZ_TARGETS,
  ...BUNDLE_FUZZ_TARGETS,
];

const CONFIRMATION_REFUSALS = ["truncated", "bad-version", "bad-count", "trailing-data", "bad-seq"];
/** Two confirmations as the bridge sends them, the seed for mutations. */
const realConfirmations = encodeConfirmations([
  { seq: 9, mac: Uint8Array.from({ length: 16 }, (_, i) => i) },
  { seq: 2 ** 40, mac: Uint8Array.from({ length: 16 }, (_, i) => 0xf0 + i) },
]);

const recordCheck = recordChecksum(crypto);
const RECORD_TAG = Uint8Array.from({ length: 16 }, (_, i) => 0xc0 + i);
/** A format-4 record of the sample envelope with a 16-byte tag, the seed for mutations. */
const realRecord = encodeOutboxRecord(DROP_CLASS.ring, sample, recordCheck, RECORD_TAG);
/** The same envelope as format 3 wrote it: format, class, envelope, check. */
const format3Record: Uint8Array = (() => {
  const out = new Uint8Array(2 + sample.length + 4);
  out.set([3, DROP_CLASS.ring]);
  out.set(sample, 2);
  new DataView(out.buffer).setUint32(2 + sample.length, recordCheck(out.subarray(0, 2 + sample.length)));
  return out;
})();

/** A 48x32 grey-ramp baseline JPEG (4:2:0 from jpeg-js) as the seed for mutations. */
const realJpeg: Uint8Array = (() => {
  const width = 48;
  const height = 32;
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) data.fill((i * 5) & 0xff, i * 4, i * 4 + 4);
  return new Uint8Array(jpegJs.encode({ data, width, height }, 75).data);
})();
const highwayJpeg = new Uint8Array(
  readFileSync(new URL("../fixtures/cdnet-highway/input/in000790.jpg", import.meta.url)),
);
const redactor = createRedactor({ maxCells: 64 * 64 });
const REDACT_CODES = ["not-jpeg", "truncated", "corrupt", "unsupported", "too-large", "missing-code", "mask-size"];
const realScenario = new Uint8Array(
  readFileSync(new URL("../../simulator/scenarios/visitor-rings.yaml", import.meta.url)),
);

/** `seed` with up to `maxEdits` bytes replaced, inserted or removed (at least one change). */
function mutated(seed: Uint8Array, maxEdits: number): fc.Arbitrary<Uint8Array> {
  return fc
    .array(
      fc.record({
        at: fc.nat(seed.length),
        op: fc.constantFrom("set", "insert", "delete"),
        value: fc.integer({ min: 0, max: 255 }),
      }),
      { minLength: 1, maxLength: maxEdits },
    )
    .map((edits) => {
      const bytes = Array.from(seed);
      for (const e of edits) {
        const at = Math.min(e.at, bytes.length);
        if (e.op === "set" && at < bytes.length) bytes[at] = bytes[at] === e.value ? (e.value + 1) & 255 : e.value;
        else if (e.op === "insert") bytes.splice(at, 0, e.value);
        else if (at < bytes.length) bytes.splice(at, 1);
      }
      return Uint8Array.from(bytes);
    });
}

/** The decoder returns a consistent thumbnail or throws a JpegError with a known code and an offset inside the input. */
function decodesOrRefuses(bytes: Uint8Array): boolean {
  try {
    const t = decodeThumbnail(bytes, { maxCells: 64 * 64 });
    return (
      t.width === Math.ceil(t.frameWidth / 8) &&
      t.height === Math.ceil(t.frameHeight / 8) &&
      t.luma.length >= t.width * t.height
    );
  } catch (error) {
    return isRefusal(error, bytes);
  }
}

/** A JpegError with a known code and an offset inside the input. */
function isRefusal(error: unknown, bytes: Uint8Array): boolean {
  return (
    error instanceof JpegError &&
    ["not-jpeg", "truncated", "corrupt", "unsupported", "too-large"].includes(error.code) &&
    Number.isInteger(error.offset) &&
    error.offset >= 0 &&
    error.offset <= bytes.length &&
    error.message.startsWith("jpeg ")
  );
}

/** With gradients too: a consistent result or a JpegError; when both decode, the same thumbnail. */
function decodesWithGradientsOrRefuses(bytes: Uint8Array): boolean {
  let plain: Uint8Array | undefined;
  try {
    plain = decodeThumbnail(bytes, { maxCells: 64 * 64 }).luma;
  } catch {
    plain = undefined;
  }
  try {
    const t = createThumbnailDecoder({ maxCells: 64 * 64, gradients: true }).decode(bytes);
    const same = !plain || (plain.length === t.width * t.height && plain.every((v, i) => v === t.luma[i]));
    return same && t.gradients!.length === 2 * t.width * t.height;
  } catch (error) {
    return isRefusal(error, bytes);
  }
}

/** A mask for `bytes`: its declared size when it has one (else 40x30), set at `density`, or off by one when `wrong`. */
function fuzzMask(bytes: Uint8Array, density: number, seed: number, wrong: boolean): CellMask {
  let w = 40,
    h = 30;
  try {
    const size = jpegFrameSize(bytes);
    w = Math.ceil(size.width / 8);
    h = Math.ceil(size.height / 8);
  } catch {}
  if (wrong) w += 1;
  if (w * h > 64 * 64) w = h = 1;
  const cells = new Uint8Array(w * h);
  for (let i = 0, x = seed; i < cells.length; i++, x = (x * 1103515245 + 12345) & 0x7fffffff)
    cells[i] = (x % 1000) / 1000 < density ? 1 : 0;
  return { widthCells: w, heightCells: h, cells };
}

/**
 * The redactor never throws; a refusal has a known code and a reason; an accepted output re-parses with the
 * thumbnail decoder, carries no APPn/COM, and with an empty mask has the input's exact thumbnail.
 */
function redactsOrRefuses(bytes: Uint8Array, density: number, grey: number, seed: number, wrong: boolean): boolean {
  const mask = fuzzMask(bytes, density < 0.2 ? 0 : density, seed, wrong);
  const r = redactor.redact(bytes, mask, { grey });
  if (!r.ok) return REDACT_CODES.includes(r.code) && r.reason.length > 0;
  const out = decodeThumbnail(r.jpeg);
  for (let pos = 2; r.jpeg[pos + 1] !== 0xda; pos += 2 + ((r.jpeg[pos + 2] << 8) | r.jpeg[pos + 3]))
    if ((r.jpeg[pos + 1] >= 0xe0 && r.jpeg[pos + 1] <= 0xef) || r.jpeg[pos + 1] === 0xfe) return false;
  if (mask.cells.some((c) => c !== 0)) return true;
  const before = decodeThumbnail(bytes);
  return before.luma.length === out.luma.length && before.luma.every((v, i) => v === out.luma[i]);
}
