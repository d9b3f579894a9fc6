// SPDX-License-Identifier: MIT
// Wires the doorbell together on any host: button -> ring flow -> sealing -> delivery over MQTT,
// with the camera feeding the pre-roll ring. The composition root (main.ts) picks the host.
import { fromHex, toHex } from "./bytes.js";
import { createRedactor } from "./jpeg/redact.js";
import { createButtonMachine } from "./button.js";
import { createCameraWatchdog } from "./camera-watchdog.js";
import { createChime } from "./chime.js";
import { createCommandDispatch } from "./command-dispatch.js";
import { createCommandHandler } from "./command-handler.js";
import type { Command } from "./commands.js";
import type { Config } from "./config.js";
import { createConfigStore, type ConfigStore } from "./config-store.js";
import { createConnectionSupervisor } from "./connection-supervisor.js";
import { createOutbox, type Outbox } from "./outbox.js";
import { recordChecksum } from "./outbox-record.js";
import { createStatusReport } from "./status-report.js";
import { loadDeviceKey, type DeviceKey } from "./device-key.js";
import { createLogger, type Logger } from "./logger.js";
import { createThumbnailDecoder } from "./jpeg/thumbnail-decoder.js";
import { createMotionFlow, type MotionFlow } from "./motion-flow.js";
import type { Host } from "./ports.js";
import { createPicturePrivacy } from "./privacy/picture-privacy.js";
import { createPreRoll, type PreRoll } from "./pre-roll.js";
import { createRingFlow, type DraftEvent, type EmitEvent, type RingFlow } from "./ring-flow.js";
import { createEventSealer } from "./sealer.js";
import { createSequencer } from "./sequence.js";
import { createSnapshotGate } from "./snapshot-gate.js";
import { deviceTopics, type DeviceTopics } from "./topics.js";
import { createVideoFlow, type VideoFlow } from "./video/video-flow.js";
import type { UpdateReceiver } from "./update/update-receiver.js";
import { startUpdates } from "./update/update-wiring.js";

export interface FirmwareOptions {
  /** The flashed device config (parsed JSON); validated, with the persisted one taking precedence. */
  config: unknown;
  firmwareVersion: string;
  /** The device's X25519 secret; when absent it is generated once and kept in storage. */
  deviceKey?: Uint8Array;
  /** A newly installed firmware rolls back unless its first status event is delivered within this (default 300 s). */
  updateConfirmS?: number;
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
  /** Sealed clips and live view (modules/video/). */
  readonly video: VideoFlow;
  /** Owner updates (modules/update/): the transfer in progress and the refusals. */
  readonly update: UpdateReceiver;
  close(): void;
}

/**
 * Sequencing, sealing and the outbox: `emit` turns a draft event into a sealed, queued message. The snapshot
 * gate watches what is emitted, so command snapshots waiting for a frame or queued count against its limit.
 */
function createEventPipeline(
  host: Host,
  cfg: Config,
  key: DeviceKey,
  topics: DeviceTopics,
  log: Logger,
  commandLog: Logger,
  config: ConfigStore,
  onSent: (header: { type: string; seq: number; atMs: number }) => void,
) {
  const sequencer = createSequencer({ kv: host.storage.kv, blockSize: cfg.seq.blockSize });
  const seal = createEventSealer({
    crypto: host.crypto,
    deviceKey: key,
    config: cfg,
    topic: topics.event,
    log: log.child("seal"),
    timers: host.timers,
    // The owner key in force: after a set-identity the next seal goes to the new key, and what was
    // precomputed for the old one is zero-filled (modules/seal-ahead.ts).
    ownerPublicHex: () => config.current.keys.ownerPublic,
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
    confirm: cfg.outbox.confirm
      ? { timeoutMs: cfg.outbox.confirmTimeoutS * 1000, crypto: host.crypto, deviceId: cfg.deviceId }
      : undefined,
  });
  const snapshotGate = createSnapshotGate({ log: commandLog, queued: (id) => delivery.holds(id) });
  // The host's native redactor where it has one (the same bytes), else the TypeScript one.
  const privacy = createPicturePrivacy({ ...cfg.privacy, redactor: host.redactor ?? createRedactor() });
  const privacyLog = log.child("privacy");
  const emit = (draft: DraftEvent, jpeg: Uint8Array | undefined) => {
    const header = { ...draft, seq: sequencer.next(), ...(cfg.outbox.confirm ? { resync: true as const } : {}) };
    // Every picture that leaves the device passes here, redacted for the zones before it is sealed.
    const verdict = jpeg && privacy.apply(jpeg);
    if (verdict && !verdict.ok) {
      header.pictureWithheld = verdict.code;
      privacyLog.warn("picture withheld: it could not be redacted", {
        type: header.type,
        id: header.id,
        code: verdict.code,
        reason: verdict.reason,
        size: jpeg.length,
      });
    }
    const frame = verdict?.ok ? verdict.jpeg : undefined;
    // With confirmations on, the event's confirmation key (from the seal's own HPKE context) is the record's tag.
    const confirmable = cfg.outbox.confirm ? seal.confirmable(header, frame) : undefined;
    const sealed = confirmable ? confirmable.envelope : cfg.outbox.confirm ? undefined : seal(header, frame);
    if (sealed)
      delivery.send(sealed, { id: header.id, seq: header.seq, type: header.type, tag: confirmable?.confirmKey });
    confirmable?.confirmKey.fill(0); // the outbox keeps its own copy
    snapshotGate.emitted(draft.id);
    if (sealed) onSent(header);
  };
  // Clip and live frames pass the same zones as snapshots; a frame that cannot be redacted is withheld (dropped).
  const redact = (jpeg: Uint8Array) => {
    const verdict = privacy.apply(jpeg);
    return verdict.ok ? verdict.jpeg : undefined;
  };
  /**
   * Answers the bridge's `sync` command (docs/delivery.md, "A bridge that lost its state"): a sealed `sync` event
   * naming the command and the delivery floor, published at once, QoS 1, outside the outbox (it must not wait behind
   * the events the bridge holds until it has it); if it is lost, the bridge asks again.
   */
  const syncLog = log.child("sync");
  const answerSync = (commandId: string) => {
    const seq = sequencer.next();
    const low = delivery.lowestSeq;
    const done = (low === undefined || low > seq ? seq : low) - 1;
    const header = { v: 1 as const, type: "sync" as const, id: toHex(host.crypto.randomBytes(8)) };
    const sealed = seal(
      { ...header, seq, device: cfg.deviceId, atMs: host.clock.wallMs(), of: commandId, done },
      undefined,
    );
    if (!sealed) return;
    syncLog.info("sync answered", { of: commandId, seq, done });
    host.mqtt.publish(topics.event, sealed, { qos: 1, retain: false, dup: false }, (error) => {
      if (error) syncLog.warn("sync answer not acknowledged; the bridge asks again", { seq, reason: error });
    });
  };
  return { delivery, emit, snapshotGate, seal, redact, nextSeq: () => sequencer.next(), answerSync };
}

/** The button, the chime and the ring flow, with the pre-roll ring the ring takes its snapshot from. */
function createRingSide(host: Host, cfg: Config, log: Logger, emit: EmitEvent, video: VideoFlow) {
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
    fallbackFrame: (atMs) => video.ring.frameAt(atMs, cfg.camera.framePeriodMs),
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
  return { preRoll, chime, ring, button };
}

/** Starts the camera: every frame feeds the watchdog, the motion detector (when enabled) and the pre-roll ring. */
function startCamera(host: Host, cfg: Config, log: Logger, preRoll: PreRoll, emit: EmitEvent, video: VideoFlow) {
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
        zones: cfg.privacy.zones,
        decoder: host.thumbnails ?? createThumbnailDecoder(),
        emit,
        view: host.motionView,
      })
    : undefined;
  host.camera.start({
    onFrame: (frame) => {
      cameraWatchdog.frame();
      motion?.frame(frame);
      preRoll.push(frame);
      video.frame(frame); // after the ring and motion events: they keep priority over video
    },
  });
  return { cameraWatchdog, motion };
}

/** Acts on owner commands; after a set-identity the seal's idle work runs next turn, wiping what was made for the old key. */
function ownerCommands(
  host: Host,
  config: ConfigStore,
  log: Logger,
  ring: RingFlow,
  pipeline: ReturnType<typeof createEventPipeline>,
  video: VideoFlow,
) {
  const { snapshotGate, seal } = pipeline;
  const dispatch = createCommandDispatch({
    config,
    crypto: host.crypto,
    timers: host.timers,
    system: host.system,
    log,
    snapshotNow: (reason) => ring.snapshotNow(reason),
    snapshotGate,
    liveView: (live) => (live.action === "start" ? video.live.start(live.seconds) : video.live.stop("owner command")),
    sync: config.current.outbox.confirm ? pipeline.answerSync : undefined,
  });
  return (command: Command) => {
    dispatch(command);
    if (command.cmd === "set-identity") seal.ahead?.soon();
  };
}

const outboxCounters = (o: Outbox) => ({ outboxQueued: o.stats.queued, outboxDropped: o.stats.dropped });

/** Clips and live view, sealed to the owner key in force, sharing the event sealer's KEM made ahead. */
function startVideo(
  host: Host,
  config: ConfigStore,
  key: DeviceKey,
  topics: DeviceTopics,
  log: Logger,
  pipeline: ReturnType<typeof createEventPipeline>,
): VideoFlow {
  const cfg = config.current;
  const ahead = pipeline.seal.ahead;
  return createVideoFlow({
    ...host,
    log: log.child("video"),
    deviceId: cfg.deviceId,
    topic: topics.video,
    sender: { privateKey: key.secret, publicKey: key.publicKey },
    ownerPublic: () => (config.current.keys.ownerPublic ? fromHex(config.current.keys.ownerPublic) : undefined),
    encapsulate: ahead && ((owner) => ahead.take(owner)),
    nextSeq: pipeline.nextSeq,
    redact: pipeline.redact,
    params: cfg.video,
  });
}

/** The config store; an outbox larger than the host's storage holds is refused (modules/config-fit.ts). */
function openConfig(host: Host, log: Logger, initial: unknown): ConfigStore {
  const limits = { storage: host.storage.log.capacity };
  return createConfigStore({ kv: host.storage.kv, log: log.child("config"), initial, limits });
}

/** The periodic sealed status event; `emit` also tells the update trial which event to watch. */
function startStatusReport(
  host: Host,
  cfg: Config,
  firmwareVersion: string,
  log: Logger,
  delivery: Outbox,
  video: VideoFlow,
  emit: (draft: DraftEvent) => void,
) {
  return createStatusReport({
    clock: host.clock,
    timers: host.timers,
    crypto: host.crypto,
    system: host.system,
    mqtt: host.mqtt,
    log: log.child("status"),
    deviceId: cfg.deviceId,
    firmwareVersion,
    intervalS: cfg.status.intervalS,
    counters: () => ({ ...outboxCounters(delivery), videoFramesDropped: video.dropped }),
    emit,
  });
}

/** Starts the firmware on `host`. Constructs nothing at import time, so it can be preloaded. */
export function startFirmware(host: Host, options: FirmwareOptions): Firmware {
  const log: Logger = createLogger(host.log, "main");
  log.info("boot", { fw: options.firmwareVersion });
  const config = openConfig(host, log, options.config);
  const cfg = config.current;
  const topics = deviceTopics(cfg.mqtt.topicRoot, cfg.deviceId);
  const key = loadDeviceKey({
    crypto: host.crypto,
    kv: host.storage.kv,
    provided: options.deviceKey,
    log: log.child("keys"),
  });
  const commandLog = log.child("command");
  const updates = startUpdates(host, options, config, key, topics, log.child("update"));
  let video: VideoFlow | undefined;
  const pipeline = createEventPipeline(host, cfg, key, topics, log, commandLog, config, (h) => video?.eventSent(h));
  const { delivery, emit, seal } = pipeline;
  video = startVideo(host, config, key, topics, log, pipeline);
  const statusReport = startStatusReport(host, cfg, options.firmwareVersion, log, delivery, video, (draft) => {
    emit(draft, undefined);
    updates.statusEmitted(draft.id);
  });
  const { preRoll, chime, ring, button } = createRingSide(host, cfg, log, emit, video);
  const { cameraWatchdog, motion } = startCamera(host, cfg, log, preRoll, emit, video);
  const commands = createCommandHandler({
    crypto: host.crypto,
    clock: host.clock,
    kv: host.storage.kv,
    log: commandLog,
    deviceKey: key,
    // Read per command from the config in force, so commands signed by a replaced key stop at once.
    ownerKeys: () => ({
      publicHex: config.current.keys.ownerPublic,
      signingPublicHex: config.current.keys.ownerSigningPublic,
    }),
    deviceId: cfg.deviceId,
    topic: topics.command,
    maxAgeS: cfg.commands.maxAgeS,
    onCommand: ownerCommands(host, config, commandLog, ring, pipeline, video),
  });
  updates.watchDelivery((id) => delivery.holds(id));
  const connection = createConnectionSupervisor({
    mqtt: host.mqtt,
    timers: host.timers,
    crypto: host.crypto,
    log: log.child("mqtt"),
    clientId: cfg.deviceId,
    topics,
    keepAliveS: cfg.mqtt.keepAliveS,
    onConnected: () => {
      delivery.resume();
      statusReport.connected();
      updates.connected();
    },
    onCommand: (payload) => commands.handle(payload),
    otherTopics: updates.topics,
    onOther: updates.message,
    onConfirmations: cfg.outbox.confirm ? (payload) => delivery.confirmations(payload) : undefined,
  });

  return {
    config,
    ring,
    preRoll,
    delivery,
    motion,
    video,
    update: updates.receiver,
    devicePublicKey: key.publicKey,
    close() {
      connection.close();
      updates.close();
      button.close();
      ring.close();
      chime.close();
      host.button.close();
      cameraWatchdog.close();
      statusReport.close();
      delivery.close();
      seal.close();
      host.camera.stop();
      video.close();
      preRoll.close();
      host.mqtt.close();
    },
  };
}
