// SPDX-License-Identifier: MIT
// The video bench's report section: bench.json's "video" figures and BENCHMARKS.md's rows. It only formats what
// video-cost.ts measured, and scales the seal section's figures for the ESP32 estimate (esp32-video.ts).
import type { Section } from "../report.js";
import { type Calls, callsOf } from "../seal/crank.js";
import { ESP32_CLOCK_HZ, ESP32_INSTRUCTIONS_PER_CYCLE, XTENSA_PER_X86_INSTRUCTION } from "../seal/esp32-estimate.js";
import { esp32VideoEstimate, type VideoEstimate } from "./esp32-video.js";

export interface VideoFigures {
  frameBytes: number;
  /** The sealed frame message's length. */
  messageBytes: number;
  /** XS compute units of each frame's crank. */
  frameUnits: number[];
  /** Host calls of one frame's crank. */
  frameCalls: Calls;
  /** XS compute units and host calls of the stream's setup (its open message). */
  openUnits: number;
  openCalls: Calls;
  /**
   * Units of a crank that only makes the AEAD host call on the same frame: this bench's marshalling of the 25 KB
   * argument (wire-encoded), which the device's native binding does not do (it passes a view to C).
   */
  bareAeadCallUnits: number;
  /** bench.json's "seal" figures of this run (or the committed ones), for the ESP32 estimate. */
  seal?: unknown;
}

interface SealFiguresRead {
  sealAeadMs: number;
  sealAeadBytes: number;
  x86PerXsUnit: number;
}

/** The seal section's figures the estimate needs, or undefined when that section has no ESP32 estimate. */
export function sealFiguresFor(seal: unknown): SealFiguresRead | undefined {
  const s = seal as {
    ringTimeXsUnits?: number;
    x86Instructions?: { aeadBytes?: number; xsRingTime?: number };
    esp32Estimate?: { breakdownMs?: { sealAeadMs?: number } };
  };
  const sealAeadMs = s?.esp32Estimate?.breakdownMs?.sealAeadMs;
  const sealAeadBytes = s?.x86Instructions?.aeadBytes;
  const xsX86 = s?.x86Instructions?.xsRingTime;
  if (!sealAeadMs || !sealAeadBytes || !xsX86 || !s.ringTimeXsUnits) return undefined;
  return { sealAeadMs, sealAeadBytes, x86PerXsUnit: xsX86 / s.ringTimeXsUnits };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const n = (v: number) => v.toLocaleString("en");

export function videoSection(f: VideoFigures): Section {
  const xsUnitsPerFrame = median(f.frameUnits);
  const read = sealFiguresFor(f.seal);
  // The device passes the frame to C as a view: its XS side is the frame's units less the bench's marshalling.
  const xsUnitsOnDevice = Math.max(0, xsUnitsPerFrame - f.bareAeadCallUnits);
  const estimate: VideoEstimate | undefined =
    read && esp32VideoEstimate({ frameBytes: f.frameBytes, xsUnitsPerFrame: xsUnitsOnDevice, ...read });
  const assumptions = {
    clockHz: ESP32_CLOCK_HZ,
    instructionsPerCycle: ESP32_INSTRUCTIONS_PER_CYCLE,
    xtensaPerX86Instruction: XTENSA_PER_X86_INSTRUCTION,
    aeadScaledFrom: read && { sealAeadMs: read.sealAeadMs, bytes: read.sealAeadBytes },
    x86PerXsUnit: read && Math.round(read.x86PerXsUnit * 100) / 100,
  };
  return {
    key: "video",
    title: "Sealing one live frame of 25 KB",
    intro:
      `One crank seals one ${n(f.frameBytes)}-byte JPEG-shaped frame into its stream with sealFrame ` +
      "(modules/video/stream-crypto.ts), after the stream's one HPKE setup; each frame is opened in Node. XS compute " +
      "units are deterministic meter counts; the AEAD is a host call, as on the device (mbedtls), so it appears as a " +
      "call count. The units include this bench's host-call marshalling (the frame is wire-encoded into the call); " +
      "a crank that makes only the bare AEAD host call on the same frame measures that part, and " +
      "xsUnitsPerFrameWithoutMarshalling is the rest, which the ESP32 estimate uses (the device passes a view to C).\n\n" +
      "The ESP32 figure is an estimate, not a measurement, scaled from the seal section of the same report: its " +
      "ChaCha20-Poly1305 estimate per byte (linear in the bytes), and its x86-64 instructions per XS compute unit " +
      "(callgrind over the XS worker's ring-time seal) for the XS side; then the seal section's assumptions: an " +
      "Xtensa LX6 at 240 MHz retiring 1 instruction per cycle (optimistic: PSRAM and flash-cache stalls ignored) and " +
      "1.5 Xtensa instructions per x86-64 instruction. Not included: the privacy redaction (none without zones), the " +
      "MQTT/TLS write of the message (Moddable's TLS, AES-GCM in software), and the camera. fpsCeiling is 1000 / " +
      "msPerFrame: what the CPU could seal doing nothing else, an upper bound rather than a frame rate.",
    json: {
      frameBytes: f.frameBytes,
      messageBytes: f.messageBytes,
      xsUnitsPerFrame,
      xsUnitsPerFrameRuns: f.frameUnits,
      hostCallsPerFrame: f.frameCalls,
      xsUnitsBareAeadCall: f.bareAeadCallUnits,
      xsUnitsPerFrameWithoutMarshalling: xsUnitsOnDevice,
      xsUnitsStreamOpen: f.openUnits,
      hostCallsStreamOpen: f.openCalls,
      esp32Estimate: estimate
        ? { ...estimate, assumptions }
        : { unavailable: "the seal section has no ESP32 estimate" },
    },
    rows: [
      {
        figure: "video.xsUnitsPerFrame (median)",
        value: n(xsUnitsPerFrame),
        reference: `${n(f.openUnits)} for the stream's setup`,
        note:
          `${f.frameUnits.length} frames: ${n(Math.min(...f.frameUnits))} to ${n(Math.max(...f.frameUnits))}; ` +
          `host calls per frame: ${callsOf(f.frameCalls, "chacha20Poly1305Seal")} AEAD, ` +
          `${callsOf(f.frameCalls, "x25519")} X25519, ${callsOf(f.frameCalls, "hmacSha256")} HMAC; ` +
          `sealed into ${n(f.messageBytes)} bytes`,
      },
      {
        figure: "video.xsUnitsPerFrameWithoutMarshalling",
        value: n(xsUnitsOnDevice),
        reference: `${n(f.bareAeadCallUnits)} for the bare AEAD host call`,
        note: "the frame's units less this bench's marshalling of the 25 KB argument",
      },
      {
        figure: "video.esp32Estimate.msPerFrame",
        value: estimate ? `${estimate.msPerFrame} ms` : "–",
        reference: estimate ? `fpsCeiling ${estimate.fpsCeiling}` : undefined,
        note: estimate
          ? `AEAD ${estimate.aeadMs} ms + XS ${estimate.xsMs} ms; an estimate (see above)`
          : "no estimate: the seal section has none",
      },
    ],
  };
}
