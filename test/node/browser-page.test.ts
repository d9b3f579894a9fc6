// SPDX-License-Identifier: MIT
// The page in a real browser: Debian's Chromium driven by playwright-core. A click on the ring button must
// show, within a few seconds, an event of type ring in the timeline with the snapshot the bridge opened,
// decoded; the R key rings too; the broker panel shows ciphertext; a visitor shows as motion, with the box drawn
// over the camera; a privacy zone dragged on the camera blanks the next snapshot there, and a click removes it.
// Each fault button, clicked twice, works both times (the status chips show each effect). A
// screenshot is saved as an artifact (build/artifacts/simulator-page.png).
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import jpegJs from "jpeg-js";
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

  const zoneTest = "a zone dragged on the camera reaches the device, and the next ring's snapshot is flat inside it";
  test(zoneTest, { timeout: 90_000 }, () => withSimulatorLog(drawZoneRingAndRemove));

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

describe("the page in Chromium: the owner's live view", () => {
  test(
    "Watch live view opens the owner's bridge's MJPEG endpoint (one viewer); Stop leaves it",
    { timeout: 60_000 },
    () =>
      withSimulatorLog(async () => {
        const { page } = running;
        const figures = page.getByTestId("owner-live-figures");
        await page.getByTestId("owner-live-toggle").click();
        assert.equal(
          await page.getByTestId("owner-live").getAttribute("src"),
          "/owner/live/frontdoor.mjpeg",
          "the bridge's endpoint, not the raw camera",
        );
        // The bridge's own figures, polled by the page: the page's stream is the one viewer.
        await page.getByText(/1 viewer\(s\)/).waitFor({ timeout: 10_000 });
        await page.getByTestId("owner-live-toggle").click();
        assert.equal(await figures.innerText(), "Not watching.");
        const url = /Simulator ready at (\S+)/.exec(running.out())![1];
        const stats = async () =>
          (await (await fetch(`${url}/owner/live/frontdoor.json`)).json()) as { viewers: number };
        for (let i = 0; i < 100 && (await stats()).viewers !== 0; i++) await page.waitForTimeout(100);
        assert.equal((await stats()).viewers, 0, "closing the picture closed the stream");
        assert.deepEqual(running.pageErrors, []);
      }),
  );
});

describe("the page in Chromium: a firmware update (docs/ota.md)", () => {
  test(
    "an image file and a version installed from the page: the device runs it from slot b",
    { timeout: 150_000 },
    () =>
      withSimulatorLog(async () => {
        const { page } = running;
        const image = Buffer.alloc(20_000, 7);
        await page
          .getByTestId("update-file")
          .setInputFiles({ name: "doorbell.bin", mimeType: "application/octet-stream", buffer: image });
        await page.getByTestId("update-version").fill("0.2.0");
        await page.getByTestId("update-install").click();
        await page.getByTestId("update-slot").getByText("0.2.0 in slot b").waitFor({ timeout: 120_000 });
        await page.getByText("Device: online").waitFor({ timeout: 30_000 });
        assert.deepEqual(running.pageErrors, []);
      }),
  );
});

/** Drags a zone on the camera, rings, decodes the opened snapshot (jpeg-js) and checks the zone is flat; removes it. */
async function drawZoneRingAndRemove(): Promise<void> {
  const { page } = running;
  await recordChips(page);
  const from = await page.evaluate(() => (globalThis as unknown as ChipWindow).chipHistory.length);
  // Drag from image pixel (48, 48) to (208, 168) on the canvas, shown scaled.
  const zone = { x: 48, y: 48, width: 160, height: 120 };
  const box = (await page.getByTestId("camera-canvas").boundingBox())!;
  const at = (x: number, y: number) => [box.x + (x * box.width) / 640, box.y + (y * box.height) / 480] as const;
  await page.mouse.move(...at(zone.x, zone.y));
  await page.mouse.down();
  await page.mouse.move(...at(zone.x + 80, zone.y + 60), { steps: 4 });
  await page.mouse.move(...at(zone.x + zone.width, zone.y + zone.height), { steps: 4 });
  await page.mouse.up();
  await page.getByText("1 privacy zone", { exact: true }).waitFor({ timeout: 10_000 });
  // The signed set-config restarts the device on the new config.
  await page.waitForFunction(
    (n) => (globalThis as unknown as ChipWindow).chipHistory.slice(n).includes("Power: on"),
    from,
    { timeout: 30_000 },
  );
  await page.getByText("Device: online").waitFor({ timeout: 30_000 });
  const state = (await page.evaluate(() => fetch("/api/state").then((r) => r.json()))) as {
    status: { zones: unknown };
  };
  assert.deepEqual(state.status.zones, [zone], "the zone is in image pixels, as dragged");

  const rings = page.locator('[data-testid="event-item"][data-type="ring"]');
  const before = await rings.count();
  await page.waitForTimeout(1000);
  await page.getByTestId("ring-button").click();
  await rings.nth(before).waitFor({ timeout: 15_000 });
  const src = await page
    .locator('[data-testid="event-item"][data-type="ring"]')
    .first()
    .getByTestId("snapshot-img")
    .getAttribute("src");
  const jpeg = await page.evaluate(async (u) => Array.from(new Uint8Array(await (await fetch(u!)).arrayBuffer())), src);
  const image = jpegJs.decode(Uint8Array.from(jpeg), { useTArray: true });
  assert.equal(image.width, 640);
  const { min, max } = valueRange(image, zone);
  assert.ok(max - min <= 2 && Math.abs(min - 128) <= 3, `inside the zone the snapshot is flat grey (${min}..${max})`);

  // A click on the zone removes it.
  await page.mouse.click(...at(zone.x + 20, zone.y + 20));
  await page.getByText("0 privacy zones", { exact: true }).waitFor({ timeout: 10_000 });
  await page.getByText("Device: online").waitFor({ timeout: 30_000 });
  assert.deepEqual(running.pageErrors, []);
}

/** The smallest and largest R, G or B value inside `zone` of a decoded RGBA image. */
function valueRange(
  image: { width: number; data: Uint8Array },
  zone: { x: number; y: number; width: number; height: number },
): { min: number; max: number } {
  let min = 255;
  let max = 0;
  for (let y = zone.y; y < zone.y + zone.height; y++)
    for (let x = zone.x; x < zone.x + zone.width; x++)
      for (let c = 0; c < 3; c++) {
        const v = image.data[(y * image.width + x) * 4 + c];
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
  return { min, max };
}

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
