// SPDX-License-Identifier: MIT
// The ESP32 time *estimate* of one 640x480 redaction in C, from the x86-64 instructions callgrind counts for a highway
// frame (320x240). Every factor here is an assumption, to be replaced by a redaction timed on the device.
import { ESP32_CLOCK_HZ, ESP32_INSTRUCTIONS_PER_CYCLE, XTENSA_PER_X86_INSTRUCTION } from "../seal/esp32-estimate.js";

/** VGA has 4x the 8x8 blocks of a 320x240 highway frame; the work follows the coded bits, assumed 4x too. */
export const VGA_OVER_HIGHWAY_BITS = (640 * 480) / (320 * 240);
/** The frame is read from PSRAM through the 32 KB cache: sequential reads, assumed to cost 1.2x (a guess). */
export const PSRAM_READ_FACTOR = 1.2;

export interface RedactionEsp32Estimate {
  msPerFrame: number;
  assumptions: string[];
}

export function esp32RedactionEstimate(x86InstructionsPerHighwayFrame: number): RedactionEsp32Estimate {
  const xtensa = x86InstructionsPerHighwayFrame * VGA_OVER_HIGHWAY_BITS * XTENSA_PER_X86_INSTRUCTION;
  const ms = ((xtensa * PSRAM_READ_FACTOR) / ESP32_INSTRUCTIONS_PER_CYCLE / ESP32_CLOCK_HZ) * 1000;
  return {
    msPerFrame: Math.round(ms * 10) / 10,
    assumptions: [
      `x86-64 instructions per 320x240 highway frame from callgrind (doorbell_redact.c, gcc -O2), x${VGA_OVER_HIGHWAY_BITS}` +
        " for 640x480 (the same coded bits per block; an OV2640 at quality 12 codes fewer)",
      `${XTENSA_PER_X86_INSTRUCTION} Xtensa instructions per x86-64 instruction, ${ESP32_INSTRUCTIONS_PER_CYCLE} per cycle ` +
        `at ${ESP32_CLOCK_HZ / 1e6} MHz (bench/seal/esp32-estimate.ts)`,
      `x${PSRAM_READ_FACTOR} for reading the frame from PSRAM through the cache; the ~76 KB state's tables in PSRAM too`,
    ],
  };
}
