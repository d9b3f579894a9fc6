// SPDX-License-Identifier: MIT
// The device's composition root: the ESP32 host and the firmware, configured from the device bundle in its own
// flash partition (device-config.json + DER files, see docs/build-and-flash.md; an old image's bundle is moved
// there on its first boot) and mcconfig's Wi-Fi settings.
import "./hosts/esp32/globals.js"; // first: modules/ need TextEncoder and TextDecoder while they load
import config from "mc/config";
import Timer from "timer";
import { checkFlashLayout } from "./hosts/esp32/flash-layout.js";
import { createEsp32Host } from "./hosts/esp32/host.js";
import { loadDeviceBundle } from "./hosts/esp32/load-bundle.js";
import { fromHex } from "./modules/bytes.js";
import { formatConfigErrors, parseConfig } from "./modules/config.js";
import { startFirmware } from "./modules/firmware.js";

/** Prints why the doorbell cannot start, now and every minute, instead of crashing into a boot loop. */
function halt(reason: string): void {
  const say = () => trace(`error main: cannot start: ${reason}\n`);
  say();
  Timer.repeat(say, 60_000);
}

function start(): void {
  const bundle = loadDeviceBundle();
  const parsed = parseConfig(bundle.config);
  if (!parsed.ok) throw new Error(formatConfigErrors(parsed.errors));
  const layout = checkFlashLayout(parsed.config);
  if (layout.errors.length) throw new Error(layout.errors.join("; "));
  const host = createEsp32Host({
    mqtt: { host: parsed.config.mqtt.host, port: parsed.config.mqtt.port, tls: bundle.tls },
    wifi: { ssid: config.ssid, password: config.password, sntpHost: config.sntp },
    camera: { width: parsed.config.camera.width, height: parsed.config.camera.height },
  });
  for (const note of bundle.notes) host.log.write(note.level, "bundle", note.message);
  for (const warning of layout.warnings) host.log.write("warn", "config", warning);
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
