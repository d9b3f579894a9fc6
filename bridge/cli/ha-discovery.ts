// SPDX-License-Identifier: MIT
// `doorbell ha-discovery --device-config <file>`: prints the discovery messages the bridge publishes for a
// device, one JSON object per line: {"topic", "payload", "retain"}.
import { readDeviceConfig } from "../devices.js";
import { DEFAULT_DISCOVERY_PREFIX, deviceDiscovery } from "../discovery.js";
import { parseFlags, UsageError, wantsHelp } from "./args.js";

const USAGE = `usage: doorbell ha-discovery --device-config <device-config.json> [--prefix <p>] [--motion-off-delay <s>]
                             [--pictures url|mqtt] [--live-stills]
  Prints the Home Assistant discovery messages the bridge publishes for the device, one JSON object
  per line: {"topic": ..., "payload": {...}, "retain": true}. --prefix defaults to homeassistant,
  --motion-off-delay (the motion sensor's off_delay) to 30; --pictures and --live-stills as the bridge's
  ha.pictures (default url) and ha.liveStillsOverMqtt (default off).`;

export function haDiscoveryCommand(argv: string[]): number {
  if (wantsHelp(argv)) return (void console.log(USAGE), 0);
  const flags = parseFlags(
    argv,
    {
      values: ["device-config", "prefix", "motion-off-delay", "pictures"],
      booleans: ["live-stills"],
      required: ["device-config"],
    },
    USAGE,
  );
  const offDelay = flags["motion-off-delay"] === undefined ? 30 : Number(flags["motion-off-delay"]);
  if (!Number.isInteger(offDelay) || offDelay < 0)
    throw new UsageError(`--motion-off-delay ${String(flags["motion-off-delay"])}: expected a whole number of seconds`);
  const pictures = flags.pictures ?? "url";
  if (pictures !== "url" && pictures !== "mqtt")
    throw new UsageError(`--pictures ${String(pictures)}: expected url or mqtt`);
  const device = readDeviceConfig(String(flags["device-config"]));
  const message = deviceDiscovery(device, {
    prefix: (flags.prefix as string | undefined) ?? DEFAULT_DISCOVERY_PREFIX,
    motionOffDelayS: offDelay,
    pictures,
    liveStills: flags["live-stills"] === true,
  });
  console.log(JSON.stringify(message));
  return 0;
}
