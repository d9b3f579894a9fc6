// SPDX-License-Identifier: MIT
// The one config schema: every setting with its type, default, range and meaning, in one table.
// `docs/config.md` is generated from this table; `parseConfig` validates against it.
import { deepFreeze } from "./deep-freeze.js";
import type { Zone } from "./privacy/zone.js";

/** How one setting is checked. */
export type FieldSpec =
  | { kind: "int"; default: number; min: number; max: number; unit?: string; doc: string }
  | { kind: "string"; default: string; pattern?: RegExp; patternDoc?: string; maxLength: number; doc: string }
  | { kind: "bool"; default: boolean; doc: string }
  | { kind: "hex"; default: string; bytes: number; optional: true; prefix?: string; prefixDoc?: string; doc: string }
  | { kind: "zones"; default: readonly Zone[]; doc: string };

/** Dotted path -> spec. Order is the documentation order. Deeply frozen: preloaded, it stays in flash. */
export const CONFIG_SCHEMA = deepFreeze({
  deviceId: {
    kind: "string",
    default: "doorbell",
    pattern: /^[a-z0-9][a-z0-9_-]*$/,
    patternDoc: "lowercase letters, digits, '-' and '_', starting with a letter or digit",
    maxLength: 32,
    doc: "Device id; names the MQTT topics and is bound into every sealed event",
  },
  deviceName: { kind: "string", default: "Doorbell", maxLength: 64, doc: "Human name shown in Home Assistant" },
  "button.debounceMs": {
    kind: "int",
    default: 30,
    min: 5,
    max: 200,
    unit: "ms",
    doc: "A level must be stable this long before a press or release counts",
  },
  "button.longPressMs": {
    kind: "int",
    default: 2000,
    min: 500,
    max: 10000,
    unit: "ms",
    doc: "Holding at least this long also raises a long_press event",
  },
  "button.cooldownS": {
    kind: "int",
    default: 5,
    min: 0,
    max: 300,
    unit: "s",
    doc: "Minimum time between published rings; presses inside it are logged and counted, not published",
  },
  "chime.pulseMs": {
    kind: "int",
    default: 250,
    min: 0,
    max: 3000,
    unit: "ms",
    doc: "Length of the chime relay pulse on a ring; 0 disables the chime",
  },
  "camera.preRollFrames": {
    kind: "int",
    default: 2,
    min: 1,
    max: 2,
    unit: "frames",
    doc: "Frames kept in the pre-roll ring; the ESP32 camera has 3 buffers and one must stay free",
  },
  "camera.framePeriodMs": {
    kind: "int",
    default: 200,
    min: 20,
    max: 5000,
    unit: "ms",
    doc: "Expected time between frames; bounds how long a ring waits for a frame after the press",
  },
  "camera.stallS": {
    kind: "int",
    default: 10,
    min: 0,
    max: 600,
    unit: "s",
    doc: "With no frame for this long the camera is re-initialised (logged and counted); 0 disables the watchdog",
  },
  "camera.followUpMs": {
    kind: "int",
    default: 1000,
    min: 0,
    max: 10000,
    unit: "ms",
    doc: "A follow-up snapshot is taken this long after a ring; 0 disables it",
  },
  "camera.width": {
    kind: "int",
    default: 640,
    min: 96,
    max: 1600,
    unit: "px",
    doc: "Requested frame width: the sensor takes the smallest frame size at least this wide (snapshots, clips, live)",
  },
  "camera.height": {
    kind: "int",
    default: 480,
    min: 96,
    max: 1200,
    unit: "px",
    doc: "Requested frame height; VGA (640x480) keeps a frame near 25 KB and gives the motion detector 80x60",
  },
  "video.clips": {
    kind: "bool",
    default: true,
    doc: "Send a sealed clip on each ring and motion start: pre-roll from the clip ring, then the frames after it",
  },
  "video.clipPreRollMs": {
    kind: "int",
    default: 2000,
    min: 0,
    max: 5000,
    unit: "ms",
    doc: "How far before the trigger a clip starts; those frames come from the clip ring in PSRAM",
  },
  "video.clipPostMs": {
    kind: "int",
    default: 8000,
    min: 1000,
    max: 30000,
    unit: "ms",
    doc: "How long after the trigger a clip runs",
  },
  "video.clipFps": {
    kind: "int",
    default: 5,
    min: 1,
    max: 15,
    unit: "frames/s",
    doc: "Clip frame rate, at most; frames are copied into the clip ring at this rate",
  },
  "video.liveFps": {
    kind: "int",
    default: 5,
    min: 1,
    max: 15,
    unit: "frames/s",
    doc: "Live view frame rate, at most",
  },
  "video.ringKiB": {
    kind: "int",
    default: 768,
    min: 128,
    max: 1536,
    unit: "KiB",
    doc:
      "The clip ring in PSRAM, allocated once: pre-roll and clip frames waiting to be sent; the oldest are " +
      "evicted first, and a clip frame evicted unsent is dropped and counted (docs/firmware.md)",
  },
  "video.maxInFlight": {
    kind: "int",
    default: 2,
    min: 1,
    max: 8,
    unit: "frames",
    doc: "Clip frames published and not yet acknowledged (PUBACK), at most: paces a clip to the broker",
  },
  "mqtt.host": { kind: "string", default: "127.0.0.1", maxLength: 253, doc: "Broker host name or address" },
  "mqtt.port": { kind: "int", default: 8883, min: 1, max: 65535, doc: "Broker port (TLS)" },
  "mqtt.keepAliveS": { kind: "int", default: 60, min: 5, max: 3600, unit: "s", doc: "MQTT keepalive interval" },
  "mqtt.topicRoot": {
    kind: "string",
    default: "doorbell",
    pattern: /^[a-z0-9_-]+$/,
    patternDoc: "lowercase letters, digits, '-' and '_'",
    maxLength: 32,
    doc: "First topic level of every device topic",
  },
  "mqtt.ackTimeoutS": {
    kind: "int",
    default: 20,
    min: 2,
    max: 600,
    unit: "s",
    doc: "A sealed event with no PUBACK after this long is published again with the DUP flag",
  },
  "outbox.maxEvents": {
    kind: "int",
    default: 64,
    min: 4,
    max: 1024,
    unit: "events",
    doc:
      "Most sealed events kept for delivery; beyond it status, then snapshot, motion, long press and ring events " +
      "are dropped, in that order (docs/delivery.md)",
  },
  "outbox.maxKiB": {
    kind: "int",
    default: 768,
    min: 128,
    max: 16384,
    unit: "KiB",
    doc:
      "Most bytes of sealed events kept for delivery, by the same drop policy; the storage partition must hold this " +
      "much (the ESP32-CAM's 896 KiB partition: at most 872, and outbox.maxEvents at most 218; the device refuses more)",
  },
  "outbox.confirm": {
    kind: "bool",
    default: false,
    doc:
      "Keep each sealed event until the owner's bridge confirms it (an HMAC under a key from the event's own HPKE " +
      "context), not just until the broker's PUBACK; unconfirmed events are sent again with backoff (docs/delivery.md)",
  },
  "outbox.confirmTimeoutS": {
    kind: "int",
    default: 30,
    min: 2,
    max: 600,
    unit: "s",
    doc:
      "With outbox.confirm, the first wait for a confirmation before the unconfirmed events are sent again; it " +
      "doubles per round without one, up to 16 times this",
  },
  "status.intervalS": {
    kind: "int",
    default: 300,
    min: 0,
    max: 86400,
    unit: "s",
    doc:
      "A sealed status event (firmware version, RSSI, uptime, outbox counters) goes out on connect and then this " +
      "often; 0 sends it on connect only",
  },
  "motion.enabled": {
    kind: "bool",
    default: true,
    doc:
      "Run the motion detector on every camera frame; a start publishes motion_start with its snapshot and box, " +
      "the end motion_end (docs/motion.md)",
  },
  "motion.thresholdMin": {
    kind: "int",
    default: 10,
    min: 2,
    max: 64,
    unit: "grey levels",
    doc: "Smallest change of an 8x8 block's mean luma that counts as motion",
  },
  "motion.noiseFactor": {
    kind: "int",
    default: 4,
    min: 1,
    max: 16,
    doc: "A block's threshold is at least this many times its own noise level (mean change while quiet)",
  },
  "motion.backgroundFrames": {
    kind: "int",
    default: 64,
    min: 8,
    max: 1024,
    unit: "frames",
    doc:
      "Time constant of the background: it follows the scene with weight 1/backgroundFrames per frame, where nothing " +
      "moves. Each cell is updated every 32nd frame, so values under 32 act as 32",
  },
  "motion.stillFrames": {
    kind: "int",
    default: 30,
    min: 4,
    max: 100000,
    unit: "frames",
    doc: "A block that stays changed but unchanging this long joins the background (a parked car, a parcel)",
  },
  "motion.minBlobCells": {
    kind: "int",
    default: 2,
    min: 1,
    max: 100,
    unit: "cells",
    doc: "Smallest blob that counts, in coarse cells (the frame is about 20 coarse cells wide)",
  },
  "motion.startFrames": {
    kind: "int",
    default: 3,
    min: 1,
    max: 31,
    unit: "frames",
    doc: "Motion starts when a blob was seen in this many of the last motion.windowFrames frames (k of n)",
  },
  "motion.windowFrames": {
    kind: "int",
    default: 5,
    min: 1,
    max: 31,
    unit: "frames",
    doc: "The n of the k-of-n start rule; at least motion.startFrames",
  },
  "motion.endQuietMs": {
    kind: "int",
    default: 3000,
    min: 0,
    max: 600000,
    unit: "ms",
    doc: "Motion ends after this long without a blob",
  },
  "motion.maxGainStepPct": {
    kind: "int",
    default: 20,
    min: 5,
    max: 200,
    unit: "%",
    doc:
      "A whole-frame brightness step larger than this in one frame is lighting (lamp, IR switch, exposure), not " +
      "motion: detection pauses and the background relearns",
  },
  "motion.lightingJumpPct": {
    kind: "int",
    default: 25,
    min: 5,
    max: 100,
    unit: "%",
    doc:
      "So is a jump of changed blocks by more than this share of the frame in one frame; a visitor walking up " +
      "grows over several frames and stays motion",
  },
  "motion.relearnFrames": {
    kind: "int",
    default: 6,
    min: 1,
    max: 100,
    unit: "frames",
    doc: "Frames of fast relearning after a lighting change and at start, during which no motion is reported",
  },
  "privacy.zones": {
    kind: "zones",
    default: [],
    doc:
      'Parts of the picture never transmitted, stored or shown: a list of rectangles {"x", "y", "width", ' +
      '"height"} and polygons {"polygon": [[x, y], ...]} in image pixels. Every 8x8 block (MCU) a zone touches ' +
      "is flattened to privacy.grey in each picture before sealing, and the motion detector ignores it " +
      "(docs/privacy.md). Replaces motion.privacyMask",
  },
  "privacy.grey": {
    kind: "int",
    default: 128,
    min: 0,
    max: 255,
    unit: "grey level",
    doc: "The flat grey the zones are painted with (0 black, 255 white)",
  },
  "seq.blockSize": {
    kind: "int",
    default: 64,
    min: 1,
    max: 4096,
    unit: "events",
    doc: "Sequence numbers reserved per flash write; a reboot skips at most this many",
  },
  "commands.maxAgeS": {
    kind: "int",
    default: 300,
    min: 10,
    max: 86400,
    unit: "s",
    doc: "Owner commands sealed longer ago than this are refused as stale (checked once the device clock is set)",
  },
  "keys.ownerPublic": {
    kind: "hex",
    default: "",
    bytes: 32,
    optional: true,
    doc: "The owner's X25519 public key (hex); events are sealed to it. Changed only by a signed set-identity command",
  },
  "keys.ownerSigningPublic": {
    kind: "hex",
    default: "",
    bytes: 65,
    optional: true,
    prefix: "04",
    prefixDoc: "starting 04 (an uncompressed P-256 point)",
    doc:
      "The owner's ECDSA P-256 public key (hex, SEC 1 uncompressed); every command must carry its signature, " +
      "so empty refuses all commands. Changed only by a signed set-identity command",
  },
} as const satisfies Record<string, FieldSpec>);

export type ConfigPath = keyof typeof CONFIG_SCHEMA;
