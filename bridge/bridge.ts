// SPDX-License-Identifier: MIT
// The owner's receiver: opens each device's sealed events (event-receiver.ts), keeps the pictures, gives
// Home Assistant discovery and plain states (ha-sync.ts), and turns the "Take snapshot" button into a
// sealed command (command-sender.ts). This file wires them to one connected MQTT.js client.
import type { IPublishPacket, MqttClient } from "mqtt";
import { fromUtf8 } from "../modules/bytes.js";
import type { Logger } from "../modules/logger.js";
import type { CryptoPort } from "../modules/ports.js";
import { createAckGate } from "./ack-gate.js";
import { type BridgeStats, createBridgeStats } from "./bridge-stats.js";
import { type BurstLog, createBurstLog } from "./burst-log.js";
import {
  type CommandPublisher,
  createCommandPublisher,
  createCommandSender,
  type OwnerCommand,
} from "./command-sender.js";
import type { BridgeDevice } from "./devices.js";
import type { DeviceStateStore } from "./device-state.js";
import { HA_STATUS_TOPIC } from "./discovery.js";
import { createDeliveryConfirmer } from "./delivery-confirmer.js";
import { createDeviceSync, type DeviceSync } from "./device-sync.js";
import { createEventReceiver, type DeliveredEvent, type EventReceiver } from "./event-receiver.js";
import { createHaPictures, type PictureOptions } from "./ha-pictures.js";
import { type BridgeTimers, createHaSync, NODE_TIMERS } from "./ha-sync.js";
import { type ServedDevice, serveDevice } from "./served-device.js";
import type { SnapshotStore } from "./snapshot-store.js";
import type { FrameSink } from "./video/opened-frame.js";
import { stateOpenFloor } from "./video/open-floor.js";
import { createStreamOpener, type StreamOpenerStats } from "./video/stream-opener.js";

export type { BridgeStats } from "./bridge-stats.js";
export { BIRTH_JITTER_MAX_MS } from "./ha-sync.js";

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
  /**
   * How Home Assistant gets the snapshots (ha.pictures, ha-pictures.ts): default `url`, links to the video endpoint
   * (none without `snapshots` and `linkFor`); `mqtt`, the bytes on the broker in the clear.
   */
  pictures?: PictureOptions;
  /** Discovery keeps the MQTT camera fed live stills over the broker (ha.liveStillsOverMqtt); default off. */
  liveStills?: boolean;
  /** [0, 1) for the birth jitter; injectable for tests. */
  random01?: () => number;
  /** Wall clock, Unix ms. */
  now?: () => number;
  /** Timers for the birth delay and the burst logs; injectable for tests. */
  timers?: BridgeTimers;
  /** Snapshot commands per device: `burst` at once, then one every `refillMs`; default 3, then one per 10 s. */
  snapshotRate?: { burst: number; refillMs: number };
  /**
   * A shared-subscription group: the device topics are subscribed as `$share/<group>/<topic>` (MQTT 5
   * §4.8.2), so the broker gives each event, and each button press, to one bridge of the group. Every
   * bridge of a group serves the same devices; see docs/scaling.md for keeping a device on one bridge.
   */
  shareGroup?: string;
  /** Sees each event opened and accepted (not refused, not a duplicate), with its picture: for observers such as the simulator's page. */
  onEvent?(deviceId: string, header: Record<string, unknown>, jpeg: Uint8Array | undefined, sealedBytes: number): void;
  /** Where authenticated video frames go (the live endpoint, the clip store); without it they are counted only. */
  frameSink?: FrameSink;
  /** A press of Home Assistant's "Start live view" button (not retained): bridge/video/live-demand.ts holds the view. */
  onLiveButton?(deviceId: string): void;
  /** Each accepted event once it is durable and Home Assistant's broker acknowledged its states (event-receiver.ts). */
  onDelivered?(event: DeliveredEvent): void;
  /**
   * Confirms each delivered event to its device (delivery-confirmer.ts; devices with `outbox.confirm` keep events
   * until then). Default true.
   */
  confirmDelivery?: boolean;
  /** Worker threads that open the sealed events (bridge/open-threads.ts); 0 or absent: on the event loop. */
  openThreads?: number;
}

export interface Bridge {
  readonly stats: BridgeStats;
  /** The sealed video streams opened and refused (bridge/video/stream-opener.ts). */
  readonly video: StreamOpenerStats;
  /** Publishes discovery and the last known states for every device now. */
  republish(): void;
  /** Seals and publishes a command to a served device (the video endpoint's live-view start and stop). */
  sendCommand(deviceId: string, command: OwnerCommand): { id: string; seq: number };
  close(): void;
}

/** Subscribes the bridge's device topics at QoS 1, and says which ones the broker's ACL refused. */
function subscribeOrComplain({ client, log }: BridgeOptions, topics: string[]): void {
  client.subscribe(topics, { qos: 1 }, (error, granted) => {
    const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
    if (error || refused.length)
      log.error("subscription refused; check the broker's ACL for the bridge", {
        topics: refused.join(",") || topics.join(","),
        reason: error?.message,
      });
  });
}

/** Home Assistant's Start live view press: only a fresh (not retained) `start` reaches `onLiveButton`. */
function liveButtonHandler({ log, onLiveButton }: BridgeOptions) {
  return (s: ServedDevice, payload: Uint8Array, retained: boolean) => {
    if (retained || fromUtf8(payload) !== "start")
      return log.warn("live view press ignored: retained or not `start`", { device: s.device.id, retained });
    if (!onLiveButton) return log.warn("live view press ignored: no video endpoint", { device: s.device.id });
    onLiveButton(s.device.id);
  };
}

/** The sealed video streams' opener; its replay floor is kept with the device state, across restarts. */
function videoOpener(o: BridgeOptions, burstLog: BurstLog, timers: BridgeTimers, now: () => number) {
  return createStreamOpener({
    ...o,
    sink: o.frameSink ?? { frame: () => undefined, streamEnded: () => undefined },
    burstLog,
    timers,
    now,
    openFloor: stateOpenFloor(o.state),
  });
}

/** Events are handled in batches, each committed with one fdatasync before its PUBACKs and confirmations leave. */
function eventPath(
  o: BridgeOptions,
  parts: Required<Pick<Parameters<typeof createEventReceiver>[0], "ha" | "pictures" | "stats" | "now" | "burstLog">>,
  sync: DeviceSync | undefined,
) {
  const { client, log } = o;
  const confirmer =
    o.confirmDelivery === false ? undefined : createDeliveryConfirmer({ client, crypto: o.crypto, log });
  return createEventReceiver({ ...o, ...parts, acks: createAckGate(client), confirm: confirmer?.confirm, sync });
}

/** With confirmations, a device's replay floor is asked from the device after each start (device-sync.ts). */
function deviceSync(o: BridgeOptions, publish: CommandPublisher, receiver: () => EventReceiver | undefined) {
  if (o.confirmDelivery === false) return undefined;
  return createDeviceSync({
    publish,
    state: o.state,
    log: o.log,
    // On a later turn: the answer is being staged by the receiver right now.
    release: (served, held) =>
      setImmediate(() => {
        for (const h of held) receiver()?.receive(served, h.topic, h.bytes);
      }),
  });
}

export function startBridge(o: BridgeOptions): Bridge {
  const { client, log } = o;
  const now = o.now ?? Date.now;
  const stats = createBridgeStats();
  const timers = o.timers ?? NODE_TIMERS;
  const burstLog = createBurstLog({ log, timers });
  const served = o.devices.map(serveDevice);
  const byEventTopic = new Map<string, ServedDevice>(served.map((s) => [s.topics.event, s]));
  const byCommandTopic = new Map<string, ServedDevice>(served.map((s) => [s.ha.snapshotCommand, s]));
  const byVideoTopic = new Map<string, ServedDevice>(served.map((s) => [s.topics.video, s]));
  const byLiveTopic = new Map<string, ServedDevice>(served.map((s) => [s.ha.liveCommand, s]));
  const pictures = createHaPictures({ pictures: o.pictures, snapshots: o.snapshots });
  const ha = createHaSync({
    client,
    log,
    served,
    state: o.state,
    stats,
    discoveryPrefix: o.discoveryPrefix,
    motionOffDelayS: o.motionOffDelayS,
    pictures,
    liveStills: o.liveStills,
    random01: o.random01 ?? Math.random,
    timers,
  });
  const publishCommand = createCommandPublisher({ ...o, stats, now });
  const sync = deviceSync(o, publishCommand, () => (closed ? undefined : events));
  const events = eventPath(o, { ha, pictures, stats, now, burstLog }, sync);
  const onSnapshotButton = createCommandSender({ ...o, stats, now, burstLog });
  const video = videoOpener(o, burstLog, timers, now);
  let closed = false;

  const onConnect = () => {
    // Video is never shared: a stream's frames must all reach the bridge that accepted its open message, so
    // every bridge of a group opens every stream (docs/scaling.md).
    const shared = [...byEventTopic.keys(), ...byCommandTopic.keys(), ...byLiveTopic.keys()];
    subscribeOrComplain(o, [
      ...shared.map((t) => (o.shareGroup ? `$share/${o.shareGroup}/${t}` : t)),
      ...byVideoTopic.keys(),
    ]);
    client.subscribe(HA_STATUS_TOPIC, { qos: 0 });
    log.info("connected; serving", { devices: o.devices.map((d) => d.id).join(",") });
    ha.republish();
  };

  const onLiveButton = liveButtonHandler(o);
  const onMessage = (topic: string, payload: Buffer, packet: IPublishPacket) => {
    if (closed) return;
    const bytes = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
    try {
      const event = byEventTopic.get(topic);
      if (event) return events.receive(event, topic, bytes, packet.qos === 1 ? packet.messageId : undefined);
      const streaming = byVideoTopic.get(topic);
      if (streaming) return video.onMessage(streaming.device, topic, bytes);
      const command = byCommandTopic.get(topic);
      if (command) return onSnapshotButton(command, bytes, packet.retain);
      const live = byLiveTopic.get(topic);
      if (live) return onLiveButton(live, bytes, packet.retain);
      if (topic === HA_STATUS_TOPIC && fromUtf8(bytes) === "online") ha.onBirth();
    } catch (error) {
      log.error("message not handled", { topic, reason: (error as Error).message });
    }
  };

  client.on("connect", onConnect);
  client.on("message", onMessage);
  if (client.connected) onConnect();

  return {
    stats,
    video: video.stats,
    republish: ha.republish,
    sendCommand(deviceId, command) {
      const s = served.find((d) => d.device.id === deviceId);
      if (!s) throw new Error(`no served doorbell ${deviceId}`);
      return publishCommand(s, command);
    },
    close() {
      events.close(); // what was received is committed and acknowledged, not left to a timer after close
      closed = true;
      sync?.close();
      video.close();
      ha.close();
      burstLog.close();
      client.off("connect", onConnect);
      client.off("message", onMessage);
    },
  };
}
