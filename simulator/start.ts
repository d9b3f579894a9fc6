// SPDX-License-Identifier: MIT
// `npm start`: the doorbell on virtual hardware, on loopback. An in-process broker, the firmware inside the
// XS engine (or Node with --engine node), the owner's side, and the page. Prints one line, the page's
// address, on stdout; the firmware's logs are on the page (and on stderr with --verbose). Ctrl-C stops it all.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_HTTP_PORT, DEFAULT_MQTT_PORT, parseArgs } from "./args.js";
import { brokerCredentialsPath, isLoopbackHost } from "./broker-credentials.js";
import { startSimulation } from "./simulation.js";
import { startWebServer } from "./web-server.js";

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dataDir = args.dataDir ?? mkdtempSync(join(tmpdir(), "doorbell-sim-"));
  let stopping = false;
  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(code || 1), 5000);
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
    if (!args.dataDir) rmSync(dataDir, { recursive: true, force: true });
    clearTimeout(force);
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));

  const sim = await startSimulation({
    engine: args.engine,
    host: args.host,
    mqttPort: args.mqttPort,
    fallbackWhenBusy: args.mqttPort === DEFAULT_MQTT_PORT,
    dataDir,
    camera: args.camera,
    framePeriodMs: Math.round(1000 / args.fps),
    frameSize: { width: args.frameWidth, height: args.frameHeight },
    deviceConfig: args.zones ? { privacy: { zones: args.zones } } : undefined,
  });
  cleanups.push(() => sim.close());
  sim.bus.on("log", (r) => {
    if (args.verbose || r.level === "error") {
      process.stderr.write(
        `${new Date(r.t).toISOString().slice(11, 23)} ${r.source.padEnd(9)} ${r.level.padEnd(5)} ${r.tag.padEnd(7)} ${r.message}\n`,
      );
    }
  });
  const web = await startWebServer({
    sim,
    host: args.host,
    port: args.httpPort,
    fallbackWhenBusy: args.httpPort === DEFAULT_HTTP_PORT,
    allowHosts: args.allowHosts,
  });
  cleanups.push(() => web.close());

  if (args.visitorEveryS > 0 && sim.status().camera.startsWith("porch")) {
    const first = setTimeout(() => sim.sendVisitor(), 8000);
    const every = setInterval(
      () => sim.status().camera.startsWith("porch") && sim.sendVisitor(),
      args.visitorEveryS * 1000,
    );
    cleanups.push(() => {
      clearTimeout(first);
      clearInterval(every);
    });
  }
  if (stopping) return;
  console.log(`Simulator ready at ${web.url}`);
  // The path only: the password stays in the file (mode 0600).
  if (existsSync(brokerCredentialsPath(dataDir)) && !isLoopbackHost(args.host))
    console.error(`Broker ${sim.brokerUrl} requires the user name and password in ${brokerCredentialsPath(dataDir)}`);
}

main().catch((error: Error) => {
  console.error(`doorbell simulator: ${error.message}`);
  process.exit(1);
});
