// SPDX-License-Identifier: MIT
// Event clips on the owner's disk: frames from the FrameSink become an H.264 MP4 (ffprobe reads it back) with a
// sidecar of the opener's summary, a clip with gaps is still kept and says so, no ffmpeg keeps the JPEGs, retention
// by age and by size, and the clips served over HTTP (a list, the file, byte ranges).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { type ClipStore, createClipStore } from "../../bridge/video/clip-store.js";
import { createOwnerVideo } from "../../bridge/video/owner-video.js";
import { startVideoServer } from "../../bridge/video/video-server.js";
import { createLogger } from "../../modules/logger.js";
import { fetchBytes } from "../support/mjpeg-client.js";
import { highwayJpegs, openedFrame, summary } from "../support/opened-frames.js";

const JPEGS = highwayJpegs();
const lines: string[] = [];
const log = createLogger({ write: (level, tag, message) => void lines.push(`${level} ${tag} ${message}`) }, "clips");
const T0 = Date.UTC(2026, 9, 1, 8, 0, 0);
const DAY_MS = 24 * 3600 * 1000;
const noTimers = { set: () => 0, clear: () => undefined };

/** Feeds a clip of `frames` indexes (a gap where one is missing) and ends it with `extra` in the summary. */
async function feedClip(
  store: ClipStore,
  o: { streamId: string; indexes: number[]; eventSeq: number; atMs?: number; extra?: object },
) {
  const triggerMs = T0 + 4 * 200;
  for (const i of o.indexes)
    store.frame(
      openedFrame(
        { i, kind: "clip", streamId: o.streamId, jpeg: JPEGS[i % JPEGS.length] },
        { trigger: "ring", eventSeq: o.eventSeq, triggerMs, openedAtMs: (o.atMs ?? T0) + i * 200 },
      ),
    );
  store.streamEnded(summary({ streamId: o.streamId, frames: o.indexes.length, ...o.extra }));
  await store.whenIdle();
}

function ffprobe(path: string): { codec_name: string; pix_fmt: string; nb_read_frames: string; width: number } {
  const r = spawnSync(
    "ffprobe",
    [
      "-v",
      "error",
      "-count_frames",
      "-select_streams",
      "v:0",
      "-show_entries",
      "stream=codec_name,pix_fmt,nb_read_frames,width",
      "-of",
      "json",
      path,
    ],
    { encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout).streams[0];
}

const sidecars = (dir: string) =>
  readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json") && !f.startsWith("."));

describe("clips: stored as MP4 with a sidecar", () => {
  test("a ring clip becomes an H.264 yuv420p MP4 with one frame per JPEG (ffprobe), named by device, seq, time", async () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-clips-"));
    const store = createClipStore({ dir, keepDays: 30, maxMB: 100, log, now: () => T0, timers: noTimers });
    assert.equal(store.format, "mp4");
    await feedClip(store, { streamId: "a1b2c3d4e5f60718", indexes: [...Array(12).keys()], eventSeq: 42 });
    const [listed] = store.list("frontdoor");
    assert.match(listed.path, /^frontdoor\/2026-10-01\/080000\.000-ring-seq42-a1b2c3d4\.json$/);
    const mp4 = join(dir, "frontdoor", "2026-10-01", listed.sidecar.files[0]);
    assert.ok(mp4.endsWith("-ring-seq42-a1b2c3d4.mp4"));
    const probe = ffprobe(mp4);
    assert.equal(probe.codec_name, "h264");
    assert.equal(probe.pix_fmt, "yuv420p");
    assert.equal(Number(probe.nb_read_frames), 12);
    assert.equal(probe.width, 320);
    const bytes = readFileSync(mp4).toString("latin1");
    assert.ok(bytes.indexOf("moov") < bytes.indexOf("mdat"), "+faststart: the index (moov) before the media (mdat)");
    assert.equal(statSync(mp4).mode & 0o777, 0o600);
    const s = listed.sidecar;
    assert.deepEqual(
      [s.format, s.storedFrames, s.preRollFrames, s.eventSeq, s.trigger, s.summary.complete, s.summary.gaps],
      ["mp4", 12, 4, 42, "ring", true, 0],
    );
    assert.equal(existsSync(join(dir, ".work", "a1b2c3d4e5f60718")), false, "no plaintext work files left");
    await store.close();
  });

  test("a clip with gaps, cut short, with frames dropped on the device, is kept and its sidecar says so", async () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-clips-"));
    const store = createClipStore({ dir, keepDays: 30, maxMB: 100, log, now: () => T0, timers: noTimers });
    const indexes = [0, 1, 2, 5, 6, 9];
    const extra = { complete: false, gaps: 4, droppedOnDevice: 3, refused: { forged: 1 } };
    await feedClip(store, { streamId: "0badc0ffee000001", indexes, eventSeq: 7, extra });
    const [{ sidecar }] = store.list("frontdoor");
    assert.deepEqual(sidecar.summary, {
      frames: 6,
      complete: false,
      gaps: 4,
      droppedOnDevice: 3,
      refused: { forged: 1 },
    });
    assert.equal(Number(ffprobe(join(dir, "frontdoor", "2026-10-01", sidecar.files[0])).nb_read_frames), 6);
    await store.close();
  });

  test("without ffmpeg the clip is kept as its JPEG frames, byte for byte, and the start says so", async () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-clips-"));
    lines.length = 0;
    const store = createClipStore({
      dir,
      keepDays: 30,
      maxMB: 100,
      log,
      ffmpegPath: null,
      now: () => T0,
      timers: noTimers,
    });
    assert.equal(store.format, "jpeg-sequence");
    assert.ok(lines.some((l) => l.startsWith("warn") && l.includes("ffmpeg not found")));
    await feedClip(store, { streamId: "0000000000000abc", indexes: [0, 1, 2], eventSeq: 8 });
    const [{ sidecar }] = store.list("frontdoor");
    const frames = join(dir, "frontdoor", "2026-10-01", sidecar.files[0]);
    assert.deepEqual(readdirSync(frames), ["000000.jpg", "000001.jpg", "000002.jpg"]);
    [0, 1, 2].forEach((i) =>
      assert.deepEqual(new Uint8Array(readFileSync(join(frames, readdirSync(frames)[i]))), JPEGS[i]),
    );
    await store.close();
  });
});

describe("clips: retention", () => {
  test("clips older than keepDays go, at the next prune", async () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-clips-"));
    let now = T0;
    const store = createClipStore({ dir, keepDays: 2, maxMB: 100, log, now: () => now, timers: noTimers });
    await feedClip(store, { streamId: "1000000000000001", indexes: [0, 1], eventSeq: 1, atMs: T0 - 3 * DAY_MS });
    await feedClip(store, { streamId: "1000000000000002", indexes: [0, 1], eventSeq: 2, atMs: T0 - DAY_MS });
    assert.equal(sidecars(dir).length, 1, "the 3-day-old clip went as soon as the next was stored");
    now = T0 + 2 * DAY_MS;
    assert.equal(store.prune().clips, 1);
    assert.deepEqual(sidecars(dir), []);
    assert.deepEqual(
      readdirSync(join(dir)).filter((f) => !f.startsWith(".")),
      [],
      "empty day directories removed",
    );
    await store.close();
  });

  test("beyond maxMB the oldest clips go first, with their files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-clips-"));
    const store = createClipStore({
      dir,
      keepDays: 30,
      maxMB: 1,
      log,
      ffmpegPath: null,
      now: () => T0,
      timers: noTimers,
    });
    // ~16 KB frames: 20 per clip is ~320 KB, so a fourth clip pushes the first out of 1 MB.
    for (let c = 0; c < 4; c++)
      await feedClip(store, {
        streamId: `200000000000000${c}`,
        indexes: [...Array(20).keys()],
        eventSeq: c,
        atMs: T0 + c * 60_000,
      });
    const kept = store.list("frontdoor").map((c) => c.sidecar.eventSeq);
    assert.deepEqual(kept, [3, 2, 1]);
    assert.ok(store.totalBytes <= 1_000_000, `${store.totalBytes} bytes kept`);
    const onDisk = readdirSync(join(dir, "frontdoor", "2026-10-01")).filter((f) => f.includes("seq0"));
    assert.deepEqual(onDisk, [], "the oldest clip's frames and sidecar are gone");
    await store.close();
  });
});

describe("clips: served over HTTP", () => {
  test("the list, the MP4 whole and by byte range (for <video> seeking), and nothing outside the store", async () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-clips-"));
    const video = createOwnerVideo({
      deviceIds: ["frontdoor"],
      sendLiveView: () => undefined,
      clips: { dir, keepDays: 30, maxMB: 100 },
      log,
      now: () => T0,
    });
    const server = await startVideoServer({ host: "127.0.0.1", port: 0, handler: video.handler, log });
    try {
      await feedClip(video.clips as ClipStore, { streamId: "3000000000000001", indexes: [0, 1, 2, 3], eventSeq: 9 });
      const list = JSON.parse((await fetchBytes(`${server.url}/clips/frontdoor.json`)).body.toString("utf8"));
      assert.equal(list.length, 1);
      const mp4Path = list[0].path.replace(/\.json$/, ".mp4");
      const whole = await fetchBytes(`${server.url}/clips/${mp4Path}`);
      assert.equal(whole.status, 200);
      assert.equal(whole.headers["content-type"], "video/mp4");
      assert.deepEqual(whole.body, readFileSync(join(dir, mp4Path)));
      const part = await fetchBytes(`${server.url}/clips/${mp4Path}`, { Range: "bytes=100-199" });
      assert.equal(part.status, 206);
      assert.equal(part.headers["content-range"], `bytes 100-199/${whole.body.length}`);
      assert.deepEqual(part.body, whole.body.subarray(100, 200));
      for (const bad of [
        "/clips/frontdoor/../../etc/passwd",
        "/clips/backdoor.json",
        "/clips/frontdoor/2026-10-01/x.sh",
      ])
        assert.equal((await fetchBytes(`${server.url}${bad}`)).status, 404, bad);
    } finally {
      await server.close();
      await video.close();
    }
  });
});
