// SPDX-License-Identifier: MIT
// `npm start`: the doorbell on virtual hardware, on embedded defaults. An in-process broker on loopback,
// the firmware inside the XS engine (or Node with --engine node), a synthetic camera, a simulated press
// every few seconds, and the owner's side opening and printing each sealed event. Ctrl-C stops it all.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toHex } from "../modules/bytes.js";
import { startFirmware } from "../modules/firmware.js";
import { createNodeCrypto } from "../hosts/node/crypto.js";
import { consoleLog, createNodeHost } from "../hosts/node/host.js";
import { createSyntheticCamera } from "../hosts/node/synthetic-camera.js";
import { startXsFirmware } from "../hosts/xs/xs-firmware.js";
import { parseArgs } from "./args.js";
import { startConsoleReceiver } from "./console-receiver.js";
import { startEmbeddedBroker } from "./embedded-broker.js";

const FIRMWARE_VERSION = "0.1.0-sim";
const DEVICE_ID = "frontdoor";

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dataDir = args.dataDir ?? mkdtempSync(join(tmpdir(), "doorbell-sim-"));
  const broker = await startEmbeddedBroker({ port: args.mqttPort, host: args.host, fallbackWhenBusy: args.mqttPort !== 0 });
  const url = `mqtt://${broker.host}:${broker.port}`;

  // The owner's key pair lives only in this process: the simulator plays the owner too.
  const crypto = createNodeCrypto();
  const ownerSecret = crypto.randomBytes(32);
  const config = { deviceId: DEVICE_ID, deviceName: "Front door (simulated)", mqtt: { host: broker.host, port: broker.port }, keys: { ownerPublic: toHex(crypto.x25519(ownerSecret)) } };

  const host = createNodeHost({
    storageDir: join(dataDir, DEVICE_ID),
    mqtt: { url },
    camera: (clock) => createSyntheticCamera({ clock, framePeriodMs: 200 }),
    log: consoleLog("fw "),
    chime: { write: (level) => level && console.log("🔔 chime") },
  });

  let devicePublic: string;
  let stopFirmware: () => Promise<void>;
  if (args.engine === "xs") {
    const fw = await startXsFirmware({ host, config, firmwareVersion: FIRMWARE_VERSION });
    devicePublic = fw.devicePublic;
    stopFirmware = () => fw.close();
  } else {
    const fw = startFirmware(host, { config, firmwareVersion: FIRMWARE_VERSION });
    devicePublic = toHex(fw.devicePublicKey);
    stopFirmware = async () => fw.close();
  }

  const receiver = await startConsoleReceiver({
    url, crypto, ownerSecret, devices: new Map([[DEVICE_ID, devicePublic]]), topicRoot: "doorbell",
    onEvent: (e) => {
      const h = e.header;
      const snap = e.jpegBytes ? `, snapshot ${e.jpegBytes.toLocaleString("en")} bytes (frame ${String(h.frameAgeMs)} ms before the event)` : "";
      console.log(`owner: opened ${String(h.type)} id=${String(h.id)} seq=${String(h.seq)}${snap}; the broker saw ${e.sealedBytes.toLocaleString("en")} bytes of ciphertext`);
    },
    onReject: (topic, reason) => console.log(`owner: refused a message on ${topic}: ${reason}`),
  });

  let presser: ReturnType<typeof setInterval> | undefined;
  if (args.pressEveryS > 0) {
    presser = setInterval(() => {
      console.log("👆 simulated press (with 8 ms of contact bounce)");
      host.button.set(1, 8);
      setTimeout(() => host.button.set(0, 8), 180);
    }, args.pressEveryS * 1000);
  }

  console.log(`Doorbell simulator (console mode) running: firmware on ${args.engine === "xs" ? "the XS engine" : "Node"}, broker ${url}, storage ${dataDir}`);
  console.log(`A press every ${args.pressEveryS} s; events are sealed on the device and opened here with the owner's key. Ctrl-C stops.`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log("stopping…");
    if (presser) clearInterval(presser);
    const force = setTimeout(() => process.exit(1), 5000);
    await stopFirmware().catch(() => undefined);
    await receiver.close().catch(() => undefined);
    await broker.close();
    if (!args.dataDir) rmSync(dataDir, { recursive: true, force: true });
    clearTimeout(force);
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: Error) => {
  console.error(`doorbell simulator: ${error.message}`);
  process.exit(1);
});
