// SPDX-License-Identifier: MIT
// Issue 10 point 5 in a real browser (Debian's Chromium, playwright-core): a ring in the simulator puts a player for
// its clip under the ring in the timeline, the MP4 the owner's bridge stored from the sealed stream; Chromium decodes
// it, and its caption counts the frames from before the press.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { repoPath } from "../../hosts/xs/bundle.js";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"];
/** The DOM shapes read inside the page (the project's TypeScript has no DOM library). */
type VideoElement = { readyState: number; videoWidth: number; duration: number };
type Picture = { complete: boolean; naturalWidth: number };

let sim: ChildProcess;
let exited: Promise<unknown>;
let output = "";
let browser: BrowserContext;
let page: Page;
let url = "";
const pageErrors: string[] = [];

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  sim = spawn(
    process.execPath,
    ["--import", "tsx", repoPath("simulator/start.ts"), "--http-port", "0", "--mqtt-port", "0", "--visitor-every", "0"],
    { cwd: repoPath(""), stdio: ["ignore", "pipe", "pipe"] },
  );
  sim.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  sim.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  exited = new Promise((resolve) => sim.on("exit", resolve));
  for (let i = 0; i < 1200 && !/Simulator ready at (\S+)/.test(output); i++) {
    if (sim.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  url = /Simulator ready at (\S+)/.exec(output)?.[1] ?? "";
  assert.ok(url, `no ready line:\n${output}`);
  browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "chromium-profile-")), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
  });
  page = await browser.newPage();
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(url);
  await page.getByText("Device: online").waitFor({ timeout: 30_000 });
  await page.locator('[data-testid="event-item"][data-type="status"]').first().waitFor({ timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  sim?.kill("SIGINT");
  await exited;
});

/** Runs `step`; on failure, adds the simulator's recent log to the error. */
async function withSimulatorLog(step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    const state = (await (await fetch(`${url}/api/state`)).json().catch(() => undefined)) as
      | { logs: { tag: string; message: string }[] }
      | undefined;
    const logs = state?.logs.map((l) => `${l.tag} ${l.message}`).join("\n") ?? output;
    throw new Error(`${(error as Error).message}\nsimulator log:\n${logs.slice(-4000)}`);
  }
}

describe("the simulator's page: clips in the timeline (issue 10 point 5)", () => {
  test(
    "a ring's clip plays under the ring in the timeline: an MP4 Chromium decodes, with frames from before the press",
    {
      timeout: 120_000,
    },
    () =>
      withSimulatorLog(async () => {
        await page.waitForTimeout(3000); // the clip ring fills with pre-roll
        await page.getByTestId("ring-button").click();
        const ring = page
          .locator('[data-testid="event-timeline"] [data-testid="event-item"][data-type="ring"]')
          .first();
        await ring.waitFor({ timeout: 15_000 });
        // The clip runs about 8 s after the press, then the bridge stores it (MP4 through ffmpeg); the page polls.
        const video = ring.getByTestId("clip-video");
        await video.waitFor({ timeout: 60_000 });
        await page.waitForFunction(
          (el) => (el as unknown as VideoElement).readyState >= 1,
          await video.elementHandle(),
          {
            timeout: 20_000,
          },
        );
        const meta = await video.evaluate((el) => {
          const v = el as unknown as VideoElement;
          return { width: v.videoWidth, duration: v.duration };
        });
        assert.equal(meta.width, 640, "Chromium decoded the clip's 640x480 video");
        assert.ok(meta.duration > 5, `about 10 s of clip, got ${meta.duration} s`);
        const caption = await ring.locator("[data-clip] p").innerText();
        const preRoll = Number(/(\d+) before the trigger/.exec(caption)?.[1]);
        assert.ok(preRoll > 0, `the clip holds frames from before the press: ${caption}`);
        assert.match(caption, /complete/);
        assert.deepEqual(pageErrors, []);
      }),
  );
});

describe("the simulator's page: the owner's live view (issue 10 point 5)", () => {
  test(
    "Watch live view shows the frames the bridge opened, with the bridge's frame rate and delay from capture",
    {
      timeout: 60_000,
    },
    () =>
      withSimulatorLog(async () => {
        await page.getByTestId("owner-live-toggle").click();
        const live = page.getByTestId("owner-live");
        assert.equal(await live.getAttribute("src"), "/owner/live/frontdoor.mjpeg", "the bridge's MJPEG endpoint");
        const figures = page.getByTestId("owner-live-figures");
        await page.getByText(/^[1-9][\d.]* frames\/s · delay from capture p50/).waitFor({ timeout: 30_000 });
        const text = await figures.innerText();
        const m = /^([\d.]+) frames\/s · delay from capture p50 (\d+) ms, p99 (\d+) ms · 1 viewer\(s\)$/.exec(text);
        assert.ok(m, text);
        assert.ok(Number(m[1]) > 0 && Number(m[3]) >= Number(m[2]), text);
        await page.waitForFunction(
          (el) => (el as unknown as Picture).complete && (el as unknown as Picture).naturalWidth === 640,
          await live.elementHandle(),
          { timeout: 20_000 },
        );
        await page.getByTestId("owner-live-toggle").click();
        assert.deepEqual(pageErrors, []);
      }),
  );
});
