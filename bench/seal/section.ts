// SPDX-License-Identifier: MIT
// The seal bench's report section: bench.json's "seal" figures and the rows and intro of BENCHMARKS.md.
// It only formats what seal-cost.ts measured; the field names are what bench.json's readers use.
import type { Row, Section } from "../report.js";
import type { NativeInstructions } from "./callgrind.js";
import { type Calls, type Crank, callsOf as x } from "./crank.js";
import {
  ESP32_CLOCK_HZ,
  ESP32_INSTRUCTIONS_PER_CYCLE,
  type Esp32Estimate,
  LINEAR_LIMB_FACTOR,
  QUADRATIC_LIMB_FACTOR,
  XTENSA_PER_X86_INSTRUCTION,
} from "./esp32-estimate.js";

/** Events per second of one loop, and how many it ran. */
export interface Throughput {
  perSecond: number;
  events: number;
}
export interface Bounds {
  maxEvents: number;
  maxMs: number;
}
/** The callgrind figures and the estimate built on them, or why there are none. */
export type Callgrind =
  | { native: NativeInstructions; xsX86: { seal: number; open: number; ring: number }; estimate: Esp32Estimate }
  | { unavailable: string };

/** Everything the seal bench measured in one run. */
export interface SealFigures {
  snapshotBytes: number;
  /** One list of cranks per fresh XS worker: load, seal, seal, open, open, take, precompute, ring, precompute, ring, take. */
  runs: Crank[][];
  sealedBytes: number;
  node: { seal: Throughput; open: Throughput };
  bounds: Bounds;
  hpkeJs: { seal: Throughput; open: Throughput; plaintextBytes: number; version: string };
  callgrind: Callgrind;
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const round = (v: number): number => Math.round(v * 100) / 100;

/**
 * The steady-state (second) and first seal, open, idle precomputation and ring-time seal of the first worker, and
 * whether all workers agree.
 */
function cranksOf(runs: Crank[][]) {
  const [, sealFirst, seal, openFirst, open, , precomputeFirst, ringFirst, precompute, ring] = runs[0];
  const sameCrank = (index: number) =>
    runs.every(
      (r) =>
        r[index].units === runs[0][index].units &&
        JSON.stringify(r[index].calls) === JSON.stringify(runs[0][index].calls),
    );
  const agree = [2, 4, 8, 9].every(sameCrank);
  return { seal, sealFirst, open, openFirst, precompute, precomputeFirst, ring, ringFirst, agree };
}

export function sealSection(f: SealFigures): Section {
  const json = sealJson(f);
  return {
    key: "seal",
    title: "Sealing one ring event with a 20 KB snapshot",
    intro: intro(json.esp32Estimate),
    json,
    rows: [...xsRows(f), ...nodeRows(f), ...callgrindRows(f)],
  };
}

const primitiveCalls = (c: Calls) => ({
  x25519: x(c, "x25519") + x(c, "x25519PublicKey"),
  x25519PublicKey: x(c, "x25519PublicKey"),
  hmacSha256: x(c, "hmacSha256"),
  chacha20Poly1305Seal: x(c, "chacha20Poly1305Seal"),
  chacha20Poly1305Open: x(c, "chacha20Poly1305Open"),
  randomBytes: x(c, "randomBytes"),
});

/** bench.json's "seal" object (its field names and order are what its readers know). */
function sealJson(f: SealFigures) {
  const { seal, sealFirst, open, openFirst, precompute, precomputeFirst, ring, ringFirst, agree } = cranksOf(f.runs);
  const { node, hpkeJs, callgrind } = f;
  return {
    snapshotBytes: f.snapshotBytes,
    plaintextBytes: seal.aeadBytes,
    envelopeBytes: f.sealedBytes,
    xsSealComputeUnits: seal.units,
    xsOpenComputeUnits: open.units,
    xsSealComputeUnitsFirst: sealFirst.units,
    xsOpenComputeUnitsFirst: openFirst.units,
    xsRuns: {
      seal: f.runs.map((r) => r[2].units),
      open: f.runs.map((r) => r[4].units),
      ringTime: f.runs.map((r) => r[9].units),
      agree,
    },
    // A ring's seal with the next encapsulation made ahead, when idle (modules/seal-ahead.ts), and that idle work.
    ringTimeXsUnits: ring.units,
    ringTimeXsUnitsFirst: ringFirst.units,
    idlePrecomputeXsUnits: precompute.units,
    idlePrecomputeXsUnitsFirst: precomputeFirst.units,
    primitiveCalls: {
      seal: primitiveCalls(seal.calls),
      open: primitiveCalls(open.calls),
      ringTime: primitiveCalls(ring.calls),
      idlePrecompute: primitiveCalls(precompute.calls),
    },
    hmacInputBytes: { seal: seal.hmacBytes, open: open.hmacBytes, ringTime: ring.hmacBytes },
    node: {
      sealPerSecond: node.seal.perSecond,
      openPerSecond: node.open.perSecond,
      sealEvents: node.seal.events,
      openEvents: node.open.events,
      ...f.bounds,
    },
    reference: {
      hpkeJs: {
        sealPerSecond: hpkeJs.seal.perSecond,
        openPerSecond: hpkeJs.open.perSecond,
        sealEvents: hpkeJs.seal.events,
        openEvents: hpkeJs.open.events,
        plaintextBytes: hpkeJs.plaintextBytes,
        version: hpkeJs.version,
      },
    },
    x86Instructions:
      "unavailable" in callgrind
        ? callgrind
        : {
            ...callgrind.native,
            xsSeal: callgrind.xsX86.seal,
            xsOpen: callgrind.xsX86.open,
            xsRingTime: callgrind.xsX86.ring,
          },
    esp32Estimate: "unavailable" in callgrind ? callgrind : esp32Json(callgrind.estimate),
  };
}

function esp32Json(estimate: Esp32Estimate) {
  return {
    msPerSeal: round(estimate.msPerSeal),
    msPerOpen: round(estimate.msPerOpen),
    msRingTime: round(estimate.msRingTime),
    breakdownMs: Object.fromEntries(Object.entries(estimate.breakdown).map(([k, v]) => [k, round(v)])),
    assumptions: {
      clockHz: ESP32_CLOCK_HZ,
      instructionsPerCycle: ESP32_INSTRUCTIONS_PER_CYCLE,
      xtensaPerX86Instruction: XTENSA_PER_X86_INSTRUCTION,
      x25519LimbFactor: round(estimate.limbFactor),
      quadraticLimbFactor: QUADRATIC_LIMB_FACTOR,
      linearLimbFactor: LINEAR_LIMB_FACTOR,
      softwareBignum: true,
    },
  };
}

/** "3 x25519 (1 key generation), 4 hmacSha256, 1 chacha20Poly1305Seal, 1 randomBytes" */
function callsText(c: Calls): string {
  const aeadCalls = x(c, "chacha20Poly1305Seal") + x(c, "chacha20Poly1305Open");
  const aead = aeadCalls ? `${aeadCalls} chacha20Poly1305${x(c, "chacha20Poly1305Seal") ? "Seal" : "Open"}, ` : "";
  return (
    `${x(c, "x25519") + x(c, "x25519PublicKey")} x25519 (${x(c, "x25519PublicKey")} key generation), ` +
    `${x(c, "hmacSha256")} hmacSha256, ${aead}${x(c, "randomBytes")} randomBytes`
  );
}

/** The XS rows: compute units of a seal and an open, and their primitive calls. */
function xsRows({ runs, sealedBytes, snapshotBytes }: SealFigures): Row[] {
  const { seal, sealFirst, open, openFirst, agree } = cranksOf(runs);
  const runsNote = (i: number, first: number) => {
    const runsAgree = agree
      ? `the ${runs.length} fresh workers agree`
      : `runs DIFFER: ${runs.map((r) => r[i].units).join(", ")}`;
    return `${runsAgree}; the first ${i === 2 ? "seal" : "open"} in a worker costs ${fmt(first)}`;
  };
  return [
    {
      figure: "seal.xsSealComputeUnits",
      value: fmt(seal.units),
      reference: `${fmt(open.units)} to open it`,
      note:
        `${runsNote(2, sealFirst.units)}; ${fmt(snapshotBytes)}-byte snapshot sealed into ${fmt(sealedBytes)} bytes; ` +
        "native primitives are host calls, not counted",
    },
    { figure: "seal.xsOpenComputeUnits", value: fmt(open.units), note: runsNote(4, openFirst.units) },
    ...ringXsRows(runs),
    {
      figure: "seal.primitiveCalls.seal",
      value: callsText(seal.calls),
      note: `HMAC inputs ${seal.hmacBytes.join(", ")} bytes; AEAD over ${fmt(seal.aeadBytes)} bytes`,
    },
    { figure: "seal.primitiveCalls.open", value: callsText(open.calls) },
  ];
}

/** A ring's seal at ring time (its KEM made ahead) and the idle precomputation, in XS units and primitive calls. */
function ringXsRows(runs: Crank[][]): Row[] {
  const { seal, precompute, precomputeFirst, ring, ringFirst } = cranksOf(runs);
  return [
    {
      figure: "seal.ringTimeXsUnits",
      value: fmt(ring.units),
      reference: `${fmt(seal.units)} for a seal that makes its own KEM`,
      note:
        `the same event and snapshot, the next encapsulation made ahead when idle (modules/seal-ahead.ts); ` +
        `the first in a worker costs ${fmt(ringFirst.units)}`,
    },
    {
      figure: "seal.primitiveCalls.ringTime",
      value: callsText(ring.calls),
      note: `HMAC inputs ${ring.hmacBytes.join(", ")} bytes; AEAD over ${fmt(ring.aeadBytes)} bytes`,
    },
    {
      figure: "seal.idlePrecomputeXsUnits",
      value: fmt(precompute.units),
      note:
        `off the ring's path, after each seal and at boot: ${callsText(precompute.calls)}; the first, which also ` +
        `makes the cached DH(skS, pkR), costs ${fmt(precomputeFirst.units)} (${callsText(precomputeFirst.calls)})`,
    },
  ];
}

/** The Node rows: our seal and open throughput beside hpke-js's. */
function nodeRows({ node, hpkeJs }: SealFigures): Row[] {
  return [
    {
      figure: "seal.node.sealPerSecond",
      value: `${fmt(node.seal.perSecond)} events/s`,
      reference: `hpke-js ${fmt(hpkeJs.seal.perSecond)} events/s`,
      note:
        `${fmt(node.seal.events)} envelopes (node:crypto); @hpke/core ${hpkeJs.version} single-shot mode_auth ` +
        `of the same ${fmt(hpkeJs.plaintextBytes)}-byte plaintext (pure-JS X25519 and ChaCha20-Poly1305)`,
    },
    {
      figure: "seal.node.openPerSecond",
      value: `${fmt(node.open.perSecond)} events/s`,
      reference: `hpke-js ${fmt(hpkeJs.open.perSecond)} events/s`,
      note: `${fmt(node.open.events)} opens, every check of openEnvelope included`,
    },
  ];
}

/** The callgrind rows (x86-64 instructions) and the ESP32 estimate, or one row saying why there are none. */
function callgrindRows({ runs, callgrind }: SealFigures): Row[] {
  if ("unavailable" in callgrind)
    return [{ figure: "seal.esp32Estimate", value: "not computed", note: callgrind.unavailable }];
  const { native, xsX86 } = callgrind;
  const { seal } = cranksOf(runs);
  const p = native.x25519Profile;
  return [
    {
      figure: "x86-64 instructions per X25519 (callgrind)",
      value: fmt(native.x25519),
      reference: `${fmt(native.x25519PublicKey)} for key generation`,
      note:
        `${native.mbedtls} via doorbell_crypto.c; PSA key import and destroy included; varies slightly run to run ` +
        `(mbedtls randomises the ladder's coordinates); ${fmt(p.mulShare * 100, 1)}% in mbedtls_mpi_mul_mpi, ` +
        `${fmt(p.allocShare * 100, 1)}% in malloc/free`,
    },
    {
      figure: "x86-64 instructions per HMAC-SHA256",
      value: fmt(native.hmacSha256Of64Bytes),
      note: `32-byte key, 64-byte input; the ${x(seal.calls, "hmacSha256")} of a seal: ${fmt(native.hmacForSeal)}`,
    },
    {
      figure: "x86-64 instructions per ChaCha20-Poly1305 byte",
      value: fmt((native.aeadSealForSeal - native.aeadSealFixed) / native.aeadBytes, 1),
      note: `${fmt(native.aeadSealFixed)} fixed; ${fmt(native.aeadSealForSeal)} for the ${fmt(native.aeadBytes)}-byte plaintext`,
    },
    {
      figure: "x86-64 instructions of the XS side (callgrind)",
      value: `${fmt(xsX86.seal)} per seal`,
      reference: `${fmt(xsX86.open)} per open`,
      note: `xsnap-worker replaying the recorded crank: ${fmt(xsX86.seal / seal.units, 1)} instructions per compute unit`,
    },
    ...estimateRows(callgrind.estimate, runs),
  ];
}

/** The ESP32 estimate's rows: ms per seal and per open with their breakdown, and the limb factor. */
function estimateRows(estimate: Esp32Estimate, runs: Crank[][]): Row[] {
  const { breakdown: b, msPerSeal, msPerOpen, msRingTime, limbFactor } = estimate;
  const { seal, open, ring } = cranksOf(runs);
  return [
    {
      figure: "seal.esp32Estimate.msPerSeal (estimate)",
      value: `${fmt(msPerSeal, 0)} ms`,
      note:
        `X25519 ${x(seal.calls, "x25519PublicKey")} key generation × ${fmt(b.x25519PublicKeyMs, 0)} ms + ` +
        `${x(seal.calls, "x25519")} DH × ${fmt(b.x25519Ms, 0)} ms, HMAC ${fmt(b.sealHmacMs, 1)} ms, ` +
        `AEAD ${fmt(b.sealAeadMs, 1)} ms, XS ${fmt(b.sealXsMs, 1)} ms; assumptions in the intro`,
    },
    {
      figure: "seal.esp32Estimate.msPerOpen (estimate)",
      value: `${fmt(msPerOpen, 0)} ms`,
      note:
        `X25519 ${x(open.calls, "x25519")} DH × ${fmt(b.x25519Ms, 0)} ms, HMAC ${fmt(b.openHmacMs, 1)} ms, ` +
        `AEAD ${fmt(b.openAeadMs, 1)} ms, XS ${fmt(b.openXsMs, 1)} ms`,
    },
    {
      figure: "seal.esp32Estimate.msRingTime (estimate)",
      value: `${fmt(msRingTime, 0)} ms`,
      reference: `${fmt(msPerSeal, 0)} ms making its own KEM`,
      note:
        `${x(ring.calls, "x25519") + x(ring.calls, "x25519PublicKey")} X25519, HMAC ${fmt(b.ringHmacMs, 1)} ms, ` +
        `AEAD ${fmt(b.sealAeadMs, 1)} ms, XS ${fmt(b.ringXsMs, 1)} ms: the same method and assumptions; ` +
        "the KEM was made ahead, when idle",
    },
    {
      figure: "X25519 limb factor (assumption, from the profile)",
      value: fmt(limbFactor, 2),
      note:
        `${QUADRATIC_LIMB_FACTOR}× for the multiply share, ${LINEAR_LIMB_FACTOR}× for the other bignum code, ` +
        "1× for malloc/free: 32-bit limbs on the LX6",
    },
  ];
}

function intro(estimate: { unavailable?: string } | object): string {
  const base =
    "One crank seals (or opens) a ring event whose snapshot is a 20,480-byte JPEG-shaped buffer, " +
    "with sealEnvelope as modules/sealer.ts calls it. " +
    "XS compute units are deterministic meter counts; the crypto primitives are host calls, as on the device " +
    "(mbedtls), so they appear as call counts, not units. " +
    "The units include this bench's host-call marshalling (every argument is wire-encoded, so the 20 KB " +
    "plaintext is copied twice more); the device binding passes views to C, so there the XS part is smaller. " +
    "Node throughput uses node:crypto, beside hpke-js in the same run.";
  if ("unavailable" in estimate) return `${base} No ESP32 estimate in this run: ${estimate.unavailable}.`;
  return `${base}\n\n${ESTIMATE_INTRO}`;
}

const ESTIMATE_INTRO =
  "The ESP32 figures are an estimate, not a measurement. Measured here with callgrind: the x86-64 instructions " +
  "of doorbell_crypto.c over Debian's mbedtls 2.28, and of the XS worker's side of each crank " +
  "(replayed from the recorded run). " +
  `Assumed, until a seal is timed on the device: an Xtensa LX6 at ${ESP32_CLOCK_HZ / 1e6} MHz retiring ` +
  `${ESP32_INSTRUCTIONS_PER_CYCLE} instruction per cycle (optimistic: flash-cache misses, PSRAM and load stalls ` +
  "ignored); " +
  `${XTENSA_PER_X86_INSTRUCTION} Xtensa instructions per x86-64 instruction (no memory operands, no rotate, ` +
  "no carry flag); " +
  "for X25519 only, a limb factor, because bignum code on a 32-bit core handles twice as many limbs: " +
  `${QUADRATIC_LIMB_FACTOR}× for the share of instructions in mbedtls_mpi_mul_mpi (quadratic in limbs), ` +
  `${LINEAR_LIMB_FACTOR}× for the rest of the bignum code (linear), 1× for malloc/free, weighted by the ` +
  "measured profile; " +
  "software bignum (ESP-IDF's RSA-accelerator MPI is not modelled) and mbedtls 2.28's code paths. " +
  "X25519 dominates: an auth-mode seal makes 3 scalar multiplications (the ephemeral key, DH(skE, pkR), " +
  "DH(skS, pkR)), an open 2. " +
  "At ring time the device makes none: the ephemeral key and DH(skE, pkR) were made when idle, after the " +
  "previous seal or at boot, and DH(skS, pkR) is cached (modules/seal-ahead.ts), so msRingTime is the " +
  "key schedule's HMACs, the AEAD and the XS side, estimated the same way. " +
  "For scale only (third-party, not measured here): a forum report puts mbedtls Curve25519 on ESP32-class " +
  "chips at about 100 ms (esp32.io/viewtopic.php?t=23830).";
