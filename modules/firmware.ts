// SPDX-License-Identifier: MIT
// Wires the doorbell together on any host: button -> ring flow -> sealing -> delivery over MQTT,
// with the camera feeding the pre-roll ring. The composition root (main.ts) picks the host.
import { createButtonMachine } from "./button.js";
import { createCameraWatchdog } from "./camera-watchdog.js";
import { createChime } from "./chime.js";
import { createCommandHandler } from "./command-handler.js";
import type { Command } from "./commands.js";
import { createConfigStore, type ConfigStore } from "./config-store.js";
import { createOutbox, type Outbox } from "./outbox.js";
import { recordChecksum } from "./outbox-record.js";
import { createStatusReport } from "./status-report.js";
import { loadDeviceKey } from "./device-key.js";
import { createLogger, type Logger } from "./logger.js";
import { createThumbnailDecoder } from "./jpeg/thumbnail-decoder.js";
import { createMotionFlow, type MotionFlow } from "./motion-flow.js";
import type { Host } from "./ports.js";
import { createPreRoll, type PreRoll } from "./pre-roll.js";
import { createRingFlow, type DraftEvent, type RingFlow } from "./ring-flow.js";
import { createEventSealer } from "./sealer.js";
import { createSequencer } from "./sequence.js";
import { deviceTopics } from "./topics.js";
import { utf8 } from "./bytes.js";
import { createBackoff, randomUnit } from "./backoff.js";
import type { TimerHandle } from "./ports.js";

export interface FirmwareOptions {
  /** The flashed device config (parsed JSON); validated, with the persisted one taking precedence. */
  config: unknown;
  firmwareVersion: string;
  /** The device's X25519 secret; when absent it is generated once and kept in storage. */
  deviceKey?: Uint8Array;
}

export interface Firmware {
  readonly config: ConfigStore;
  readonly ring: RingFlow;
  readonly preRoll: PreRoll;
  /** The persistent outbox of sealed events. */
  readonly delivery: Outbox;
  /** The device's public key, for provisioning and logs. */
  readonly devicePublicKey: Uint8Array;
  /** Camera frames -> thumbnails -> motion events; undefined when motion.enabled is false. */
  readonly motion: MotionFlow | undefined;
  close(): void;
}

/** Starts the firmware on `host`. Constructs nothing at import time, so it can be preloaded. */
export function startFirmware(host: Host, options: FirmwareOptions): Firmware {
  const log: Logger = createLogger(host.log, "main");
  log.info("boot", { fw: options.firmwareVersion });
  const config = createConfigStore({ kv: host.storage.kv, log: log.child("config"), initial: options.config });
  const cfg = config.current;
  const topics = deviceTopics(cfg.mqtt.topicRoot, cfg.deviceId);
  const key = loadDeviceKey({
    crypto: host.crypto,
    kv: host.storage.kv,
    provided: options.deviceKey,
    log: log.child("keys"),
  });
  const sequencer = createSequencer({ kv: host.storage.kv, blockSize: cfg.seq.blockSize });
  const seal = createEventSealer({
    crypto: host.crypto,
    deviceKey: key,
    config: cfg,
    topic: topics.event,
    log: log.child("seal"),
  });
  const delivery = createOutbox({
    mqtt: host.mqtt,
    store: host.storage.log,
    timers: host.timers,
    log: log.child("outbox"),
    topic: topics.event,
    checksum: recordChecksum(host.crypto),
    maxEvents: cfg.outbox.maxEvents,
    maxBytes: cfg.outbox.maxKiB * 1024,
    ackTimeoutMs: cfg.mqtt.ackTimeoutS * 1000,
  });

  const emit = (draft: DraftEvent, jpeg: Uint8Array | undefined) => {
    const header = { ...draft, seq: sequencer.next() };
    const sealed = seal(header, jpeg);
    if (sealed) delivery.send(sealed, { id: header.id, seq: header.seq, type: header.type });
  };
  const statusReport = createStatusReport({
    clock: host.clock,
    timers: host.timers,
    crypto: host.crypto,
    system: host.system,
    mqtt: host.mqtt,
    log: log.child("status"),
    deviceId: cfg.deviceId,
    firmwareVersion: options.firmwareVersion,
    intervalS: cfg.status.intervalS,
    counters: () => ({ outboxQueued: delivery.stats.queued, outboxDropped: delivery.stats.dropped }),
    emit: (draft) => emit(draft, undefined),
  });

  const preRoll = createPreRoll({
    timers: host.timers,
    capacity: cfg.camera.preRollFrames,
    framePeriodMs: cfg.camera.framePeriodMs,
  });
  const chime = createChime({ output: host.chime, timers: host.timers, pulseMs: cfg.chime.pulseMs });
  const ring = createRingFlow({
    clock: host.clock,
    timers: host.timers,
    crypto: host.crypto,
    log: log.child("ring"),
    chime,
    preRoll,
    deviceId: cfg.deviceId,
    cooldownS: cfg.button.cooldownS,
    followUpMs: cfg.camera.followUpMs,
    emit,
  });
  const buttonLog = log.child("button");
  const button = createButtonMachine({
    clock: host.clock,
    timers: host.timers,
    debounceMs: cfg.button.debounceMs,
    longPressMs: cfg.button.longPressMs,
    onPress: (atMs) => {
      buttonLog.info("press", { atMs });
      ring.press(atMs);
    },
    onRelease: (_atMs, heldMs) => buttonLog.debug("release", { heldMs }),
    onLongPress: (pressAtMs, heldMs) => ring.longPress(pressAtMs, heldMs),
  });

  host.button.open({ onEdge: (edge) => button.edge(edge) });
  const cameraWatchdog = createCameraWatchdog({
    camera: host.camera,
    clock: host.clock,
    timers: host.timers,
    log: log.child("camera"),
    stallS: cfg.camera.stallS,
  });
  const motion = cfg.motion.enabled
    ? createMotionFlow({
        clock: host.clock,
        crypto: host.crypto,
        log: log.child("motion"),
        deviceId: cfg.deviceId,
        params: cfg.motion,
        decoder: host.thumbnails ?? createThumbnailDecoder(),
        emit,
      })
    : undefined;
  host.camera.start({
    onFrame: (frame) => {
      cameraWatchdog.frame();
      motion?.frame(frame);
      preRoll.push(frame);
    },
  });

  const commands = createCommandHandler({
    crypto: host.crypto,
    clock: host.clock,
    kv: host.storage.kv,
    log: log.child("command"),
    deviceKey: key,
    ownerPublicHex: cfg.keys.ownerPublic,
    deviceId: cfg.deviceId,
    topic: topics.command,
    maxAgeS: cfg.commands.maxAgeS,
    onCommand: (command: Command) => {
      switch (command.cmd) {
        case "snapshot":
          ring.snapshotNow("command");
          break;
        case "set-config":
          // Applied whole or not at all; a restart brings every component up on the new values.
          if (config.apply(command.config).ok) restartSoon("config changed");
          break;
        case "reboot":
          restartSoon("owner command");
          break;
      }
    },
  });
  /** Restarts after a short delay, so the log line and the command's PUBACK get out first. */
  const restartSoon = (reason: string) => {
    log.warn("restarting", { reason });
    host.timers.set(() => host.system.restart(reason), 500);
  };

  const mqttLog = log.child("mqtt");
  const backoff = createBackoff({ baseMs: 1000, maxMs: 60_000, random01: () => randomUnit(host.crypto.randomBytes) });
  let reconnectTimer: TimerHandle | undefined;
  let closed = false;
  const connect = () => {
    reconnectTimer = undefined;
    host.mqtt.connect({
      clientId: cfg.deviceId,
      will: { topic: topics.status, payload: utf8("offline"), qos: 1, retain: true },
      keepAliveS: cfg.mqtt.keepAliveS,
      onConnect: () => {
        mqttLog.info("connected", { attempts: backoff.attempts });
        backoff.reset();
        host.mqtt.publish(topics.status, utf8("online"), { qos: 1, retain: true });
        host.mqtt.subscribe(topics.command, 1);
        delivery.resume();
        statusReport.connected();
      },
      onDisconnect: (reason) => {
        if (closed || reconnectTimer) return;
        const delayMs = backoff.next();
        mqttLog.warn("disconnected; reconnecting", { reason, delayMs });
        reconnectTimer = host.timers.set(connect, delayMs);
      },
      onMessage: (topic, payload) => {
        if (topic === topics.command) commands.handle(payload);
        else mqttLog.debug("message on an unexpected topic", { topic, size: payload.length });
      },
    });
  };
  connect();

  return {
    config,
    ring,
    preRoll,
    delivery,
    motion,
    devicePublicKey: key.publicKey,
    close() {
      closed = true;
      if (reconnectTimer) host.timers.clear(reconnectTimer);
      button.close();
      ring.close();
      chime.close();
      host.button.close();
      cameraWatchdog.close();
      statusReport.close();
      delivery.close();
      host.camera.stop();
      preRoll.close();
      host.mqtt.close();
    },
  };
}
