// SPDX-License-Identifier: MIT
// The simulated device's power supply: boots the firmware (inside the XS engine, or on Node for debugging)
// on the long-lived virtual hardware, and cuts the power abruptly on request. A power cut kills the engine
// at once and silences every port; the next boot starts from whatever reached storage, like the real board.
import { startFirmware } from "../modules/firmware.js";
import { toHex } from "../modules/bytes.js";
import type { Host } from "../modules/ports.js";
import { createPowerDomain, type PowerDomain } from "../hosts/node/power-domain.js";
import { startXsFirmware, type XsFirmware } from "../hosts/xs/xs-firmware.js";
import type { BootResult, VirtualFlash } from "../hosts/node/virtual-flash.js";
import { bootImage } from "./sim-boot.js";

export type Engine = "xs" | "node";
export type PowerState = "off" | "booting" | "on";

export interface DeviceRunnerOptions {
  engine: Engine;
  /** The hardware that outlives a power cut: button, camera socket, Wi-Fi link, storage, log. */
  hardware: Host;
  config: unknown;
  firmwareVersion: string;
  /** The device's provisioned X25519 secret. */
  deviceKey?: Uint8Array;
  onPower?(state: PowerState): void;
  /** The virtual two-slot flash: each boot runs the version its bootloader picks (docs/ota.md). */
  flash?: VirtualFlash;
  /** A newly installed firmware's trial before it rolls back (default 300 s). */
  updateConfirmS?: number;
  /** Each boot's slot and version, once the bootloader has picked them. */
  onBootSlot?(boot: Omit<BootResult, "image"> & { version: string }): void;
  /** A delivery that threw inside the firmware, or the engine dying. */
  onError?(error: Error): void;
}

export interface DeviceRunner {
  readonly power: PowerState;
  /** Powers the device on; resolves with its public key (hex) once the firmware has booted. */
  boot(): Promise<string>;
  /** Cuts the power abruptly, keeps it off `offMs`, then boots again from storage. */
  powerCut(offMs?: number): Promise<void>;
  /** The firmware's counters (ring, delivery...), when it is on. */
  stats(): Promise<Record<string, unknown> | undefined>;
  /** Powers off for good. */
  close(): Promise<void>;
}

interface Running {
  domain: PowerDomain;
  xs?: XsFirmware;
  node?: ReturnType<typeof startFirmware>;
}

export function createDeviceRunner(options: DeviceRunnerOptions): DeviceRunner {
  let power: PowerState = "off";
  let running: Running | undefined;
  let closed = false;
  let cycling: Promise<void> | undefined;
  const setPower = (state: PowerState) => {
    power = state;
    options.onPower?.(state);
  };

  async function cutNow(): Promise<void> {
    const r = running;
    running = undefined;
    if (!r) return;
    r.domain.cut();
    await r.xs?.kill();
    setPower("off");
  }

  async function boot(): Promise<string> {
    if (closed) throw new Error("the device runner is closed");
    setPower("booting");
    const hardware: Host = {
      ...options.hardware,
      system: {
        // The firmware asks for a restart (owner command, new config): a soft reset, off for no time.
        restart: () => setImmediate(() => void runner.powerCut(0)),
        rssiDbm: () => options.hardware.system.rssiDbm(),
      },
    };
    const slot = bootImage(options, hardware);
    const firmwareVersion = slot.version;
    const domain = createPowerDomain(slot.hardware);
    const r: Running = { domain };
    running = r;
    let devicePublic: string;
    if (options.engine === "xs") {
      r.xs = await startXsFirmware({
        host: domain.host,
        config: options.config,
        firmwareVersion,
        deviceKey: options.deviceKey,
        updateConfirmS: options.updateConfirmS,
        onError: (e) => options.onError?.(e),
      });
      devicePublic = r.xs.devicePublic;
    } else {
      r.node = startFirmware(domain.host, {
        config: options.config,
        firmwareVersion,
        deviceKey: options.deviceKey,
        updateConfirmS: options.updateConfirmS,
      });
      devicePublic = toHex(r.node.devicePublicKey);
    }
    if (running === r) setPower("on");
    return devicePublic;
  }

  const runner: DeviceRunner = {
    get power() {
      return power;
    },
    boot,
    powerCut(offMs = 1000) {
      // One cycle at a time: a second cut while the first is still off or booting joins it.
      cycling ??= (async () => {
        try {
          await cutNow();
          await new Promise((r) => setTimeout(r, offMs));
          if (!closed) await boot();
        } catch (error) {
          options.onError?.(error as Error);
        } finally {
          cycling = undefined;
        }
      })();
      return cycling;
    },
    async stats() {
      const r = running;
      if (!r || power !== "on") return undefined;
      if (r.node) return { ring: r.node.ring.stats, delivery: r.node.delivery.stats };
      const reply = await r.xs!.control("stats").catch(() => undefined);
      return reply?.fields as Record<string, unknown> | undefined;
    },
    async close() {
      closed = true;
      await cutNow();
    },
  };
  return runner;
}
