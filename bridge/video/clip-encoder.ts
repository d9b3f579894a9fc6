// SPDX-License-Identifier: MIT
// Turns a clip's JPEG frames into a file browsers and Home Assistant's media browser play: H.264 MP4 through
// ffmpeg (yuv420p, `+faststart`, each frame held until the next one's capture time, so a gap shows as a held
// frame), or, without ffmpeg, the JPEG frames themselves in a directory.
import { spawn, spawnSync } from "node:child_process";
import { chmod, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface ClipFrame {
  jpeg: Uint8Array;
  captureMs: number;
}

/** A frame is held at least this long and at most this long in the MP4 (a long gap still plays briefly). */
export const MIN_FRAME_MS = 10;
export const MAX_FRAME_MS = 5000;
/** The last frame's duration when no interval is known. */
export const DEFAULT_FRAME_MS = 100;
/** ffmpeg gets this long per clip before it is killed. */
export const FFMPEG_TIMEOUT_MS = 120_000;

export type ClipFormat = "mp4" | "jpeg-sequence";

/** Whether `ffmpegPath` runs (`ffmpeg -version`); the answer decides the clip format at start. */
export function ffmpegAvailable(ffmpegPath: string): boolean {
  const r = spawnSync(ffmpegPath, ["-version"], { stdio: "ignore", timeout: 10_000 });
  return r.status === 0;
}

/** Each frame's duration in ms: the time to the next frame's capture, clamped; the last gets the median. */
export function frameDurationsMs(frames: readonly ClipFrame[]): number[] {
  const gaps = frames.slice(1).map((f, i) => f.captureMs - frames[i].captureMs);
  const clamp = (ms: number) => Math.min(MAX_FRAME_MS, Math.max(MIN_FRAME_MS, ms));
  const sorted = gaps.map(clamp).sort((a, b) => a - b);
  const last = sorted.length ? sorted[Math.floor(sorted.length / 2)] : DEFAULT_FRAME_MS;
  return [...gaps.map(clamp), last];
}

/** Writes the frames as `000000.jpg`... into `dir` (made mode 0700; the files 0600). */
export async function writeFrames(dir: string, frames: readonly ClipFrame[]): Promise<string[]> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const names = frames.map((_, i) => `${String(i).padStart(6, "0")}.jpg`);
  for (let i = 0; i < frames.length; i++) await writeFile(join(dir, names[i]), frames[i].jpeg, { mode: 0o600 });
  return names;
}

function run(ffmpegPath: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString("utf8");
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), FFMPEG_TIMEOUT_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg exited ${code ?? signal}: ${stderr.trim().split("\n").slice(-2).join(" / ")}`));
    });
  });
}

/**
 * Encodes the frames written in `workDir` to `outPath` (H.264 in MP4 via the concat demuxer with one duration
 * per frame; `-fps_mode passthrough`, so the MP4 has exactly one video frame per JPEG).
 */
export async function encodeMp4(o: {
  ffmpegPath: string;
  workDir: string;
  names: string[];
  frames: readonly ClipFrame[];
  outPath: string;
}): Promise<void> {
  const durations = frameDurationsMs(o.frames);
  const list = o.names.map((n, i) => `file '${n}'\nduration ${(durations[i] / 1000).toFixed(3)}\n`).join("");
  const listPath = join(o.workDir, "frames.txt");
  await writeFile(listPath, list, { mode: 0o600 });
  const partial = `${o.outPath}.part`;
  // biome-ignore format: one option per line reads better than biome's packing
  await run(o.ffmpegPath, [
    "-hide_banner", "-loglevel", "error", "-y",
    "-f", "concat", "-safe", "0", "-i", listPath,
    "-fps_mode", "passthrough",
    "-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2",
    "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
    "-movflags", "+faststart", "-f", "mp4", partial,
  ]);
  await chmod(partial, 0o600); // ffmpeg creates it by the umask; these are plaintext pictures
  await rename(partial, o.outPath);
}

/** Removes a work directory (plaintext frames) whatever happened. */
export async function removeWorkDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
