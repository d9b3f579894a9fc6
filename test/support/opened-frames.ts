// SPDX-License-Identifier: MIT
// Opened frames for the video tests, as the stream opener would hand them over: real camera JPEGs (the CDnet
// highway fixtures, 320x240) with stream ids, indexes and capture times.
import { readdirSync, readFileSync } from "node:fs";
import type { OpenedFrame, StreamKind, StreamSummary } from "../../bridge/video/opened-frame.js";

const INPUT = new URL("../fixtures/cdnet-highway/input/", import.meta.url);

/** The fixture JPEGs, in order (50 frames). */
export function highwayJpegs(): Uint8Array[] {
  return readdirSync(INPUT)
    .filter((n) => n.endsWith(".jpg"))
    .sort()
    .map((n) => new Uint8Array(readFileSync(new URL(n, INPUT))));
}

/** One opened frame; `index` and the times follow from `i` at `periodMs`. */
export function openedFrame(
  o: { deviceId?: string; streamId?: string; kind?: StreamKind; i: number; jpeg: Uint8Array; periodMs?: number },
  extra: Partial<OpenedFrame> = {},
): OpenedFrame {
  const captureMs = Date.UTC(2026, 9, 1, 8, 0, 0) + o.i * (o.periodMs ?? 200);
  return {
    deviceId: o.deviceId ?? "frontdoor",
    streamId: o.streamId ?? "00112233445566aa",
    kind: o.kind ?? "live",
    index: o.i,
    captureMs,
    last: false,
    jpeg: o.jpeg,
    openedAtMs: captureMs + 50,
    ...extra,
  };
}

export function summary(o: Partial<StreamSummary> & { frames: number }): StreamSummary {
  return {
    deviceId: "frontdoor",
    streamId: "00112233445566aa",
    kind: "clip",
    complete: true,
    gaps: 0,
    refused: {},
    droppedOnDevice: 0,
    ...o,
  };
}
