// SPDX-License-Identifier: MIT
// Remakes docs/simulator.png, the README's picture: the simulator (`npm start`) with a privacy zone over the
// neighbour's house, a visitor, a ring and its redacted snapshot, in Debian's Chromium (playwright-core).
// Usage: npx tsx scripts/screenshot.ts [--out docs/simulator.png]. Every wait is bounded.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { repoPath } from "../hosts/xs/bundle.js";

const out = process.argv.includes("--out") ? process.argv[process.argv.indexOf("--out") + 1] : "docs/simulator.png";
const work = mkdtempSync(join(tmpdir(), "doorbell-shot-"));
// The house across the street in the porch scene (simulator/scene/porch-scene.ts), in 640x480 frame pixels.
const zones = join(work, "zones.json");
writeFileSync(zones, JSON.stringify([{ x: 48, y: 48, width: 208, height: 112 }]));

const sim = spawn(
  process.execPath,
  ["--import", "tsx", repoPath("simulator/start.ts"), "--http-port", "0", "--mqtt-port", "0"].concat([
    "--visitor-every",
    "0",
    "--data-dir",
    join(work, "data"),
    "--zones",
    zones,
  ]),
  { cwd: repoPath(""), stdio: ["ignore", "pipe", "inherit"] },
);
let log = "";
sim.stdout.on("data", (d: Buffer) => (log += d.toString()));
try {
  const url = await bounded(60_000, "the simulator's ready line", () => /Simulator ready at (\S+)/.exec(log)?.[1]);
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(url);
  await page.locator('[data-testid="event-item"][data-type="status"]').first().waitFor({ timeout: 30_000 });
  await page.getByRole("button", { name: "Send a visitor" }).click();
  await page.locator('[data-testid="event-item"][data-type="ring"]').first().waitFor({ timeout: 30_000 });
  await page.locator('[data-testid="event-item"][data-type="snapshot"]').first().waitFor({ timeout: 30_000 });
  await page.waitForTimeout(1500); // let the last snapshot's thumbnail paint
  await page.screenshot({ path: out });
  await browser.close();
  console.log(`wrote ${out}`);
} finally {
  sim.kill("SIGINT");
}

async function bounded<T>(ms: number, what: string, probe: () => T | undefined): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() - start > ms) throw new Error(`no ${what} within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
