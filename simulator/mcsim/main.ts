// SPDX-License-Identifier: MIT
// The composition root of the desktop build (manifest.json beside it; docs/simulator.md): the same
// device bundle and firmware as the root main.ts, on the mcsim host instead of the ESP32 host. The desktop
// has no bundle partition, so the bundle stays in the build's data (loadResourceBundle).
// mcconfig's command line gives the frames folder (frames=<absolute folder>) and, for a broker named
// by host name, a DNS server (dns=<IPv4>).
import "../../hosts/esp32/globals.js"; // first: modules/ need TextEncoder and TextDecoder while they load
import config from "mc/config";
import Timer from "timer";
import { loadResourceBundle } from "../../hosts/esp32/device-config.js";
import type PixelsOut from "commodetto/PixelsOut";
import { createMcsimHost } from "../../hosts/mcsim/host.js";
import { mcsimScreen } from "../../hosts/mcsim/skin-link.js";
import { fromHex } from "../../modules/bytes.js";
import { formatConfigErrors, parseConfig } from "../../modules/config.js";
import { startFirmware } from "../../modules/firmware.js";
import { createFrameView, type FrameView } from "./frame-view.js";

/** Prints why the doorbell cannot start, now and every minute, as the board's main does. */
function halt(reason: string): void {
  const say = () => trace(`error main: cannot start: ${reason}\n`);
  say();
  Timer.repeat(say, 60_000);
}

function start(): void {
  const frames = config.frames;
  if (typeof frames !== "string" || !frames.startsWith("/"))
    throw new Error("no frames folder: build with frames=<absolute folder of .jpg files> (docs/simulator.md)");
  const bundle = loadResourceBundle();
  const parsed = parseConfig(bundle.config);
  if (!parsed.ok) throw new Error(formatConfigErrors(parsed.errors));
  const screen = mcsimScreen();
  let view: FrameView | undefined;
  const host = createMcsimHost({
    mqtt: { host: parsed.config.mqtt.host, port: parsed.config.mqtt.port, tls: bundle.tls },
    ...(typeof config.dns === "string" ? { dnsServers: [config.dns] } : {}),
    frames: { dir: frames, framePeriodMs: parsed.config.camera.framePeriodMs },
    outboxDir: `${config.file.root}doorbell-outbox`,
    screen,
    preview: (jpeg) => view?.show(jpeg),
  });
  // The simulator's screen is also a PixelsOut (build/simulators/modules/screen.c): the skin's camera panel.
  view = createFrameView({ pixelsOut: screen as unknown as PixelsOut, log: host.log });
  startFirmware(host, {
    config: bundle.config,
    firmwareVersion: String(config.firmwareVersion ?? "0.0.0"),
    ...(bundle.deviceKeyHex ? { deviceKey: fromHex(bundle.deviceKeyHex) } : {}),
  });
}

try {
  start();
} catch (error) {
  halt(error instanceof Error ? error.message : "an unknown error");
}
