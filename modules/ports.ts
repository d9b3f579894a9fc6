// SPDX-License-Identifier: MIT
// The ports: everything the firmware needs from the world, as small capability interfaces.
// Only hosts/ implements them; nothing in modules/ may import a platform module.
// The contract below is exact: every host (ESP32, Node, XS, the test fake) runs the suite in
// test/support/port-contract.ts. Throughout, "a later turn" means after the call that caused the callback
// has returned: no port ever calls the firmware back from inside one of its own methods.
import type { ThumbnailDecoder } from "./jpeg/thumbnail-decoder.js";
import type { JpegRedactor } from "./privacy/redactor-port.js";

/** Monotonic and wall clock. */
export interface ClockPort {
  /** Milliseconds since an arbitrary origin; never goes backwards (the ESP32 unwraps its 32-bit tick count). */
  monotonicMs(): number;
  /** Unix time in milliseconds; may jump when SNTP sets the clock. */
  wallMs(): number;
}

/** An opaque handle returned by `TimerPort.set`. */
export interface TimerHandle {
  readonly __timer?: never;
}

/**
 * One-shot timers on the firmware's single event loop.
 * - A callback runs once, on a later turn (never inside `set`, even for 0 ms), and no earlier than
 *   `delayMs` by `ClockPort.monotonicMs`; late by however long the loop was busy.
 * - Timers set with the same delay fire in the order they were set. While the loop is idle a shorter
 *   deadline fires first; when several timers are overdue at once (the loop was blocked), the ESP32 fires
 *   them in the order they were set, whatever their deadlines (Moddable's timer list), so never rely on
 *   the order of timers with different deadlines that can both be late.
 * - A callback may set and clear timers; one set to 0 ms from a callback runs after that callback returns.
 */
export interface TimerPort {
  /** Calls `callback` once after `delayMs` (see the interface for ordering). */
  set(callback: () => void, delayMs: number): TimerHandle;
  /** Cancels a pending timer; it will not fire. Clearing a fired or cleared timer is a no-op. */
  clear(handle: TimerHandle): void;
}

/** A raw, undebounced level change of the doorbell button. */
export interface ButtonEdge {
  /** Logical level after the edge: 1 = contact closed (pressed), 0 = open. */
  level: 0 | 1;
  /** Monotonic time of the edge in ms, taken as close to the interrupt as the host can. */
  atMs: number;
  /**
   * The driver merged edges while the event loop was busy (a TLS handshake can take seconds): a whole
   * press may have happened in between, and this edge's time is when the host noticed, not when it was.
   */
  coalesced?: boolean;
}

/** The doorbell button input. The host applies any active-low inversion. */
export interface ButtonPort {
  /** Starts edge delivery. Edges may bounce; the firmware debounces them. */
  open(options: { onEdge(edge: ButtonEdge): void }): void;
  /** The current logical level. */
  read(): 0 | 1;
  close(): void;
}

/** A digital output such as the chime relay or the flash LED. */
export interface OutputPort {
  write(level: 0 | 1): void;
}

/** One camera frame. Must be released, or the camera runs out of buffers and stalls. */
export interface Frame {
  /** Baseline JPEG bytes. Valid only until `release()`. */
  readonly jpeg: Uint8Array;
  /** Monotonic capture time in ms. */
  readonly capturedAtMs: number;
  /** Returns the buffer to the camera; idempotent. */
  release(): void;
}

/** A continuous JPEG camera. */
export interface CameraPort {
  /** Starts continuous capture; `onFrame` receives every frame in capture order. */
  start(options: { onFrame(frame: Frame): void }): void;
  /** Stops capture and re-initialises it (used after a stall). */
  restart(): void;
  stop(): void;
}

/**
 * Small persistent key-value settings (NVS on the device): rarely written. Values are copied in and out.
 * Atomic per key: after a power cut during `set`, the key reads either the old or the new value, never
 * nothing and never a mix (the ESP32 keeps two generations; Node writes, fsyncs and renames).
 */
export interface KeyValuePort {
  /** A copy of the value, or undefined when the key was never set or was deleted. */
  get(key: string): Uint8Array | undefined;
  /** Writes durably before returning (the next boot reads it). Keys are at most 15 characters (NVS limit). */
  set(key: string, value: Uint8Array): void;
  /** Deleting a missing key is a no-op. */
  delete(key: string): void;
}

/** A durable record from an append-only log. */
export interface LogRecord {
  /** Increases with every append; never reused, even after the newest record is removed and the device reboots. */
  id: number;
  bytes: Uint8Array;
}

/**
 * A persistent append-only log of records (littlefs on the device), for the outbox.
 * - Power-fail scheme: atomic per record. After a power cut during `append` the record is whole or absent,
 *   and the others are untouched (littlefs: write a temporary file, close, rename; Node: write, fsync, rename).
 *   This is the only power-fail scheme; the store adds no checksum of its own (the outbox record carries one).
 * - Reading: `ids()` lists records without reading them and `read(id)` reads one, so a caller can keep only
 *   an index in RAM and fetch a record when it needs it. `records()` reads every record at once: for tools
 *   and tests, not for the firmware on the device.
 */
export interface AppendLogPort {
  /** Appends durably (present after a reboot once this returns) and returns the new record's id. Throws when full. */
  append(bytes: Uint8Array): number;
  /** Ids of the records present, oldest (lowest) first; reads no record's bytes. */
  ids(): number[];
  /**
   * A copy of one record's bytes; undefined when no record has this id (never appended, or removed). Throws
   * when the record is present but cannot be read now (the caller may try again later).
   */
  read(id: number): Uint8Array | undefined;
  /** Every record present, oldest first, as copies: all in RAM at once (tools and tests). */
  records(): LogRecord[];
  /**
   * What this store can hold at most, when it is bounded (the ESP32's storage partition): record bytes and
   * records. The config refuses outbox bounds above it (modules/config-fit.ts). Undefined: bounded by the disk.
   */
  readonly capacity?: StoreCapacity;
  /** Removes one record by id; removing a missing id is a no-op. */
  remove(id: number): void;
}

/** The most an append-only log can hold. */
export interface StoreCapacity {
  /** Record bytes (the records' own bytes, before any per-record framing or block rounding of the store). */
  bytes: number;
  /** Records. */
  records: number;
}

export interface StoragePort {
  kv: KeyValuePort;
  log: AppendLogPort;
}

/** Quality of service levels used here. */
export type QoS = 0 | 1;

export interface MqttWill {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
}

export interface MqttConnectOptions {
  clientId: string;
  will: MqttWill;
  keepAliveS: number;
  /** Called on every CONNACK (first connect and each reconnect), on a later turn, never inside `connect`. */
  onConnect(): void;
  /**
   * Called on a later turn when the session drops or a connect attempt fails (DNS, TCP, TLS, a refused or
   * missing CONNACK), never inside `connect` or `close`, and not at all after `close`. The host reconnects
   * only when `connect` is called again.
   */
  onDisconnect(reason: string): void;
  /** An incoming PUBLISH on a subscribed topic. */
  onMessage(topic: string, payload: Uint8Array): void;
}

export interface PublishOptions {
  qos: QoS;
  retain: boolean;
  /** DUP flag for a retransmission [MQTT-3.3.1-1]. */
  dup?: boolean;
}

/** An MQTT session. Retries and persistence belong to the firmware, as with Moddable's ECMA-419 client. */
export interface MqttPort {
  /** Starts a session; one already open is ended first, without `onDisconnect`, and its unacknowledged publishes fail. */
  connect(options: MqttConnectOptions): void;
  /**
   * Hands a message to the session. `onAck` runs exactly once, on a later turn, never inside `publish`:
   * on PUBACK (QoS 1) or once written (QoS 0), or with an error string when there is no session or it
   * ended first (a drop, `close`, a new `connect`).
   */
  publish(topic: string, payload: Uint8Array, options: PublishOptions, onAck?: (error?: string) => void): void;
  subscribe(topic: string, qos: QoS): void;
  /** True between `onConnect` and `onDisconnect` (or `close`). */
  readonly connected: boolean;
  /**
   * Ends the session without DISCONNECT (the broker publishes the will). Calls no `onDisconnect`; publishes
   * not yet acknowledged get `onAck(error)` on a later turn.
   */
  close(): void;
}

/** The primitives the sealing layer needs; natively backed on the device (mbedtls). */
export interface CryptoPort {
  /** RFC 7748 X25519. With no `publicKey`, returns the public key for `secret`. */
  x25519(secret: Uint8Array, publicKey?: Uint8Array): Uint8Array;
  /** RFC 2104 HMAC with SHA-256; 32 bytes. */
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** RFC 8439 AEAD seal: ciphertext followed by the 16-byte tag. */
  chacha20Poly1305Seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** RFC 8439 AEAD open; `undefined` when the tag does not verify. */
  chacha20Poly1305Open(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | undefined;
  /** Cryptographically secure random bytes (the hardware RNG on the device). */
  randomBytes(length: number): Uint8Array;
  /**
   * FIPS 186-5 ECDSA on P-256 with SHA-256 (hashed inside): true only when `signature`, raw r || s
   * (64 bytes, IEEE P1363), verifies over `message` under `publicKey`, an uncompressed SEC1 point
   * (65 bytes, 04 || x || y). False for a wrong signature length, r or s outside [1, n - 1], or a point
   * not on the curve. Throws a RangeError only when `publicKey` is not 65 bytes (the caller's own key).
   */
  ecdsaP256Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

export type LogLevel = "debug" | "info" | "warn" | "error";

/** Where formatted log lines go. Use `createLogger`; never call this with secrets. */
export interface LogPort {
  write(level: LogLevel, tag: string, message: string): void;
}

/** Board-level facts and actions. */
export interface SystemPort {
  /** Restarts the device; on the device this does not return. */
  restart(reason: string): void;
  /** Wi-Fi signal strength in dBm, when known. */
  rssiDbm(): number | undefined;
}

/** The motion detector's verdict on one camera frame, as the firmware reached it (MotionViewPort). */
export interface MotionVerdict {
  /** The frame's `capturedAtMs`: which frame this verdict is about. */
  capturedAtMs: number;
  /** The thumbnail grid: one cell per 8x8 block of the frame. */
  cols: number;
  rows: number;
  /** One byte per cell, row-major, 1 where motion is seen (valid only during the call). */
  cells: Uint8Array;
  /** This frame's motion box in frame pixels [x, y, w, h]; w = 0 when there is none. */
  box: readonly number[];
  /** Motion is on (between its start and end events). */
  active: boolean;
  /** The lighting state (steady, step, settling, ramp, relearning). */
  light: string;
}

/** Where the firmware shows its per-frame motion verdict (the simulator's overlay); a board may have none. */
export interface MotionViewPort {
  verdict(v: MotionVerdict): void;
}

/**
 * The two application slots (docs/ota.md): the running one and the inactive one an update is written to.
 * On the device, ESP-IDF's OTA partitions with app rollback; in the simulator, a virtual flash with the same rule.
 * Rollback rule: after `activate()` and a restart the new image runs as "pending"; if the device restarts
 * (power cut, crash, `restart`) before `markValid()`, the next boot returns to the previous slot.
 */
export interface FirmwareSlotsPort {
  /** Bytes the inactive slot holds; a larger image is refused before anything is written. */
  readonly slotBytes: number;
  /** Prepares the inactive slot for an image of `sizeBytes`; `resume` keeps the bytes already written there. */
  begin(sizeBytes: number, resume: boolean): void;
  /** Writes authenticated image bytes at `offset`, in order. Throws on a flash error. */
  write(offset: number, bytes: Uint8Array): void;
  /** Abandons the image being written: the inactive slot will not boot. */
  abort(): void;
  /** Makes the inactive slot, fully written and verified by the caller, boot next; takes effect on restart. */
  activate(): void;
  /** "pending" on the first run of an activated image until `markValid()`; otherwise "valid". */
  runningState(): "valid" | "pending";
  /** Keeps the running image: cancels the rollback. */
  markValid(): void;
  /** Gives up on a pending running image and restarts into the previous slot; on the device it does not return. */
  rollback(reason: string): void;
}

/** The set of ports a host hands to the firmware. */
export interface Host {
  clock: ClockPort;
  timers: TimerPort;
  button: ButtonPort;
  chime: OutputPort;
  camera: CameraPort;
  storage: StoragePort;
  mqtt: MqttPort;
  crypto: CryptoPort;
  log: LogPort;
  system: SystemPort;
  /** JPEG -> DC luma thumbnail for the motion detector: native C on the device; without it the firmware uses the TypeScript decoder. */
  thumbnails?: ThumbnailDecoder;
  /**
   * Blanks the privacy zones inside each picture before it is sealed (docs/privacy.md): native C on the device,
   * TypeScript elsewhere. A host without one withholds every picture while zones are configured.
   */
  redactor?: JpegRedactor;
  /** Receives the motion detector's verdict on every frame it judged; only the simulator has one. */
  motionView?: MotionViewPort;
  /** The two application slots for owner updates (docs/ota.md); a host without them refuses every update. */
  firmware?: FirmwareSlotsPort;
}
