// SPDX-License-Identifier: MIT
// The ESP32 time *estimate* of one seal and one open, from x86-64 instruction counts (callgrind.ts).
// Every factor here is an assumption, to be replaced by a seal timed on the device.
import { type Calls, callsOf } from "./crank.js";
import type { NativeInstructions } from "./callgrind.js";

export const ESP32_CLOCK_HZ = 240e6; // the ESP32-CAM's ESP32 (Xtensa LX6) at its top clock
// in-order single-issue core; optimistic: ignores flash-cache misses and load stalls
export const ESP32_INSTRUCTIONS_PER_CYCLE = 1;
export const XTENSA_PER_X86_INSTRUCTION = 1.5; // RISC vs CISC: no memory operands, rotates and carries cost extra
export const QUADRATIC_LIMB_FACTOR = 4; // 256-bit numbers: 8 limbs of 32 bits instead of 4 of 64, so 4x the products
export const LINEAR_LIMB_FACTOR = 2; // additions, subtractions, comparisons, copies: 2x the limbs

/** Estimated milliseconds per part of a seal and an open. */
export interface Esp32Breakdown {
  x25519Ms: number;
  x25519PublicKeyMs: number;
  sealHmacMs: number;
  sealAeadMs: number;
  sealXsMs: number;
  openHmacMs: number;
  openAeadMs: number;
  openXsMs: number;
  /** A ring's seal at ring time (the KEM made ahead): its HMACs and XS side; its AEAD is `sealAeadMs`. */
  ringHmacMs: number;
  ringXsMs: number;
}

export interface Esp32Estimate {
  /** The factor applied to X25519's instructions for 32-bit limbs, weighted by the measured profile. */
  limbFactor: number;
  breakdown: Esp32Breakdown;
  msPerSeal: number;
  msPerOpen: number;
  /** A ring's seal with the precomputed encapsulation ready (modules/seal-ahead.ts): the key schedule and the AEAD. */
  msRingTime: number;
}

/** Milliseconds on the ESP32 for `x86` x86-64 instructions, scaled by `factor`. */
const ms = (x86: number, factor: number) =>
  ((x86 * factor * XTENSA_PER_X86_INSTRUCTION) / ESP32_INSTRUCTIONS_PER_CYCLE / ESP32_CLOCK_HZ) * 1000;

/** X25519's limb factor: quadratic for the multiply share, 1x for malloc/free, linear for the rest. */
export function x25519LimbFactor({ mulShare, allocShare }: NativeInstructions["x25519Profile"]): number {
  return mulShare * QUADRATIC_LIMB_FACTOR + allocShare + (1 - mulShare - allocShare) * LINEAR_LIMB_FACTOR;
}

/** Milliseconds of the X25519 calls among `c`: key generations and DHs. */
const x25519Ms = (b: Esp32Breakdown, c: Calls) =>
  b.x25519PublicKeyMs * callsOf(c, "x25519PublicKey") + b.x25519Ms * callsOf(c, "x25519");

/**
 * The estimate for a seal, an open and a ring-time seal that make the primitive calls in `calls`. The ring-time
 * seal's AEAD is over the same plaintext as the seal's, so it shares `sealAeadMs`.
 */
export function esp32Estimate(
  native: NativeInstructions,
  xsX86: { seal: number; open: number; ring: number },
  calls: { seal: Calls; open: Calls; ring: Calls },
): Esp32Estimate {
  const limbFactor = x25519LimbFactor(native.x25519Profile);
  const breakdown: Esp32Breakdown = {
    x25519Ms: ms(native.x25519, limbFactor),
    x25519PublicKeyMs: ms(native.x25519PublicKey, limbFactor),
    sealHmacMs: ms(native.hmacForSeal, 1),
    sealAeadMs: ms(native.aeadSealForSeal, 1),
    sealXsMs: ms(xsX86.seal, 1),
    openHmacMs: ms(native.hmacForOpen, 1),
    openAeadMs: ms(native.aeadOpenForOpen, 1),
    openXsMs: ms(xsX86.open, 1),
    ringHmacMs: ms(native.hmacForRing, 1),
    ringXsMs: ms(xsX86.ring, 1),
  };
  const b = breakdown;
  const msPerSeal = x25519Ms(b, calls.seal) + b.sealHmacMs + b.sealAeadMs + b.sealXsMs;
  const msPerOpen = x25519Ms(b, calls.open) + b.openHmacMs + b.openAeadMs + b.openXsMs;
  const msRingTime = x25519Ms(b, calls.ring) + b.ringHmacMs + b.sealAeadMs + b.ringXsMs;
  return { limbFactor, breakdown, msPerSeal, msPerOpen, msRingTime };
}
