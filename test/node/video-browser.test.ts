// SPDX-License-Identifier: MIT
// The bridge's video in a real browser (Debian's Chromium, playwright-core): the live page decodes the MJPEG
// stream as frames arrive and shows the bridge's figures, the viewer counts as one (the live-view start went out
// once), and a stored clip's MP4 plays in a <video>. A screenshot goes to build/artifacts/live-view.png.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type BrowserContext, chromium } from "playwright-core";
import { createOwnerVideo, type OwnerVideo } from "../../bridge/video/owner-video.js";
import { startVideoServer, type VideoServer } from "../../bridge/video/video-server.js";
import { repoPath } from "../../hosts/xs/bundle.js";
import type { LiveViewRequest } from "../../modules/commands.js";
import { createLogger } from "../../modules/logger.js";
import { until } from "../support/mqtt-watch.js";
import { highwayJpegs, openedFrame, summary } from "../support/opened-frames.js";

const CHROMIUM = "/usr/bin/chromium";
/** The DOM shapes read inside the page (the project's TypeScript has no DOM library). */
type Picture = { naturalWidth: number; naturalHeight: number };
type Video = { readyState: number; videoWidth: number; duration: number; error: unknown };
const JPEGS = highwayJpegs();
const log = createLogger({ write: () => undefined }, "video");
let video: OwnerVideo;
let server: VideoServer;
let browser: BrowserContext;
const sent: LiveViewRequest[] = [];

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  video = createOwnerVideo({
    deviceIds: ["frontdoor"],
    sendLiveView: (_id, live) => void sent.push(live),
    clips: { dir: mkdtempSync(join(tmpdir(), "doorbell-clips-")), keepDays: 3650, maxMB: 100 },
    log,
  });
  server = await startVideoServer({ host: "127.0.0.1", port: 0, handler: video.handler, log });
  browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "chromium-profile-")), {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    viewport: { width: 900, height: 560 },
  });
});
after(async () => {
  await browser?.close();
  await server?.close();
  await video?.close();
});

describe("the bridge's video in Chromium", () => {
  test("the live page shows the MJPEG stream frame by frame, with the bridge's frame rate and delay", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/live/frontdoor`, { waitUntil: "domcontentloaded" });
    await until(() => video.hub.viewers("frontdoor") === 1, "Chromium to open the stream");
    assert.deepEqual(sent, [{ action: "start", seconds: 60 }], "one start for the page's one stream");
    let i = 0;
    const feeder = setInterval(() => {
      const now = Date.now(); // captured now, so the figures show this machine's delay
      video.sink.frame(openedFrame({ i, jpeg: JPEGS[i++ % JPEGS.length] }, { captureMs: now, openedAtMs: now }));
    }, 100);
    try {
      const size = async () =>
        page
          .locator("#live")
          .evaluate((img) => [(img as unknown as Picture).naturalWidth, (img as unknown as Picture).naturalHeight]);
      for (let n = 0; n < 200 && (await size())[0] === 0; n++) await page.waitForTimeout(100);
      assert.deepEqual(await size(), [320, 240], "Chromium decoded a frame of the stream");
      await page.getByText(/frames\/s, delay from capture p50 \d+ ms/).waitFor({ timeout: 20_000 });
      mkdirSync(repoPath("build/artifacts"), { recursive: true });
      await page.screenshot({ path: repoPath("build/artifacts/live-view.png") });
    } finally {
      clearInterval(feeder);
      await page.close();
    }
    await until(() => video.hub.viewers("frontdoor") === 0, "the viewer to leave with the page");
  });

  test("a stored clip's MP4 plays in a <video> (H.264, yuv420p, +faststart)", async () => {
    const streamId = "c1c1c1c1c1c1c1c1";
    for (let i = 0; i < 15; i++)
      video.sink.frame(openedFrame({ i, kind: "clip", streamId, jpeg: JPEGS[i] }, { trigger: "ring", eventSeq: 3 }));
    video.sink.streamEnded(summary({ streamId, frames: 15 }));
    await video.clips?.whenIdle();
    const [clip] = video.clips?.list("frontdoor") ?? [];
    assert.ok(clip, "the clip was stored");
    const page = await browser.newPage();
    try {
      const src = `/clips/${clip.path.replace(/\.json$/, ".mp4")}`;
      await page.goto(`${server.url}/live/frontdoor.json`); // same origin as the clip
      await page.setContent(`<video id="clip" muted preload="auto" src="${server.url}${src}"></video>`);
      const read = () =>
        page.locator("#clip").evaluate((v) => {
          const e = v as unknown as Video;
          return { ready: e.readyState, width: e.videoWidth, duration: e.duration, error: e.error };
        });
      for (let n = 0; n < 200 && (await read()).ready < 2 && !(await read()).error; n++) await page.waitForTimeout(100);
      const state = await read();
      assert.equal(state.width, 320);
      assert.equal(state.error, null);
      assert.ok(state.duration > 2.5 && state.duration < 3.5, `15 frames 200 ms apart: ${state.duration} s`);
    } finally {
      await page.close();
    }
  });
});
