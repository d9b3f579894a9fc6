// SPDX-License-Identifier: MIT
// Event clips on the owner's disk. Frames of a clip stream are held in memory (bounded) until the stream ends,
// then written as one MP4 (or a JPEG directory without ffmpeg) with a sidecar JSON of what the opener counted.
// Layout: `<dir>/<device>/<YYYY-MM-DD>/<HHMMSS.mmm>-<trigger>-seq<event seq>-<stream>.mp4` and `.json`, named and
// dated by the bridge's receive time of the first frame. Retention by age and size, on a timer and before each clip.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../../modules/logger.js";
import type { BridgeTimers } from "../ha-sync.js";
import {
  type ClipFormat,
  type ClipFrame,
  encodeMp4,
  ffmpegAvailable,
  removeWorkDir,
  writeFrames,
} from "./clip-encoder.js";
import { createClipIndex, listClips } from "./clip-retention.js";
import { type ClipSidecar, clipSidecar } from "./clip-sidecar.js";
import type { FrameSink, OpenedFrame, StreamSummary } from "./opened-frame.js";

export type { ClipSidecar } from "./clip-sidecar.js";

export const PRUNE_EVERY_MS = 10 * 60_000;
/** Bytes held per clip; later frames are dropped (counted in the sidecar as droppedByBridge). */
export const MAX_CLIP_BYTES = 48_000_000;
/** Clips being received at once; frames of further clip streams are dropped until one ends. */
export const MAX_OPEN_CLIPS = 4;
/** Node's timers, unreferenced: retention alone never keeps a process alive. */
const UNREF_TIMERS: BridgeTimers = {
  set: (callback, delayMs) => setTimeout(callback, delayMs).unref(),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface ClipStoreOptions {
  dir: string;
  /** Clips received more than this many days ago are deleted. */
  keepDays: number;
  /** The total of all clips is kept at or under this many megabytes (10^6 bytes); the oldest go first. */
  maxMB: number;
  log: Logger;
  /** The ffmpeg to run; null for none (JPEG directories). Default `ffmpeg` from PATH, if it runs. */
  ffmpegPath?: string | null;
  /** Wall clock, Unix ms. */
  now?: () => number;
  /** The retention timer; injectable for tests. */
  timers?: BridgeTimers;
  pruneEveryMs?: number;
  maxClipBytes?: number;
}

export interface ClipStore extends FrameSink {
  /** What clips are written as: "mp4", or "jpeg-sequence" without ffmpeg. */
  readonly format: ClipFormat;
  /** The stored clips of `deviceId`, newest first: the sidecar's path relative to the store, and its content. */
  list(deviceId: string): { path: string; sidecar: ClipSidecar }[];
  /** Applies retention now, from what is on disk. */
  prune(): { clips: number; bytes: number };
  readonly totalBytes: number;
  /** Resolves when every ended clip has been written. */
  whenIdle(): Promise<void>;
  /** Stops the timer and waits for the clips being written; frames arriving after are ignored. */
  close(): Promise<void>;
}

interface OpenClip {
  first: OpenedFrame;
  frames: ClipFrame[];
  bytes: number;
  dropped: number;
}

/** A device's directory name: its id with anything but letters, digits, '_' and '-' replaced. */
const deviceDir = (deviceId: string) => deviceId.replace(/[^A-Za-z0-9_-]/g, "_");

/** `2026-10-01T08:00:00.000Z` -> `080000.000-ring-seq42-<first 8 hex of the stream id>`. */
function baseName(first: OpenedFrame, iso: string): string {
  const trigger = (first.trigger ?? "clip").replace(/[^a-z]/g, "");
  const seq = first.eventSeq !== undefined ? `-seq${first.eventSeq}` : "";
  const stream = first.streamId.replace(/[^0-9a-f]/g, "").slice(0, 8);
  return `${iso.slice(11, 23).replace(/:/g, "")}-${trigger}${seq}-${stream}`;
}

/** Writes the clip's file into `day`: MP4, or the JPEG directory when there is no ffmpeg or it fails. */
async function writeClip(
  clip: OpenClip,
  at: { workRoot: string; day: string; base: string; ffmpeg?: string; log: Logger },
): Promise<Pick<ClipSidecar, "format" | "files" | "bytes">> {
  const work = join(at.workRoot, clip.first.streamId.replace(/[^0-9a-f]/g, ""));
  try {
    const names = await writeFrames(work, clip.frames);
    mkdirSync(at.day, { recursive: true, mode: 0o700 });
    if (at.ffmpeg) {
      const outPath = join(at.day, `${at.base}.mp4`);
      try {
        await encodeMp4({ ffmpegPath: at.ffmpeg, workDir: work, names, frames: clip.frames, outPath });
        return { format: "mp4", files: [`${at.base}.mp4`], bytes: statSync(outPath).size };
      } catch (error) {
        rmSync(`${outPath}.part`, { force: true });
        const reason = (error as Error).message;
        at.log.error("clip not encoded; kept as JPEG frames", { device: clip.first.deviceId, reason });
      }
    }
    rmSync(join(work, "frames.txt"), { force: true });
    renameSync(work, join(at.day, `${at.base}.frames`));
    return { format: "jpeg-sequence", files: [`${at.base}.frames`], bytes: clip.bytes };
  } finally {
    await removeWorkDir(work);
  }
}

export function createClipStore(o: ClipStoreOptions): ClipStore {
  const now = o.now ?? Date.now;
  const timers = o.timers ?? UNREF_TIMERS;
  const maxClipBytes = o.maxClipBytes ?? MAX_CLIP_BYTES;
  const ffmpegPath = o.ffmpegPath === null ? undefined : (o.ffmpegPath ?? "ffmpeg");
  const format: ClipFormat = ffmpegPath && ffmpegAvailable(ffmpegPath) ? "mp4" : "jpeg-sequence";
  const ffmpeg = format === "mp4" ? ffmpegPath : undefined;
  const workRoot = join(o.dir, ".work");
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  rmSync(workRoot, { recursive: true, force: true }); // plaintext frames left by a crash
  if (!ffmpeg)
    o.log.warn("ffmpeg not found: clips are kept as directories of JPEG frames, not MP4; install ffmpeg", {
      ffmpeg: ffmpegPath ?? "disabled",
    });
  const index = createClipIndex({ ...o, now, onRemoved: (r) => o.log.info("clips pruned", { ...r }) });
  const open = new Map<string, OpenClip>();
  let queue: Promise<void> = Promise.resolve();
  let closed = false;

  async function finish(clip: OpenClip, summary: StreamSummary): Promise<void> {
    const { first, frames } = clip;
    if (clip.bytes > o.maxMB * 1_000_000) {
      o.log.error("clip larger than clips.maxMB on its own; not kept", { device: first.deviceId, bytes: clip.bytes });
      return;
    }
    index.makeRoom(clip.bytes);
    const at = new Date(first.openedAtMs);
    const receivedAt = at.toISOString();
    const day = join(o.dir, deviceDir(first.deviceId), receivedAt.slice(0, 10));
    const base = baseName(first, receivedAt);
    const written = await writeClip(clip, { workRoot, day, base, ffmpeg, log: o.log });
    const sidecar = clipSidecar({ first, frames, droppedByBridge: clip.dropped, written, receivedAt, summary });
    const sidecarPath = join(day, `${base}.json`);
    writeFileSync(sidecarPath, `${JSON.stringify(sidecar, null, 2)}\n`, { mode: 0o600 });
    utimesSync(sidecarPath, at, at);
    const files = written.files.map((f) => join(day, f));
    index.add({ sidecar: sidecarPath, files, bytes: written.bytes, mtimeMs: at.getTime() });
    const { gaps, complete } = summary;
    const fields = { device: first.deviceId, seq: first.eventSeq, format: written.format, frames: frames.length };
    o.log.info("clip stored", { ...fields, gaps, complete, bytes: written.bytes });
  }

  index.prune();
  const timer = retentionTimer(timers, o.pruneEveryMs ?? PRUNE_EVERY_MS, () => {
    try {
      index.prune();
    } catch (error) {
      o.log.error("clip retention failed; retrying at the next period", { reason: (error as Error).message });
    }
  });

  const take = (frame: OpenedFrame) => {
    let clip = open.get(frame.streamId);
    if (!clip) {
      if (open.size >= MAX_OPEN_CLIPS) {
        if (frame.index === 0) o.log.warn("clip dropped: too many clips at once", { device: frame.deviceId });
        return;
      }
      open.set(frame.streamId, (clip = { first: frame, frames: [], bytes: 0, dropped: 0 }));
    }
    if (clip.bytes + frame.jpeg.length > maxClipBytes) clip.dropped++;
    else {
      clip.frames.push({ jpeg: frame.jpeg, captureMs: frame.captureMs });
      clip.bytes += frame.jpeg.length;
    }
  };
  const ended = (summary: StreamSummary) => {
    const clip = open.get(summary.streamId);
    open.delete(summary.streamId);
    if (!clip?.frames.length) {
      o.log.warn("clip ended with no frame opened; nothing stored", { device: summary.deviceId, gaps: summary.gaps });
      return;
    }
    queue = queue
      .then(() => finish(clip, summary))
      .catch((error) => o.log.error("clip not stored", { device: summary.deviceId, reason: (error as Error).message }));
  };

  return {
    format,
    frame: (frame) => void (frame.kind === "clip" && !closed && take(frame)),
    streamEnded: (summary) => void (summary.kind === "clip" && !closed && ended(summary)),
    list: (deviceId) => listStored(o.dir, deviceId),
    prune: () => index.prune(),
    get totalBytes() {
      return index.totalBytes;
    },
    whenIdle: () => queue,
    async close() {
      closed = true;
      timer.stop();
      await queue;
    },
  };
}

/** Runs `prune` every `periodMs` until stopped. */
function retentionTimer(timers: BridgeTimers, periodMs: number, prune: () => void): { stop(): void } {
  let handle: unknown;
  const schedule = () => {
    handle = timers.set(() => {
      prune();
      schedule();
    }, periodMs);
  };
  schedule();
  return { stop: () => timers.clear(handle) };
}

function listStored(dir: string, deviceId: string): { path: string; sidecar: ClipSidecar }[] {
  return listClips(join(dir, deviceDir(deviceId)))
    .reverse()
    .flatMap((c) => {
      try {
        const sidecar = JSON.parse(readFileSync(c.sidecar, "utf8")) as ClipSidecar;
        return [
          {
            path: c.sidecar
              .slice(dir.length + 1)
              .split("\\")
              .join("/"),
            sidecar,
          },
        ];
      } catch {
        return [];
      }
    });
}
