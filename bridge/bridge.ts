// SPDX-License-Identifier: MIT
// The owner's receiver: opens each device's sealed events (only that device's key, only a newer sequence
// number, each event id once), keeps the pictures, and gives Home Assistant discovery and plain states;
// turns the "Take snapshot" button into a sealed command. Works over any connected MQTT.js client.
import type { IPublishPacket, MqttClient } from "mqtt";
import { fromUtf8, toHex } from "../modules/bytes.js";
import { sealCommand } from "../modules/commands.js";
import { openEnvelope } from "../modules/envelope/open-envelope.js";
import { REJECT_REASON_TEXT } from "../modules/envelope/reasons.js";
import type { Logger } from "../modules/logger.js";
import type { CryptoPort } from "../modules/ports.js";
import { deviceTopics, type DeviceTopics } from "../modules/topics.js";
import type { BridgeDevice } from "./devices.js";
import type { DeviceStateStore } from "./device-state.js";
import { deviceDiscovery, HA_STATUS_TOPIC } from "./discovery.js";
import { haUpdateFor, type HaPublish, type OpenedEvent } from "./ha-states.js";
import { createHaPublisher } from "./ha-publisher.js";
import { haTopics, type HaTopics } from "./ha-topics.js";
import type { SnapshotStore } from "./snapshot-store.js";

/** §1.6: re-publish after a random delay of up to this, so many devices do not burst at once. */
export const BIRTH_JITTER_MAX_MS = 5000;

export interface BridgeOptions {
  client: MqttClient;
  crypto: CryptoPort;
  /** The owner's X25519 secret: opens events, seals commands. */
  ownerSecret: Uint8Array;
  /** Signs each command with the owner's P-256 key: r || s over the message (bridge/key-files.ts createCommandSigner). */
  signCommand(message: Uint8Array): Uint8Array;
  devices: BridgeDevice[];
  state: DeviceStateStore;
  snapshots?: SnapshotStore;
  log: Logger;
  discoveryPrefix: string;
  motionOffDelayS: number;
  /** [0, 1) for the birth jitter; injectable for tests. */
  random01?: () => number;
  /** Wall clock, Unix ms. */
  now?: () => number;
  /** Timers for the birth delay; injectable for tests. */
  timers?: { set(callback: () => void, delayMs: number): unknown; clear(handle: unknown): void };
  /**
   * A shared-subscription group: the device topics are subscribed as `$share/<group>/<topic>` (MQTT 5
   * §4.8.2), so the broker gives each event, and each button press, to one bridge of the group. Every
   * bridge of a group serves the same devices; see docs/scaling.md for keeping a device on one bridge.
   */
  shareGroup?: string;
  /** Sees each event opened and accepted (not refused, not a duplicate), with its picture: for observers such as the simulator's page. */
  onEvent?(deviceId: string, header: Record<string, unknown>, jpeg: Uint8Array | undefined, sealedBytes: number): void;
}

export interface BridgeStats {
  opened: number;
  /** Refusals by reason code (`replayed` is a QoS 1 redelivery, expected and harmless). */
  refused: Record<string, number>;
  /** Authentic events whose id was seen before. */
  duplicates: number;
  commands: number;
  discoveryPublished: number;
}

export interface Bridge {
  readonly stats: BridgeStats;
  /** Publishes discovery and the last known states for every device now. */
  republish(): void;
  close(): void;
}

interface Served {
  device: BridgeDevice;
  topics: DeviceTopics;
  ha: HaTopics;
  /** The last picture, re-published on Home Assistant's birth (it is retained anyway). */
  lastJpeg?: Uint8Array;
  motion?: "ON" | "OFF";
}

export function startBridge(o: BridgeOptions): Bridge {
  const { client, log } = o;
  const now = o.now ?? Date.now;
  const random01 = o.random01 ?? Math.random;
  const ownerPublic = o.crypto.x25519(o.ownerSecret);
  const stats: BridgeStats = { opened: 0, refused: {}, duplicates: 0, commands: 0, discoveryPublished: 0 };
  const byEventTopic = new Map<string, Served>();
  const byCommandTopic = new Map<string, Served>();
  for (const device of o.devices) {
    const served: Served = {
      device,
      topics: deviceTopics(device.topicRoot, device.id),
      ha: haTopics(device.topicRoot, device.id),
    };
    byEventTopic.set(served.topics.event, served);
    byCommandTopic.set(served.ha.snapshotCommand, served);
  }
  const timers = o.timers ?? {
    set: (callback: () => void, delayMs: number) => setTimeout(callback, delayMs),
    clear: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
  };
  let birthTimer: unknown;
  let closed = false;

  // In order, and never more unacknowledged than the broker admits (ha-publisher.ts).
  const haPublisher = createHaPublisher({ client, log });
  const publish = (p: HaPublish) => haPublisher.publish(p);

  function publishDiscovery(served: Served): void {
    const info = o.state.get(served.device.id).info;
    const fw = typeof info?.fw === "string" ? info.fw : undefined;
    const message = deviceDiscovery(served.device, {
      prefix: o.discoveryPrefix,
      motionOffDelayS: o.motionOffDelayS,
      firmwareVersion: fw,
    });
    publish({ topic: message.topic, payload: JSON.stringify(message.payload), qos: 1, retain: true });
    stats.discoveryPublished++;
  }

  function republish(): void {
    for (const served of byEventTopic.values()) {
      publishDiscovery(served);
      const info = o.state.get(served.device.id).info;
      if (info) publish({ topic: served.ha.info, payload: JSON.stringify(info), qos: 1, retain: true });
      if (served.motion) publish({ topic: served.ha.motion, payload: served.motion, qos: 1, retain: true });
      if (served.lastJpeg) publish({ topic: served.ha.snapshot, payload: served.lastJpeg, qos: 1, retain: true });
    }
    log.info("discovery and states published", { devices: byEventTopic.size });
  }

  function onSealedEvent(served: Served, topic: string, bytes: Uint8Array): void {
    const { device } = served;
    const state = o.state.get(device.id);
    const r = openEnvelope({
      crypto: o.crypto,
      recipientPrivateKey: o.ownerSecret,
      recipientPublicKey: ownerPublic,
      senderPublicKey: device.publicKey,
      deviceId: device.id,
      topic,
      lastAcceptedSeq: state.lastEventSeq,
      bytes,
    });
    if (!r.ok) {
      stats.refused[r.reason] = (stats.refused[r.reason] ?? 0) + 1;
      const fields = { device: device.id, reason: r.reason, seq: r.seq, size: bytes.length };
      if (r.reason === "replayed") log.info("duplicate delivery ignored", fields);
      else log.warn(`event refused: ${REJECT_REASON_TEXT[r.reason]}`, fields);
      return;
    }
    const event = r.header as unknown as OpenedEvent;
    const id = typeof event.id === "string" ? event.id : "";
    const seen = state.recentEventIds.includes(id);
    // Persist before acting: a crash may lose this event, but can never make it acceptable twice.
    o.state.update(device.id, (s) => {
      s.lastEventSeq = r.seq;
      if (!seen) s.recentEventIds.push(id);
    });
    if (seen) {
      stats.duplicates++;
      log.info("event already delivered; ignored", { device: device.id, id, seq: r.seq });
      return;
    }
    stats.opened++;
    log.info("event", { device: device.id, type: event.type, id, seq: r.seq, jpegBytes: r.jpeg?.length ?? 0 });
    if (r.jpeg && o.snapshots) {
      try {
        o.snapshots.save(device.id, { type: String(event.type), id, atMs: Number(event.atMs) || now() }, r.jpeg);
      } catch (error) {
        log.error("snapshot not saved", { device: device.id, id, reason: (error as Error).message });
      }
    }
    const update = haUpdateFor(served.ha, event, r.jpeg);
    if (r.jpeg && (event.type === "ring" || event.type === "long_press" || event.type === "snapshot"))
      served.lastJpeg = r.jpeg;
    if (update.motion) served.motion = update.motion;
    if (update.info) {
      const before = state.info?.fw;
      o.state.update(device.id, (s) => {
        s.info = update.info;
      });
      if (update.info.fw !== before) publishDiscovery(served); // device.sw_version follows the firmware
    }
    for (const p of update.publishes) publish(p);
    o.onEvent?.(device.id, r.header as unknown as Record<string, unknown>, r.jpeg, bytes.length);
  }

  function onSnapshotButton(served: Served, payload: Uint8Array, retained: boolean): void {
    const { device } = served;
    if (retained) {
      log.warn("retained command ignored; commands must not be retained", { device: device.id });
      return;
    }
    if (fromUtf8(payload) !== "snapshot") {
      log.warn("unknown button payload ignored", { device: device.id, size: payload.length });
      return;
    }
    // Time-based numbering: a bridge that lost its state still numbers above what the device accepted.
    const seq = Math.max((o.state.get(device.id).lastCommandSeq ?? 0) + 1, now());
    o.state.update(device.id, (s) => {
      s.lastCommandSeq = seq;
    });
    const id = toHex(o.crypto.randomBytes(8));
    const sealed = sealCommand({
      crypto: o.crypto,
      ownerSecret: o.ownerSecret,
      sign: o.signCommand,
      devicePublicKey: device.publicKey,
      deviceId: device.id,
      topic: served.topics.command,
      seq,
      command: { v: 1, cmd: "snapshot", id, atMs: now() },
    });
    client.publish(served.topics.command, Buffer.from(sealed), { qos: 1, retain: false });
    stats.commands++;
    log.info("snapshot command sealed and sent", { device: device.id, id, seq });
  }

  const onConnect = () => {
    const topics = [...byEventTopic.keys(), ...byCommandTopic.keys()].map((t) =>
      o.shareGroup ? `$share/${o.shareGroup}/${t}` : t,
    );
    client.subscribe(topics, { qos: 1 }, (error, granted) => {
      const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
      if (error || refused.length)
        log.error("subscription refused; check the broker's ACL for the bridge", {
          topics: refused.join(",") || topics.join(","),
          reason: error?.message,
        });
    });
    client.subscribe(HA_STATUS_TOPIC, { qos: 0 });
    log.info("connected; serving", { devices: o.devices.map((d) => d.id).join(",") });
    republish();
  };

  const onMessage = (topic: string, payload: Buffer, packet: IPublishPacket) => {
    if (closed) return;
    const bytes = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
    try {
      const event = byEventTopic.get(topic);
      if (event) return onSealedEvent(event, topic, bytes);
      const command = byCommandTopic.get(topic);
      if (command) return onSnapshotButton(command, bytes, packet.retain);
      if (topic === HA_STATUS_TOPIC && fromUtf8(bytes) === "online") {
        if (birthTimer) timers.clear(birthTimer);
        const delayMs = Math.floor(random01() * BIRTH_JITTER_MAX_MS);
        log.info("Home Assistant is online; re-publishing discovery", { delayMs });
        birthTimer = timers.set(() => {
          birthTimer = undefined;
          if (!closed) republish();
        }, delayMs);
      }
    } catch (error) {
      log.error("message not handled", { topic, reason: (error as Error).message });
    }
  };

  client.on("connect", onConnect);
  client.on("message", onMessage);
  if (client.connected) onConnect();

  return {
    stats,
    republish,
    close() {
      closed = true;
      if (birthTimer) timers.clear(birthTimer);
      client.off("connect", onConnect);
      client.off("message", onMessage);
    },
  };
}
