// SPDX-License-Identifier: MIT
// What a hardware tester can do to a running simulation (simulation.ts): inject faults (Wi-Fi, broker, power),
// change what the camera sees, send privacy zones and install an update; each says what it did in the log.
import { formatConfigErrors, parseConfig } from "../modules/config.js";
import type { Host, LogLevel } from "../modules/ports.js";
import type { Zone } from "../modules/privacy/zone.js";
import type { UpdateInfo } from "../bridge/update/update-folder.js";
import { describeCamera } from "./camera-source.js";
import type { DeviceRunner } from "./device-runner.js";
import type { OwnerSide } from "./owner-side.js";
import type { RestartableBroker } from "./restartable-broker.js";
import type { SimKeys } from "./sim-keys.js";
import type { SimStatus } from "./sim-records.js";
import { packSimUpdate, type SimUpdateRequest } from "./sim-updates.js";
import type { Hardware, Simulation } from "./simulation.js";

/** Copies the running firmware's counters into `status` for the page. */
export function pollStats(device: DeviceRunner, { status, changed }: ControlContext): void {
  void device.stats().then((stats) => {
    if (!stats || status.power !== "on") return;
    status.stats = stats;
    changed();
  });
}

export interface ControlContext {
  status: SimStatus;
  changed(): void;
  note(message: string, level?: LogLevel): void;
}

/** The faults a hardware tester injects: Wi-Fi loss, a broker restart, a power cut. */
export function faultControls(
  { status, changed, note }: ControlContext,
  wifi: Hardware["wifi"],
  broker: RestartableBroker,
  device: DeviceRunner,
): Pick<Simulation, "setWifi" | "restartBroker" | "powerCut"> {
  return {
    setWifi(up) {
      if (wifi.up === up) return;
      note(up ? "fault: Wi-Fi restored" : "fault: Wi-Fi dropped", "warn");
      wifi.setUp(up);
      status.wifi = up;
      if (!up) status.deviceOnline = false;
      changed();
    },
    async restartBroker(downMs = 1000) {
      note(`fault: broker restarting (down for ${downMs} ms)`, "warn");
      await broker.restart(downMs);
      note("broker is back");
    },
    async powerCut(offMs = 1000) {
      note(`fault: power cut (off for ${offMs} ms)`, "warn");
      await device.powerCut(offMs);
    },
  };
}

/** What the camera sees: its source, a visitor, the daylight and the porch lamp. */
export function sceneControls(
  { status, changed, note }: ControlContext,
  { scene, cameraSocket, buildCamera, clock }: Hardware,
): Pick<Simulation, "useCamera" | "sendVisitor" | "setLight" | "setLamp"> {
  return {
    useCamera(spec) {
      cameraSocket.use(buildCamera(spec));
      status.camera = describeCamera(spec);
      status.light = scene.light;
      note(`camera: ${status.camera}`);
      changed();
    },
    sendVisitor(o) {
      scene.sendVisitor(clock.monotonicMs(), o);
      note(`scene: a visitor walks up${o?.ring === false ? "" : " and rings"}`);
    },
    setLight(light) {
      scene.light = light;
      status.light = light;
      note(`scene: ${light} light`);
      changed();
    },
    setLamp(on) {
      scene.lamp = on;
      status.lamp = on;
      note(`scene: porch lamp ${on ? "on" : "off"}`);
      changed();
    },
  };
}

/** New zones for the device, through the owner's side; the next change builds on this one. */
export async function sendZones(
  { status, changed, note }: ControlContext,
  parts: Hardware,
  owner: OwnerSide,
  zones: Zone[],
) {
  const config: Record<string, unknown> = parts.config;
  const privacy = { ...(config.privacy as Record<string, unknown> | undefined), zones };
  const next = { ...config, privacy };
  const parsed = parseConfig(next);
  if (!parsed.ok) throw new Error(formatConfigErrors(parsed.errors));
  await owner.sendConfig(next);
  config.privacy = privacy;
  status.zones = parsed.config.privacy.zones;
  note(`privacy: ${zones.length} zone(s) sent to the device in a signed set-config command; it restarts on them`);
  changed();
}

let updatesPacked = 0;

/** Packs an update into the owner's updates folder and has the bridge publish it at once. */
export function installUpdate(
  { note }: ControlContext,
  owner: OwnerSide,
  o: { crypto: Host["crypto"]; keys: SimKeys; config: unknown },
  request: SimUpdateRequest,
): UpdateInfo {
  const name = `update-${Date.now()}-${++updatesPacked}`;
  const info = packSimUpdate({ updatesDir: owner.updatesDir, ...o, deviceConfig: o.config, request, name });
  note(
    `update ${info.version} packed (${info.size} bytes, ${info.chunks} chunks${request.corrupt ? ", one chunk damaged" : ""}` +
      `${request.unreachableBroker ? ", a build that cannot reach the broker" : ""}); the bridge publishes it`,
  );
  owner.updates.scan();
  return info;
}
