// SPDX-License-Identifier: MIT
// The page in a real browser: Debian's Chromium driven by playwright-core. A click on the ring button must
// show, within a few seconds, an event of type ring in the timeline with the snapshot the bridge opened,
// decoded; the R key rings too; the broker panel shows ciphertext; a visitor shows as motion, with the box drawn
// over the camera. Each fault button, clicked twice, works both times (the status chips show each effect). A
// screenshot is saved as an artifact (build/artifacts/simulator-page.png).
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { repoPath } from "../../hosts/xs/bundle.js";

const CHROMIUM = "/usr/bin/chromium";
/** The few DOM shapes used inside the page (the project's TypeScript has no DOM library). */
type Picture = { complete: boolean; naturalWidth: number };
type Canvas = {
  getContext(kind: "2d"): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
};
/** What the chip recorder (recordChips) leaves on the page's window. */
type ChipWindow = { chipHistory: string[] };
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

interface Running {
  sim: ChildProcess;
  exited: Promise<unknown>;
  out: () => string;
  err: () => string;
  browser: BrowserContext;
  page: Page;
  pageErrors: string[];
}
let running: Running;

/** Starts the simulator (the README's `npm start`) on free ports and waits for its ready line. */
async function startSimulator() {
  const sim = spawn(
    process.execPath,
    ["--import", "tsx", repoPath("simulator/start.ts"), "--http-port", "0", "--mqtt-port", "0", "--visitor-every", "0"],
    { cwd: repoPath(""), stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  sim.stdout.on("data", (d: Buffer) => (out += d.toString()));
  sim.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise((resolve) => sim.on("exit", resolve));
  const start = Date.now();
  while (!/Simulator ready at (\S+)/.test(out)) {
    if (Date.now() - start > 60_000 || sim.exitCode !== null) {
      sim.kill("SIGINT");
      assert.fail(`no ready line:\n${out}\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { sim, exited, out: () => out, err: () => err, url: /Simulator ready at (\S+)/.exec(out)![1] };
}

/** Runs `step`; on failure, adds the simulator's recent log to the error. */
async function withSimulatorLog(step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    const url = /Simulator ready at (\S+)/.exec(running.out())?.[1];
    const state = url
      ? ((await (await fetch(`${url}/api/state`)).json().catch(() => undefined)) as
          | { logs: { t: number; tag: string; message: string }[] }
          | undefined)
      : undefined;
    const logs =
      state?.logs.map((l) => `${new Date(l.t).toISOString().slice(11, 23)} ${l.tag} ${l.message}`).join("\n") ??
      running.err();
    throw new Error(`${(error as Error).message}\nsimulator log:\n${logs.slice(-4000)}`);
  }
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  const sim = await startSimulator();
  const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "chromium-profile-")), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
  });
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  running = { ...sim, browser, page, pageErrors };
  await withSimulatorLog(async () => {
    await page.goto(sim.url);
    await page.getByText("Device: online").waitFor({ timeout: 20_000 });
    // The device's first status event has come through: boot is over and frames flow (a press while the
    // engine still catches up with its boot can miss its snapshot, as on a busy board).
    await page.locator('[data-testid="event-item"][data-type="status"]').first().waitFor({ timeout: 20_000 });
  });
});

after(async () => {
  if (!running) return;
  await running.browser.close();
  running.sim.kill("SIGINT");
  await running.exited;
});

describe("the page in Chromium", () => {
  test("a click rings, and the ring appears in the timeline with its decoded snapshot", { timeout: 60_000 }, () =>
    withSimulatorLog(async () => {
      const { page } = running;
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
      assert.deepEqual(running.pageErrors, []);
    }),
  );

  test(
    "a visitor walking up shows as motion: the legend says so and the box is drawn over the picture",
    {
      timeout: 60_000,
    },
    () =>
      withSimulatorLog(async () => {
        const { page } = running;
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
        assert.deepEqual(running.pageErrors, []);
      }),
  );

  test("each fault button, clicked twice, works both times", { timeout: 180_000 }, () =>
    withSimulatorLog(async () => {
      const { page } = running;
      await recordChips(page);
      // Wi-Fi: the first click drops it and the device goes offline (its last will); the second restores both.
      await clickAndSee(page, "fault-wifi", ["Wi-Fi: down"]);
      await page.getByText("Device: offline").waitFor({ timeout: 20_000 });
      await clickAndSee(page, "fault-wifi", ["Wi-Fi: up"]);
      await page.getByText("Device: online").waitFor({ timeout: 30_000 });
      // The broker restarts each time: down, then up, and the button is ready again.
      for (let i = 0; i < 2; i++) await clickAndSee(page, "fault-broker", ["Broker: restarting", "Broker: up"]);
      // Each power cut turns the device off, boots it and brings it back online.
      for (let i = 0; i < 2; i++) {
        await clickAndSee(page, "fault-power", ["Power: off", "Power: on"], 40_000);
        await page.getByText("Device: online").waitFor({ timeout: 30_000 });
      }
      for (const id of ["fault-wifi", "fault-broker", "fault-power"])
        assert.equal(await page.getByTestId(id).isEnabled(), true, `${id} is enabled after its two clicks`);
      assert.deepEqual(running.pageErrors, []);
    }),
  );
});

/** Records every text the status chips show, in order, into window.chipHistory (a MutationObserver: none missed). */
async function recordChips(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    window.chipHistory = [];
    const chips = [...document.querySelectorAll('[data-testid="device-status"] .chip')];
    const shown = new Map();
    const record = () => {
      for (const chip of chips) {
        if (shown.get(chip) === chip.textContent) continue;
        shown.set(chip, chip.textContent);
        window.chipHistory.push(chip.textContent);
      }
    };
    record();
    new MutationObserver(record).observe(document.querySelector('[data-testid="device-status"]'), {
      subtree: true, childList: true, characterData: true,
    });
  })()`);
}

/**
 * Clicks the fault button `id` (waiting until it is enabled, as a user would) and waits until the chips have
 * shown `texts`, in this order, after the click.
 */
async function clickAndSee(page: Page, id: string, texts: string[], timeout = 20_000): Promise<void> {
  const from = await page.evaluate(() => (globalThis as unknown as ChipWindow).chipHistory.length);
  await page.getByTestId(id).click({ timeout });
  await page
    .waitForFunction(
      ({ from, texts }) => {
        const seen = (globalThis as unknown as ChipWindow).chipHistory.slice(from);
        let at = 0;
        for (const text of seen) if (text === texts[at]) at++;
        return at === texts.length;
      },
      { from, texts },
      { timeout },
    )
    .catch(async () => {
      const seen = await page.evaluate((n) => (globalThis as unknown as ChipWindow).chipHistory.slice(n), from);
      assert.fail(`${id}: expected the chips to show ${texts.join(" then ")}; they showed ${seen.join(", ")}`);
    });
}
