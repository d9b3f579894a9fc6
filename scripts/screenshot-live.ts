// SPDX-License-Identifier: MIT
// Remakes docs/live-view.png: the bridge's live page (/live/<id>) in Debian's Chromium (playwright-core), showing
// its MJPEG stream and figures, fed with the CDnet highway fixture frames at 10 frames/s stamped as captured now.
// Usage: npx tsx scripts/screenshot-live.ts [--out docs/live-view.png]. Every wait is bounded.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { createOwnerVideo } from "../bridge/video/owner-video.js";
import { startVideoServer } from "../bridge/video/video-server.js";
import { repoPath } from "../hosts/xs/bundle.js";
import { createLogger } from "../modules/logger.js";

const out = process.argv.includes("--out") ? process.argv[process.argv.indexOf("--out") + 1] : "docs/live-view.png";
const dir = repoPath("test/fixtures/cdnet-highway/input");
const jpegs = readdirSync(dir)
  .filter((n) => n.endsWith(".jpg"))
  .sort()
  .map((n) => new Uint8Array(readFileSync(join(dir, n))));
const log = createLogger({ write: () => undefined }, "video");
const video = createOwnerVideo({ deviceIds: ["frontdoor"], sendLiveView: () => undefined, log });
const server = await startVideoServer({ host: "127.0.0.1", port: 0, handler: video.handler, log });
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
let index = 0;
const feeder = setInterval(() => {
  const now = Date.now();
  const jpeg = jpegs[index % jpegs.length];
  video.sink.frame({
    deviceId: "frontdoor",
    streamId: "0123456789abcdef",
    kind: "live",
    index: index++,
    captureMs: now,
    last: false,
    jpeg,
    openedAtMs: now,
  });
}, 100);
try {
  const page = await browser.newPage({ viewport: { width: 560, height: 400 } });
  await page.goto(`${server.url}/live/frontdoor`, { waitUntil: "domcontentloaded" });
  await page.getByText(/frames\/s, delay from capture/).waitFor({ timeout: 20_000 });
  await page.waitForTimeout(4000); // a few seconds of frames, so the rate is over a full window
  await page.screenshot({ path: repoPath(out) });
  process.stderr.write(`wrote ${out}\n`);
} finally {
  clearInterval(feeder);
  await browser.close();
  await server.close();
  await video.close();
}
