// SPDX-License-Identifier: MIT
// One boot of the simulated board: the virtual bootloader picks a slot (with ESP-IDF's rollback rule), and the
// image there decides the version the firmware reports and, for a build that cannot reach its broker, an MQTT
// port whose every connect fails.
import type { BootResult, VirtualFlash } from "../hosts/node/virtual-flash.js";
import type { Host, MqttPort } from "../modules/ports.js";
import { readSimImage } from "./sim-firmware-image.js";

/** Every connect fails on a later turn, as with a wrong broker address in the build. */
function unreachableBroker(): MqttPort {
  let attempt = 0;
  return {
    connect(options) {
      const mine = ++attempt;
      setTimeout(() => {
        if (mine === attempt) options.onDisconnect("connect ECONNREFUSED (this build's broker address is wrong)");
      }, 200);
    },
    publish(_topic, _payload, _options, onAck) {
      if (onAck) setImmediate(() => onAck("not connected"));
    },
    subscribe() {},
    connected: false,
    close() {
      attempt++;
    },
  };
}

export function bootImage(
  options: {
    flash?: VirtualFlash;
    firmwareVersion: string;
    onBootSlot?(boot: Omit<BootResult, "image"> & { version: string }): void;
  },
  hardware: Host,
): { hardware: Host; version: string } {
  if (!options.flash) return { hardware, version: options.firmwareVersion };
  const { image, ...boot } = options.flash.boot();
  const described = readSimImage(image);
  const version = described?.version ?? options.firmwareVersion;
  options.onBootSlot?.({ ...boot, version });
  return {
    version,
    hardware: {
      ...hardware,
      firmware: options.flash.port,
      ...(described?.unreachableBroker ? { mqtt: unreachableBroker() } : {}),
    },
  };
}
