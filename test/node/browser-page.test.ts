// SPDX-License-Identifier: MIT
// The page in a real browser: Debian's Chromium driven by playwright-core. A click on the ring button must
// show, within a few seconds, an event of type ring in the timeline with the snapshot the bridge opened,
// decoded; the R key rings too; the broker panel shows ciphertext; the Wi-Fi fault takes the device offline
// and back; a visitor shows as motion, with the box drawn over the camera. A screenshot is saved as an artifact (build/artifacts/simulator-page.png).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { chromium } from "playwright-core";
import { repoPath } from "../../hosts/xs/bundle.js";

const CHROMIUM = "/usr/bin/chromium";
/** The few DOM shapes used inside the page (the project's TypeScript has no DOM library). */
type Picture = { complete: boolean; naturalWidth: number };
type Canvas = {
  getContext(kind: "2d"): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
};
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

test("the page: a click rings, and the ring appears in the timeline with its decoded snapshot", {
  timeout: 120_000,
}, async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  const sim = spawn(
    process.execPath,
    ["--import", "tsx", repoPath("simulator/start.ts"), "--http-port", "0", "--mqtt-port", "0", "--visitor-every", "0"],
    {
      cwd: repoPath(""),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  sim.stdout.on("data", (d: Buffer) => (out += d.toString()));
  sim.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise((resolve) => sim.on("exit", resolve));
  const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "chromium-profile-")), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
  });
  try {
    const start = Date.now();
    while (!/Simulator ready at (\S+)/.test(out)) {
      if (Date.now() - start > 60_000 || sim.exitCode !== null) assert.fail(`no ready line:\n${out}\n${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = /Simulator ready at (\S+)/.exec(out)![1];
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(url);
    await page.getByText("Device: online").waitFor({ timeout: 20_000 });
    // The device's first status event has come through: boot is over and frames flow (a press while the
    // engine still catches up with its boot can miss its snapshot, as on a busy board).
    await page.locator('[data-testid="event-item"][data-type="status"]').first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(1000);

    await page.getByTestId("ring-button").click();
    const ring = page.locator('[data-testid="event-timeline"] [data-testid="event-item"][data-type="ring"]').first();
    await ring.waitFor({ timeout: 10_000 });
    assert.match(await ring.innerText(), /ring\s+\d{2}:\d{2}:\d{2}/);
    const img = ring.getByTestId("snapshot-img");
    await page.waitForFunction(
      (el) => (el as unknown as Picture).complete && (el as unknown as Picture).naturalWidth > 0,
      await img.elementHandle(),
      { timeout: 10_000 },
    );
    assert.equal(
      await img.evaluate((el) => (el as unknown as Picture).naturalWidth),
      640,
      "the opened snapshot decoded (640x480)",
    );

    // The broker panel shows the sealed event as ciphertext: its topic, size and a hex prefix.
    const traffic = page.getByTestId("broker-traffic");
    assert.match(await traffic.innerText(), /doorbell\/frontdoor\/sealed\/event[\s\S]*KB[\s\S]*01 00 00/);
    // The live camera has drawn frames into its canvas.
    const drawn = await page.locator("#camera-canvas").evaluate((c) => {
      const pixel = (c as unknown as Canvas).getContext("2d").getImageData(320, 100, 1, 1).data;
      return pixel[0] + pixel[1] + pixel[2];
    });
    assert.ok(drawn > 0, "the camera view shows the picture");

    // The keyboard shortcut rings too, once the cooldown (5 s) is over.
    await page.waitForTimeout(5200);
    await page.keyboard.down("r");
    await page.waitForTimeout(150);
    await page.keyboard.up("r");
    await page.locator('[data-testid="event-item"][data-type="ring"]').nth(1).waitFor({ timeout: 10_000 });

    // Dropping Wi-Fi takes the device offline (its last will); restoring it brings it back.
    await page.getByTestId("fault-wifi").click();
    await page.getByText("Device: offline").waitFor({ timeout: 10_000 });
    await page.getByTestId("fault-wifi").click();
    await page.getByText("Device: online").waitFor({ timeout: 20_000 });

    // A visitor walking up shows as motion: the legend says so and the box is drawn over the picture.
    await page.getByTestId("scene-visitor").click();
    await page.getByText("detector: motion", { exact: true }).waitFor({ timeout: 15_000 });
    const boxPixels = await page.locator("#camera-canvas").evaluate((c) => {
      const canvas = c as unknown as Canvas & { width: number; height: number };
      const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] > 230 && data[i + 1] < 80 && data[i + 2] > 190) n++;
      return n;
    });
    assert.ok(boxPixels > 50, `the motion box is drawn (${boxPixels} magenta pixels)`);

    mkdirSync(repoPath("build/artifacts"), { recursive: true });
    await page.screenshot({ path: repoPath("build/artifacts/simulator-page.png") });
    assert.deepEqual(pageErrors, []);
  } catch (error) {
    const url = /Simulator ready at (\S+)/.exec(out)?.[1];
    const state = url
      ? ((await (await fetch(`${url}/api/state`)).json().catch(() => undefined)) as
          | { logs: { t: number; tag: string; message: string }[] }
          | undefined)
      : undefined;
    const logs =
      state?.logs.map((l) => `${new Date(l.t).toISOString().slice(11, 23)} ${l.tag} ${l.message}`).join("\n") ?? err;
    throw new Error(`${(error as Error).message}\nsimulator log:\n${logs.slice(-4000)}`);
  } finally {
    await browser.close();
    sim.kill("SIGINT");
    await exited;
  }
});
