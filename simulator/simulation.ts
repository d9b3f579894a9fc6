// SPDX-License-Identifier: MIT
// The whole simulated installation, headless: the broker, the device (firmware on virtual hardware) and the
// owner's side, with the faults a hardware tester injects. The page (web-server.ts) and the scenario runner
// drive it and listen on its bus; nothing here knows about either.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { toHex } from "../modules/bytes.js";
import { formatConfigErrors, parseConfig } from "../modules/config.js";
import type { Host, LogLevel } from "../modules/ports.js";
import type { Zone } from "../modules/privacy/zone.js";
import type { LiveViewRequest } from "../modules/commands.js";
import { deviceTopics } from "../modules/topics.js";
import { createCameraSwitch } from "../hosts/node/camera-switch.js";
import { createNodeClock, createNodeTimers } from "../hosts/node/clock.js";
import { createNodeCrypto } from "../hosts/node/crypto.js";
import { createFileStorage } from "../hosts/node/file-storage.js";
import { createNodeMqtt } from "../hosts/node/mqtt.js";
import { createVirtualButton } from "../hosts/node/virtual-button.js";
import { createWifiLink } from "../hosts/node/wifi-link.js";
import { createBus, type Bus } from "./bus.js";
import { createCamera, describeCamera, type CameraSpec } from "./camera-source.js";
import { createDeviceRunner, type DeviceRunner, type Engine, type PowerState } from "./device-runner.js";
import { createFrameStore } from "./frame-store.js";
import { createJournal, type Journal, trafficRecord } from "./sim-journal.js";
import {
  type ControlContext,
  faultControls,
  installUpdate,
  pollStats,
  sceneControls,
  sendZones,
} from "./sim-controls.js";
import { overlaySource } from "./motion-overlay.js";
import { startOwnerSide, type OwnerSide } from "./owner-side.js";
import type { OwnerVideo } from "../bridge/video/owner-video.js";
import type { FrameSink } from "../bridge/video/opened-frame.js";
import { loadOrCreateKeys, type SimKeys } from "./sim-keys.js";
import { openSimFlash, type SimUpdateRequest } from "./sim-updates.js";
import type { UpdateInfo } from "../bridge/update/update-folder.js";
import { type RestartableBroker, startRestartableBroker } from "./restartable-broker.js";
import { createPorchScene, type Light, type VisitorOptions } from "./scene/porch-scene.js";
import type { EventRecord, FrameRecord, LogRecord, SimEvents, SimStatus, TrafficRecord } from "./sim-records.js";

export const FIRMWARE_VERSION = "0.1.0-sim";
export const DEVICE_ID = "frontdoor";
const DEVICE_NAME = "Front door (simulated)";
const TOPIC_ROOT = "doorbell";

export interface SimulationOptions {
  engine: Engine;
  /** Address the broker listens on (loopback by default). */
  host: string;
  mqttPort: number;
  /** A busy `mqttPort` falls back to a free one. */
  fallbackWhenBusy: boolean;
  /** Device storage, the owner's and the simulation's keys live under it. */
  dataDir: string;
  camera: CameraSpec;
  /** The camera's frame period (default 200 ms, 5 fps); the device's camera.framePeriodMs follows. */
  framePeriodMs?: number;
  /** The porch scene's frame size (default 640x480); the device's camera.width and camera.height follow. */
  frameSize?: { width: number; height: number };
  /** Settings over the simulator's device config (same schema as docs/config.md). */
  deviceConfig?: Record<string, unknown>;
  /** Contact bounce of a press from the page or a scenario, unless told otherwise (default 8 ms). */
  bounceMs?: number;
  /** Also gets every frame and stream summary the owner's stream opener authenticates (the video bench's sink). */
  frameSink?: FrameSink;
  /** A newly installed firmware's trial before it rolls back (default 300 s; scenarios shorten it). */
  updateConfirmS?: number;
}

export interface Simulation {
  readonly bus: Bus<SimEvents>;
  readonly brokerUrl: string;
  readonly mqttPort: number;
  status(): SimStatus;
  /** Recent records, oldest first, for a page that connects late. */
  history(): { events: EventRecord[]; traffic: TrafficRecord[]; logs: LogRecord[] };
  /** Closes (1) or opens (0) the button contact, with the default bounce unless `bounceMs` is given. */
  button(level: 0 | 1, bounceMs?: number): void;
  setWifi(up: boolean): void;
  restartBroker(downMs?: number): Promise<void>;
  powerCut(offMs?: number): Promise<void>;
  /** Swaps the camera source; throws a clear error when it cannot be opened. */
  useCamera(spec: CameraSpec): void;
  sendVisitor(options?: VisitorOptions): void;
  setLight(light: Light): void;
  setLamp(on: boolean): void;
  /**
   * Sends new privacy zones to the device as the owner would: a signed set-config command with the device's
   * config and these zones; the device validates, persists and restarts on it. Throws when they are refused.
   */
  setZones(zones: Zone[]): Promise<void>;
  /** Starts, renews or stops the device's live view as the owner would: a signed live-view command. */
  liveView(live: LiveViewRequest): Promise<void>;
  frame(n: number): Uint8Array | undefined;
  snapshot(id: string): Uint8Array | undefined;
  /** Sequence numbers of the sealed events the broker carried, and of those the owner opened. */
  seqs(): { broker: number[]; opened: number[] };
  /** Adds a line to the log as the simulator (faults, steps). */
  note(message: string, level?: LogLevel): void;
  /** The owner's video (the bridge's live view and clips); undefined before the owner's side is up. */
  ownerVideo(): OwnerVideo | undefined;
  /** Packs an update as `doorbell update pack` does and has the bridge publish it (docs/ota.md). */
  installUpdate(request: SimUpdateRequest): UpdateInfo;
  close(): Promise<void>;
}

export async function startSimulation(options: SimulationOptions): Promise<Simulation> {
  const bus = createBus<SimEvents>();
  const bounceMs = options.bounceMs ?? 8;
  const topics = deviceTopics(TOPIC_ROOT, DEVICE_ID);
  const journal = createJournal(bus);
  const status = initialStatus(options);
  const changed = () => bus.emit("status", { ...status });
  const note = (message: string, level: LogLevel = "info") => journal.log("simulator", level, "sim", message);
  const ctx: ControlContext = { status, changed, note };

  const broker = await startRestartableBroker({
    port: options.mqttPort,
    host: options.host,
    fallbackWhenBusy: options.fallbackWhenBusy,
    dataDir: options.dataDir,
    onState: (up) => {
      status.broker = up;
      if (!up) status.deviceOnline = false;
      changed();
    },
    onPublish: (m) => {
      const record = journal.traffic(trafficRecord(m, topics));
      if (record.kind !== "status") return;
      status.deviceOnline = record.text === "online";
      changed();
    },
  });
  status.brokerUrl = broker.url;

  // The owner's and the device's keys, as provisioning would make them (kept in the data directory).
  const crypto = createNodeCrypto();
  const keys = loadOrCreateKeys(join(options.dataDir, "keys"), crypto);
  let parts: Hardware;
  try {
    parts = buildHardware(options, { bus, journal, note, crypto, broker, keys });
  } catch (error) {
    await broker.close();
    throw error;
  }
  const { hardware } = parts;
  status.motionDetector = overlaySource(parts.motionEnabled);
  status.zones = parts.zones;
  status.light = parts.scene.light;

  const device = createDevice(options, parts, keys, ctx);

  let owner: OwnerSide | undefined;
  try {
    owner = await startOwner(options, broker, crypto, keys, journal, ctx);
    status.ownerSide = owner.name;
    await device.boot();
  } catch (error) {
    await owner?.close().catch(() => undefined);
    await device.close().catch(() => undefined);
    await broker.close();
    throw error;
  }

  const statsTimer = setInterval(() => pollStats(device, ctx), 2000);

  let closed = false;
  return {
    bus,
    brokerUrl: broker.url,
    mqttPort: broker.port,
    status: () => ({ ...status }),
    history: journal.history,
    button(level, bounce = bounceMs) {
      hardware.button.set(level, bounce);
    },
    ...faultControls(ctx, parts.wifi, broker, device),
    ...sceneControls(ctx, parts),
    setZones: (zones) => sendZones(ctx, parts, owner!, zones),
    liveView: (live) => owner!.sendLiveView(live),
    frame: (n) => parts.frames.get(n),
    snapshot: (id) => journal.snapshots.get(id),
    seqs: journal.seqs,
    note,
    ownerVideo: () => owner?.video,
    installUpdate: (request) => installUpdate(ctx, owner!, { crypto, keys, config: parts.config }, request),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(statsTimer);
      parts.scene.close();
      await device.close().catch(() => undefined);
      parts.wifi.close();
      await owner?.close().catch(() => undefined);
      await broker.close();
    },
  };
}

interface HardwareContext {
  bus: Bus<SimEvents>;
  journal: Journal;
  note(message: string, level?: LogLevel): void;
  crypto: Host["crypto"];
  broker: Pick<RestartableBroker, "url" | "port" | "credentials">;
  keys: SimKeys;
}

export type Hardware = ReturnType<typeof buildHardware>;

/** The virtual hardware, which outlives every power cut, and the device's config; throws when the config is refused. */
function buildHardware(options: SimulationOptions, c: HardwareContext) {
  const framePeriodMs = options.framePeriodMs ?? 200;
  const bounceMs = options.bounceMs ?? 8;
  const clock = createNodeClock();
  const config = simulatedDeviceConfig(options, c.broker.port, framePeriodMs, c.keys);
  const parsed = parseConfig(config);
  if (!parsed.ok) throw new Error(`the simulated device's config is refused:\n${formatConfigErrors(parsed.errors)}`);
  const motionEnabled = parsed.config.motion.enabled;
  const frames = createFrameStore({ onFrame: (record: FrameRecord) => c.bus.emit("frame", record) });
  const button = createVirtualButton(clock);
  const scene = createPorchScene({ onBell: (level) => button.set(level, bounceMs) });
  const buildCamera = (spec: CameraSpec) =>
    createCamera(spec, {
      clock,
      framePeriodMs,
      ...(options.frameSize ?? {}),
      scene,
      onError: (message) => c.note(message, "error"),
    });
  const cameraSocket = createCameraSwitch({
    initial: buildCamera(options.camera),
    onTap: (frame) => frames.add(frame.jpeg, frame.capturedAtMs),
  });
  const wifi = createWifiLink({ inner: createNodeMqtt({ url: c.broker.url, client: c.broker.credentials }) });
  mkdirSync(options.dataDir, { recursive: true });
  const hardware = {
    clock,
    timers: createNodeTimers(),
    button,
    chime: {
      write: (level: 0 | 1) => {
        if (level) c.bus.emit("chime", { t: Date.now() });
      },
    },
    camera: cameraSocket,
    storage: createFileStorage(join(options.dataDir, DEVICE_ID)),
    mqtt: wifi,
    crypto: c.crypto,
    log: { write: (level: LogLevel, tag: string, message: string) => c.journal.log("firmware", level, tag, message) },
    system: { restart() {}, rssiDbm: () => (wifi.up ? -58 : undefined) },
    // The firmware's own verdict on each frame, for the page's overlay (frame-store.ts pairs them up).
    motionView: { verdict: (v) => frames.verdict(v) },
  } satisfies Host;
  const zones = parsed.config.privacy.zones;
  return { hardware, config, zones, clock, motionEnabled, frames, scene, buildCamera, cameraSocket, wifi };
}

/** The firmware on the virtual hardware, on the chosen engine; its power state shows in `status`. */
function createDevice(
  { engine, updateConfirmS, dataDir }: Pick<SimulationOptions, "engine" | "updateConfirmS" | "dataDir">,
  parts: Hardware,
  keys: SimKeys,
  { status, changed, note }: ControlContext,
): DeviceRunner {
  // The two-slot flash the board boots from; a rollback restarts the board into the previous slot.
  const flash = openSimFlash(dataDir, FIRMWARE_VERSION, (reason) => {
    note(`bootloader: ${reason}; restarting into the previous slot`, "warn");
    void runner.powerCut(0);
  });
  const runner = createDeviceRunner({
    engine,
    hardware: parts.hardware,
    config: parts.config,
    firmwareVersion: FIRMWARE_VERSION,
    deviceKey: keys.deviceSecret,
    flash,
    updateConfirmS,
    onBootSlot: (boot) => {
      if (boot.rolledBackFrom)
        note(`bootloader: slot ${boot.rolledBackFrom} was not confirmed; booting slot ${boot.slot}`, "warn");
      status.firmwareVersion = boot.version;
      status.firmwareSlot = boot.slot;
    },
    onPower: (power: PowerState) => {
      status.power = power;
      if (power === "on") status.bootedAt = Date.now();
      if (power !== "on") status.stats = undefined;
      parts.frames.expectVerdicts(power === "on" && parts.motionEnabled);
      if (power === "off") parts.frames.clear();
      changed();
    },
    onError: (error) => note(`firmware: ${error.message}`, "error"),
  });
  return runner;
}

/** The owner's side (the bridge's receiver), opening the device's events into the journal. */
function startOwner(
  { dataDir, frameSink }: Pick<SimulationOptions, "dataDir" | "frameSink">,
  broker: Pick<RestartableBroker, "url" | "credentials">,
  crypto: Host["crypto"],
  keys: SimKeys,
  journal: Journal,
  { status, changed }: ControlContext,
) {
  return startOwnerSide({
    onUpdateProgress: (p) => {
      status.update = p as SimStatus["update"];
      changed();
    },
    url: broker.url,
    credentials: broker.credentials,
    crypto,
    ownerSecret: keys.ownerSecret,
    signCommand: keys.signCommand,
    deviceId: DEVICE_ID,
    deviceName: DEVICE_NAME,
    devicePublic: keys.devicePublic,
    topicRoot: TOPIC_ROOT,
    dataDir: join(dataDir, "bridge"),
    log: { write: (level, tag, message) => journal.log("owner", level, tag, message) },
    onEvent: (e) => journal.event(e),
    frameSink: {
      frame: (opened) => {
        const { jpeg, deviceId: _d, openedAtMs: _o, ...f } = opened;
        journal.video({ t: Date.now(), record: "frame", ...f, jpegBytes: jpeg.length });
        frameSink?.frame(opened);
      },
      streamEnded: (ended) => {
        const { deviceId: _d, ...s } = ended;
        journal.video({ t: Date.now(), record: "ended", ...s });
        frameSink?.streamEnded(ended);
      },
    },
  });
}

function initialStatus(options: SimulationOptions): SimStatus {
  return {
    engine: options.engine,
    deviceId: DEVICE_ID,
    firmwareVersion: FIRMWARE_VERSION,
    power: "off",
    wifi: true,
    broker: true,
    deviceOnline: false,
    camera: describeCamera(options.camera),
    light: "day",
    lamp: false,
    ownerSide: "",
    brokerUrl: "",
    motionDetector: "",
    zones: [],
    bootedAt: undefined,
    stats: undefined,
  };
}

/** The simulated device's config: the simulator's broker and keys, under the caller's settings. */
function simulatedDeviceConfig(
  options: SimulationOptions,
  port: number,
  framePeriodMs: number,
  keys: Pick<SimKeys, "ownerPublic" | "ownerSigningPublic">,
) {
  return {
    deviceId: DEVICE_ID,
    deviceName: DEVICE_NAME,
    mqtt: { host: "127.0.0.1", port, topicRoot: TOPIC_ROOT },
    camera: { framePeriodMs, ...(options.frameSize ?? {}) },
    ...options.deviceConfig,
    keys: { ownerPublic: toHex(keys.ownerPublic), ownerSigningPublic: toHex(keys.ownerSigningPublic) },
  };
}
