// SPDX-License-Identifier: MIT
// The ESP32 time *estimate* of sealing one live frame, scaled from the seal bench's measured figures (bench.json
// "seal"): its AEAD instructions per byte, and its x86-64 instructions per XS compute unit. Every factor is an
// assumption, to be replaced by a frame timed on the device.
import { ESP32_CLOCK_HZ, ESP32_INSTRUCTIONS_PER_CYCLE, XTENSA_PER_X86_INSTRUCTION } from "../seal/esp32-estimate.js";

export interface VideoEstimateInputs {
  /** The frame's JPEG bytes. */
  frameBytes: number;
  /** XS compute units to seal one frame (measured here). */
  xsUnitsPerFrame: number;
  /** The seal bench's estimated ChaCha20-Poly1305 time for its plaintext, and that plaintext's length. */
  sealAeadMs: number;
  sealAeadBytes: number;
  /** x86-64 instructions per XS compute unit in the seal bench's ring-time crank (callgrind over the XS worker). */
  x86PerXsUnit: number;
}

export interface VideoEstimate {
  aeadMs: number;
  xsMs: number;
  msPerFrame: number;
  /** Frames per second the CPU could seal if it did nothing else: an upper bound, not a frame rate. */
  fpsCeiling: number;
}

const round2 = (v: number) => Math.round(v * 100) / 100;

/** AEAD time scales with the bytes (ChaCha20 and Poly1305 are linear); the XS side with its compute units. */
export function esp32VideoEstimate(i: VideoEstimateInputs): VideoEstimate {
  const aeadMs = (i.sealAeadMs * i.frameBytes) / i.sealAeadBytes;
  const xsMs =
    ((i.xsUnitsPerFrame * i.x86PerXsUnit * XTENSA_PER_X86_INSTRUCTION) /
      ESP32_INSTRUCTIONS_PER_CYCLE /
      ESP32_CLOCK_HZ) *
    1000;
  const msPerFrame = aeadMs + xsMs;
  return {
    aeadMs: round2(aeadMs),
    xsMs: round2(xsMs),
    msPerFrame: round2(msPerFrame),
    fpsCeiling: Math.floor(1000 / msPerFrame),
  };
}
