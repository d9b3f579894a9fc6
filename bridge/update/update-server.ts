// SPDX-License-Identifier: MIT
// The bridge's side of owner updates (docs/ota.md): watches the updates folder for packed updates, offers each
// device its newest one in Home Assistant's `update` entity, publishes its sealed manifest (retained) when the
// owner installs it, and answers the device's requests with chunks, one at a time, from where the device is.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { IPublishPacket, MqttClient } from "mqtt";
import { fromUtf8, readUintBE } from "../../modules/bytes.js";
import { OFFSET } from "../../modules/envelope/layout.js";
import type { Logger } from "../../modules/logger.js";
import { deviceTopics } from "../../modules/topics.js";
import { compareFirmwareVersions } from "../../modules/update/firmware-version.js";
import { haTopics } from "../ha-topics.js";
import { listUpdateFolders, openUpdateFolder, type UpdateFolder } from "./update-folder.js";

/** A progress message is a small JSON object; anything longer is ignored. */
const MAX_PROGRESS_BYTES = 512;

/** The firmware version in an opened status event's header (`stats.fw`, modules/status-report.ts), if any. */
export function statusFirmware(header: Record<string, unknown>): string | undefined {
  const stats = header.stats as Record<string, unknown> | undefined;
  return header.type === "status" && typeof stats?.fw === "string" ? stats.fw : undefined;
}

export interface UpdateServerOptions {
  client: MqttClient;
  devices: readonly { id: string; topicRoot: string }[];
  /** The updates folder: one sub-folder per `doorbell update pack --out`. */
  dir: string;
  log: Logger;
  /** How often the folder is scanned for new updates (default 5 s); 0: only on `scan()`. */
  scanMs?: number;
  /** Sees each progress message of a device, parsed (the simulator's page). */
  onProgress?(deviceId: string, progress: Record<string, unknown>): void;
}

export interface UpdateServer {
  /** Publishes the newest update offered to `deviceId`; false when none is offered. */
  install(deviceId: string): boolean;
  /** The version a device reported in its status event. */
  statusSeen(deviceId: string, firmwareVersion: string): void;
  /** Looks for new update folders now. */
  scan(): void;
  /** Chunks sent since start, all devices. */
  readonly chunksSent: number;
  close(): void;
}

interface DeviceUpdate {
  id: string;
  topics: ReturnType<typeof deviceTopics>;
  ha: ReturnType<typeof haTopics>;
  offered?: UpdateFolder;
  installed?: string;
  summary: string;
  lastPercent: number;
}

const manifestSeq = (bytes: Uint8Array) => (bytes.length > OFFSET.senderKeyId ? readUintBE(bytes, OFFSET.seq, 8) : 0);

function parseProgress(bytes: Uint8Array): Record<string, unknown> | undefined {
  if (bytes.length > MAX_PROGRESS_BYTES) return undefined;
  try {
    const v = JSON.parse(fromUtf8(bytes)) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

interface Ctx {
  o: UpdateServerOptions;
  devices: Map<string, DeviceUpdate>;
  folders: Map<string, UpdateFolder>;
  bad: Set<string>;
  chunksSent: number;
}

/** The `update` entity's state (§2 update): installed and latest version; progress in release_summary. */
function publishState({ o }: Ctx, d: DeviceUpdate): void {
  const state = {
    installed_version: d.installed ?? null,
    latest_version: d.offered?.info.version ?? d.installed ?? null,
    title: "Doorbell firmware",
    release_summary: d.summary.slice(0, 255),
  };
  if (o.client.connected) o.client.publish(d.ha.firmware, JSON.stringify(state), { qos: 1, retain: true });
}

function install(ctx: Ctx, d: DeviceUpdate, by: string): boolean {
  const f = d.offered;
  const manifest = f?.manifest(d.id);
  if (!f || !manifest) return false;
  ctx.o.client.publish(d.topics.update, Buffer.from(manifest), { qos: 1, retain: true });
  d.summary = `installing ${f.info.version}`;
  d.lastPercent = -1;
  ctx.o.log.info("update published", { device: d.id, version: f.info.version, id: f.info.updateId, by });
  publishState(ctx, d);
  return true;
}

/** Opens new folders, and offers each device the one whose manifest for it has the highest seq. */
function scanFolders(ctx: Ctx): void {
  const { o, folders, bad } = ctx;
  for (const dir of listUpdateFolders(o.dir)) {
    if (folders.has(dir) || bad.has(dir)) continue;
    try {
      folders.set(dir, openUpdateFolder(dir));
    } catch (error) {
      bad.add(dir);
      o.log.warn("update folder refused", { dir, reason: (error as Error).message.slice(0, 160) });
    }
  }
  for (const d of ctx.devices.values()) {
    const seqOf = (f: UpdateFolder) => manifestSeq(f.manifest(d.id) ?? new Uint8Array(0));
    const newest = [...folders.values()]
      .filter((f) => seqOf(f) > 0)
      .sort((a, b) => seqOf(a) - seqOf(b))
      .at(-1);
    if (!newest || newest === d.offered) continue;
    d.offered = newest;
    o.log.info("update offered", { device: d.id, version: newest.info.version, id: newest.info.updateId });
    if (existsSync(join(newest.dir, "install"))) install(ctx, d, "install file");
    else publishState(ctx, d);
  }
}

/** A device's progress message: a chunk wanted (sent at once), or how the update ended. */
function onProgress(ctx: Ctx, d: DeviceUpdate, p: Record<string, unknown>): void {
  const { o } = ctx;
  o.onProgress?.(d.id, p);
  if (p.state === "want" && typeof p.next === "number") {
    const f = [...ctx.folders.values()].find((x) => x.info.updateId === p.id);
    if (!f || !Number.isInteger(p.next) || p.next < 0 || p.next >= f.info.chunks)
      return o.log.warn("chunk asked that no update folder holds", { device: d.id, id: String(p.id).slice(0, 16) });
    o.client.publish(d.topics.updateChunk, Buffer.from(f.chunk(p.next)), { qos: 1 });
    ctx.chunksSent++;
    const percent = Math.floor((100 * p.next) / f.info.chunks);
    if (percent < d.lastPercent + 5) return;
    d.lastPercent = percent;
    d.summary = `installing ${f.info.version}: ${percent} %`;
  } else if (p.state === "installed") {
    d.summary = `${String(p.version).slice(0, 20)} written and verified; the doorbell restarts into it`;
    o.log.info("update installed; the doorbell restarts", { device: d.id, version: String(p.version).slice(0, 20) });
  } else if (p.state === "refused") {
    d.summary = `refused by the doorbell: ${String(p.reason).slice(0, 40)}`;
    o.log.warn("update refused by the doorbell", { device: d.id, reason: String(p.reason).slice(0, 40) });
  }
  publishState(ctx, d);
}

export function startUpdateServer(o: UpdateServerOptions): UpdateServer {
  const { client, log } = o;
  const devices = new Map<string, DeviceUpdate>(
    o.devices.map((d) => [
      d.id,
      {
        id: d.id,
        topics: deviceTopics(d.topicRoot, d.id),
        ha: haTopics(d.topicRoot, d.id),
        summary: "",
        lastPercent: -1,
      },
    ]),
  );
  const ctx: Ctx = { o, devices, folders: new Map(), bad: new Set(), chunksSent: 0 };
  const byProgress = new Map([...devices.values()].map((d) => [d.topics.updateProgress, d]));
  const byCommand = new Map([...devices.values()].map((d) => [d.ha.updateCommand, d]));
  const onMessage = (topic: string, payload: Buffer, _packet: IPublishPacket) => {
    const progress = byProgress.get(topic);
    if (progress) {
      const p = parseProgress(new Uint8Array(payload));
      return p ? onProgress(ctx, progress, p) : log.warn("progress message ignored", { device: progress.id });
    }
    const command = byCommand.get(topic);
    if (command && payload.toString() === "install" && !install(ctx, command, "home assistant"))
      log.warn("install pressed with no update offered", { device: command.id });
  };
  const onConnect = () => {
    client.subscribe([...byProgress.keys(), ...byCommand.keys()], { qos: 1 });
    for (const d of devices.values()) publishState(ctx, d);
  };
  client.on("message", onMessage);
  client.on("connect", onConnect);
  if (client.connected) onConnect();
  scanFolders(ctx);
  const timer = o.scanMs === 0 ? undefined : setInterval(() => scanFolders(ctx), o.scanMs ?? 5000);
  timer?.unref();
  return {
    install(deviceId) {
      const d = devices.get(deviceId);
      return d ? install(ctx, d, "request") : false;
    },
    statusSeen(deviceId, firmwareVersion) {
      const d = devices.get(deviceId);
      if (!d || d.installed === firmwareVersion) return;
      d.installed = firmwareVersion;
      if (d.offered && compareFirmwareVersions(firmwareVersion, d.offered.info.version) >= 0) d.summary = "up to date";
      publishState(ctx, d);
    },
    scan: () => scanFolders(ctx),
    get chunksSent() {
      return ctx.chunksSent;
    },
    close() {
      if (timer) clearInterval(timer);
      client.off("message", onMessage);
      client.off("connect", onConnect);
    },
  };
}
