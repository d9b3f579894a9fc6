// SPDX-License-Identifier: MIT
// The live view through the bridge (issue 10, point 7, owner half): frames of 640x480 and about 25 KB from a
// producer at the camera's rate, through the bridge's FrameSink, live hub and MJPEG endpoint, read by HTTP clients
// on loopback. video.liveFps is the rate a client receives; video.liveDelayP50Ms/P99Ms run from capture
// (OpenedFrame.captureMs) to the client's receipt of the whole part. `npm run bench:video` runs it alone.
import { readdirSync, readFileSync } from "node:fs";
import { get } from "node:http";
import { join } from "node:path";
import { decode } from "jpeg-js";
import { createJpegEncoder } from "../hosts/node/jpeg-encoder.js";
import { createMjpegReader } from "../bridge/video/mjpeg.js";
import { createOwnerVideo } from "../bridge/video/owner-video.js";
import { percentile } from "../bridge/video/live-hub.js";
import { startVideoServer } from "../bridge/video/video-server.js";
import { createLogger } from "../modules/logger.js";
import { repoPath } from "../hosts/xs/bundle.js";
import type { FrameSink } from "../bridge/video/opened-frame.js";
import type { Section } from "./report.js";
import { type LiveProducerFactory, syntheticLiveProducer } from "./video/live-producer.js";
import { xsLiveProducer } from "./video/xs-live-producer.js";

/** The section's producers: the firmware on XS (the default) or a synthetic camera on Node. */
export type ProducerName = "xs" | "synthetic";

export const TARGET_FRAME_BYTES = 25_000;

export interface LiveRun {
  /** What produced the frames (LiveProducer.name). */
  producer: string;
  fps: number;
  viewers: number;
  seconds: number;
  framesProduced: number;
  /** Per viewer, then the figures over all viewers. */
  framesReceived: number[];
  /** Live frames the producer skipped (the device's count in its stream summaries, e.g. yielding to a clip). */
  droppedOnDevice: number;
  liveFps: number;
  liveDelayP50Ms: number;
  liveDelayP99Ms: number;
  liveDelayMaxMs: number;
}

/** The highway fixture frames (test/fixtures, 320x240) scaled to 640x480 and encoded at the quality whose size is nearest 25 KB. */
export function vgaFrames(count: number): { jpegs: Uint8Array[]; quality: number; meanBytes: number } {
  const dir = repoPath("test/fixtures/cdnet-highway/input");
  const sources = readdirSync(dir)
    .filter((n) => n.endsWith(".jpg"))
    .sort()
    .slice(0, count)
    .map((n) => new Uint8Array(readFileSync(join(dir, n))));
  const rgbaOf = (bytes: Uint8Array) => {
    const img = decode(bytes, { useTArray: true, formatAsRGBA: true });
    const out = new Uint8Array(640 * 480 * 4);
    for (let y = 0; y < 480; y++)
      for (let x = 0; x < 640; x++) {
        const sx = Math.floor((x * img.width) / 640);
        const sy = Math.floor((y * img.height) / 480);
        out.set(img.data.subarray((sy * img.width + sx) * 4, (sy * img.width + sx) * 4 + 4), (y * 640 + x) * 4);
      }
    return out;
  };
  const pixels = sources.map((f) => rgbaOf(f));
  let best = { quality: 50, gap: Number.POSITIVE_INFINITY };
  for (const quality of [15, 20, 25, 30, 35, 40, 50, 60, 70, 80, 90]) {
    const gap = Math.abs(createJpegEncoder(quality).encode(pixels[0], 640, 480).length - TARGET_FRAME_BYTES);
    if (gap < best.gap) best = { quality, gap };
  }
  const encoder = createJpegEncoder(best.quality);
  const jpegs = pixels.map((p) => encoder.encode(p, 640, 480));
  return {
    jpegs,
    quality: best.quality,
    meanBytes: Math.round(jpegs.reduce((n, j) => n + j.length, 0) / jpegs.length),
  };
}

/** One run: `viewers` clients on the MJPEG endpoint for `seconds`, the producer started by their demand. */
export async function benchLiveRun(o: {
  produce: LiveProducerFactory;
  fps: number;
  viewers: number;
  seconds: number;
}): Promise<LiveRun> {
  const log = createLogger({ write: () => undefined }, "video");
  let producer: ReturnType<LiveProducerFactory> | undefined;
  const video = createOwnerVideo({ deviceIds: ["bench"], sendLiveView: (_id, live) => producer?.command(live), log });
  let droppedOnDevice = 0;
  const sink: FrameSink = {
    frame: (f) => video.sink.frame(f),
    streamEnded: (s) => {
      if (s.kind === "live") droppedOnDevice += s.droppedOnDevice;
      video.sink.streamEnded(s);
    },
  };
  producer = o.produce({ sink, deviceId: "bench", fps: o.fps });
  try {
    await producer.ready;
  } catch (error) {
    await producer.close();
    await video.close();
    throw error;
  }
  const server = await startVideoServer({ host: "127.0.0.1", port: 0, handler: video.handler, log });
  const delays: number[] = [];
  const received = Array.from({ length: o.viewers }, () => ({ count: 0, firstMs: 0, lastMs: 0 }));
  const requests = received.map((r) =>
    get(`${server.url}/live/bench.mjpeg`, (res) => {
      const read = createMjpegReader((part) => {
        const at = performance.timeOrigin + performance.now();
        delays.push(at - Number(part.headers["x-capture-ms"]));
        if (!r.count) r.firstMs = at;
        r.lastMs = at;
        r.count++;
      });
      res.on("data", read);
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, o.seconds * 1000));
  for (const req of requests) req.destroy();
  await producer.close();
  await server.close();
  await video.close();
  const fpsOf = (r: (typeof received)[number]) => (r.count > 1 ? ((r.count - 1) * 1000) / (r.lastMs - r.firstMs) : 0);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    producer: producer.name,
    fps: o.fps,
    viewers: o.viewers,
    seconds: o.seconds,
    framesProduced: producer.frames,
    framesReceived: received.map((r) => r.count),
    droppedOnDevice,
    liveFps: round(Math.min(...received.map(fpsOf))),
    liveDelayP50Ms: round(percentile(delays, 0.5) ?? Number.NaN),
    liveDelayP99Ms: round(percentile(delays, 0.99) ?? Number.NaN),
    liveDelayMaxMs: round(Math.max(...delays)),
  };
}

/** The section: 5 frames/s (the firmware's default video.liveFps) and 15 (its maximum), one viewer and four. */
export async function benchVideo(o: {
  quick: boolean;
  progress?: (text: string) => void;
  /** Which producer (default xs), unless `produce` is given. */
  producer?: ProducerName;
  produce?: LiveProducerFactory;
}): Promise<Section> {
  const frames = vgaFrames(o.quick ? 10 : 50);
  const xs = !o.produce && o.producer !== "synthetic";
  const produce =
    o.produce ?? (xs ? xsLiveProducer(frames.jpegs, { clips: false }) : syntheticLiveProducer(frames.jpegs));
  const seconds = o.quick ? 5 : 20;
  const plan: { fps: number; viewers: number; produce: LiveProducerFactory; label?: string }[] = [
    { fps: 5, viewers: 1, produce },
    { fps: 15, viewers: 1, produce },
    { fps: 15, viewers: 4, produce },
  ];
  // The firmware's default: clips on, so with motion in view a clip records and live frames yield to it.
  if (xs)
    plan.push({
      fps: 15,
      viewers: 1,
      produce: xsLiveProducer(frames.jpegs, { clips: true }),
      label: "while a motion clip records (video.clips on)",
    });
  const runs: (LiveRun & { label?: string })[] = [];
  for (const p of plan) {
    o.progress?.(`  ${p.fps} frames/s, ${p.viewers} viewer(s), ${seconds} s${p.label ? `, ${p.label}` : ""}`);
    runs.push({ ...(await benchLiveRun({ ...p, seconds })), ...(p.label ? { label: p.label } : {}) });
  }
  // The headline video.* figures: one viewer at the firmware's highest live rate (video.liveFps at its maximum, 15).
  const main = runs.find((r) => r.fps === 15 && r.viewers === 1 && !r.label) ?? runs[0];
  const name = main.producer;
  return {
    key: "video",
    title: "Live view through the bridge",
    intro:
      `640x480 JPEGs of ${frames.meanBytes.toLocaleString("en")} bytes on average (the CDnet highway frames scaled, quality ` +
      `${frames.quality}) from a producer (${name}) started by the bridge's live-view ` +
      `command, through the FrameSink, the live hub and the MJPEG endpoint to HTTP clients on loopback, ${seconds} s a run. ` +
      (xs
        ? "The firmware's camera.framePeriodMs and video.liveFps follow each run's rate; each frame is sealed on XS, " +
          "carried by the broker and opened by the bridge's stream opener, its capture time stamped by the firmware. "
        : "") +
      "Delay: capture time to the client's receipt of the whole part, same clock, 1 ms resolution of the capture stamp. " +
      `The video.* headline is the run at ${main.fps} frames/s with ${main.viewers} viewer (the highest video.liveFps).`,
    json: { frameBytes: frames.meanBytes, quality: frames.quality, producer: name, runs, ...pick(main) },
    rows: runs.map((r) => ({
      figure:
        r === main
          ? "video.liveFps / liveDelayP50Ms / liveDelayP99Ms"
          : `at ${r.fps} frames/s, ${r.viewers} viewer(s)${r.label ? `, ${r.label}` : ""}`,
      value: `${r.liveFps} frames/s, ${r.liveDelayP50Ms} / ${r.liveDelayP99Ms} ms`,
      reference: `${r.fps} frames/s produced`,
      note:
        `${r.viewers} viewer(s); frames produced ${r.framesProduced}, ` +
        `received ${r.framesReceived.join(", ")}, skipped on the device ${r.droppedOnDevice}; ` +
        `max delay ${r.liveDelayMaxMs} ms`,
    })),
  };
}

function pick(r: LiveRun) {
  return { liveFps: r.liveFps, liveDelayP50Ms: r.liveDelayP50Ms, liveDelayP99Ms: r.liveDelayP99Ms };
}
