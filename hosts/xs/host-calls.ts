// SPDX-License-Identifier: MIT
// The XS bridge's protocol as one typed schema: the host calls the guest makes (guest-call.ts) and the Node
// side answers (serve-host.ts), and the events Node delivers back (guest-host.ts). Types only: no runtime cost.
import type { LogLevel, QoS } from "../../modules/ports.js";

/**
 * One host call's shape on the wire: the JSON fields and blobs the guest sends, and the fields and blobs
 * of the answer. Omitted parts are empty. A blob tuple such as `[] | [Uint8Array]` is an optional blob.
 */
interface Shape {
  args?: object;
  blobs?: readonly Uint8Array[];
  result?: object;
  resultBlobs?: readonly Uint8Array[];
}

type Bytes = Uint8Array;
/** A call or event with no fields and no blobs either way. */
type Empty = Record<never, never>;

/**
 * Every call the firmware's guest host makes; serveHost must answer each one (a missing handler is a type
 * error). To add one, e.g. a crypto primitive:
 * 1. add its entry here: `"crypto.name": { args?: {…JSON fields}; blobs?: [...]; result?: {…}; resultBlobs?: [...] }`;
 * 2. the compiler then asks for its handler in serve-host.ts (`cryptoCalls`), typed from the entry;
 * 3. call it in the guest (guest-crypto.ts): `call("crypto.name", fields, blobs)`, typed from the entry too.
 */
export interface HostCalls {
  "clock.mono": { result: { v: number } };
  "clock.wall": { result: { v: number } };
  "timer.set": { args: { id: number; ms: number } };
  "timer.clear": { args: { id: number } };
  "button.open": Empty;
  "button.read": { result: { v: 0 | 1 } };
  "button.close": Empty;
  "chime.write": { args: { level: 0 | 1 } };
  "camera.start": Empty;
  "camera.restart": Empty;
  "camera.stop": Empty;
  "frame.release": { args: { id: number } };
  "kv.get": { args: { key: string }; resultBlobs: [] | [Bytes] };
  "kv.set": { args: { key: string }; blobs: [value: Bytes] };
  "kv.delete": { args: { key: string } };
  "log.append": { blobs: [record: Bytes]; result: { id: number } };
  "log.ids": { result: { ids: number[] } };
  /** No blob when the log has no record with this id. */
  "log.read": { args: { id: number }; resultBlobs: [] | [Bytes] };
  /** One blob per record, in the order of `ids`. */
  "log.records": { result: { ids: number[] }; resultBlobs: Bytes[] };
  "log.remove": { args: { id: number } };
  "mqtt.connect": {
    args: { clientId: string; keepAliveS: number; will: { topic: string; qos: QoS; retain: boolean } };
    blobs: [willPayload: Bytes];
  };
  /** `ackId` 0: no acknowledgement wanted; otherwise an "mqtt.ack" event with that id follows. */
  "mqtt.publish": {
    args: { topic: string; qos: QoS; retain: boolean; dup: boolean; ackId: number };
    blobs: [payload: Bytes];
  };
  "mqtt.subscribe": { args: { topic: string; qos: QoS } };
  "mqtt.close": Empty;
  "log.write": { args: { level: LogLevel; tag: string; message: string } };
  /** The motion detector's verdict on one frame (MotionViewPort); made only when the boot asked for it. */
  "motion.verdict": {
    args: { capturedAtMs: number; cols: number; rows: number; box: number[]; active: boolean; light: string };
    blobs: [cells: Bytes];
  };
  "system.restart": { args: { reason: string } };
  /** `v` is absent when the host does not know the signal strength. */
  "system.rssi": { result: { v?: number } };
  // The application slots (FirmwareSlotsPort); `fw.info` has no `slotBytes` when the host has none.
  "fw.info": { result: { slotBytes?: number } };
  "fw.begin": { args: { size: number; resume: boolean } };
  "fw.write": { args: { offset: number }; blobs: [bytes: Bytes] };
  "fw.abort": Empty;
  "fw.activate": Empty;
  "fw.state": { result: { state: "valid" | "pending" } };
  "fw.markValid": Empty;
  "fw.rollback": { args: { reason: string } };
  // The crypto port, one call per primitive as the device calls its native mbedtls module.
  "crypto.x25519": { blobs: [secret: Bytes] | [secret: Bytes, publicKey: Bytes]; resultBlobs: [Bytes] };
  "crypto.hmac": { blobs: [key: Bytes, data: Bytes]; resultBlobs: [Bytes] };
  "crypto.seal": { blobs: [key: Bytes, nonce: Bytes, aad: Bytes, plaintext: Bytes]; resultBlobs: [Bytes] };
  /** No result blob when the tag does not verify. */
  "crypto.open": { blobs: [key: Bytes, nonce: Bytes, aad: Bytes, sealed: Bytes]; resultBlobs: [] | [Bytes] };
  "crypto.random": { args: { length: number }; resultBlobs: [Bytes] };
  /** ECDSA P-256 over SHA-256 of `message`; `signature` is r || s. */
  "crypto.ecdsaP256Verify": {
    blobs: [publicKey: Bytes, message: Bytes, signature: Bytes];
    result: { valid: boolean };
  };
}

/** Calls only the XS unit-test runner answers (hosts/xs/run-tests.ts); the firmware never makes them. */
export interface TestHostCalls {
  "test.aes.seal": { blobs: [key: Bytes, nonce: Bytes, aad: Bytes, plaintext: Bytes]; resultBlobs: [Bytes] };
  "test.aes.open": { blobs: [key: Bytes, nonce: Bytes, aad: Bytes, sealed: Bytes]; resultBlobs: [] | [Bytes] };
}

/** The port events Node delivers to the guest, one XS crank each: `{ kind, ...fields }` and blobs. */
export interface HostEvents {
  timer: { args: { id: number } };
  edge: { args: { level: 0 | 1; atMs: number; coalesced?: boolean } };
  /** The guest answers with a "frame.release" call carrying the same id. */
  frame: { args: { id: number; capturedAtMs: number }; blobs: [jpeg: Bytes] };
  "mqtt.connect": Empty;
  "mqtt.disconnect": { args: { reason: string } };
  "mqtt.message": { args: { topic: string }; blobs: [payload: Bytes] };
  /** `error` is absent when the broker acknowledged the publish. */
  "mqtt.ack": { args: { ackId: number; error?: string } };
}

type ArgsOf<S extends Shape> = S["args"] extends object ? S["args"] : Empty;
type BlobsOf<S extends Shape> = S["blobs"] extends readonly Bytes[] ? S["blobs"] : [];
type ResultOf<S extends Shape> = S["result"] extends object ? S["result"] : Empty;
type ResultBlobsOf<S extends Shape> = S["resultBlobs"] extends readonly Bytes[] ? S["resultBlobs"] : [];

/** The JSON fields of a call or event (without `op` or `kind`). */
export type Args<T, K extends keyof T> = T[K] extends Shape ? ArgsOf<T[K]> : never;
/** The blobs of a call or event. */
export type Blobs<T, K extends keyof T> = T[K] extends Shape ? BlobsOf<T[K]> : never;

/** What `call` takes after the name: fields and blobs, each optional when the schema leaves it empty. */
export type CallRequest<T, K extends keyof T> =
  Empty extends Args<T, K>
    ? [] extends Blobs<T, K>
      ? [fields?: Args<T, K>, blobs?: Blobs<T, K>]
      : [fields: Args<T, K>, blobs: Blobs<T, K>]
    : [] extends Blobs<T, K>
      ? [fields: Args<T, K>, blobs?: Blobs<T, K>]
      : [fields: Args<T, K>, blobs: Blobs<T, K>];

/** The answer a call returns in the guest. */
export interface CallAnswer<T, K extends keyof T> {
  fields: T[K] extends Shape ? ResultOf<T[K]> : never;
  blobs: T[K] extends Shape ? ResultBlobsOf<T[K]> : never;
}

/** What a handler returns: parts the schema leaves empty may be left out (or nothing at all returned). */
export type Reply<T, K extends keyof T> = T[K] extends Shape
  ? Empty extends ResultOf<T[K]>
    ? [] extends ResultBlobsOf<T[K]>
      ? // biome-ignore lint/suspicious/noConfusingVoidType: a handler may return the port's own void result
        { fields?: ResultOf<T[K]>; blobs?: ResultBlobsOf<T[K]> } | undefined | void
      : { fields?: ResultOf<T[K]>; blobs: ResultBlobsOf<T[K]> }
    : [] extends ResultBlobsOf<T[K]>
      ? { fields: ResultOf<T[K]>; blobs?: ResultBlobsOf<T[K]> }
      : { fields: ResultOf<T[K]>; blobs: ResultBlobsOf<T[K]> }
  : never;

/** One handler per call of `T`, on the Node side. */
export type Handlers<T> = { [K in keyof T]: (fields: Args<T, K>, blobs: Blobs<T, K>) => Reply<T, K> };

/** One event as `deliver` takes it: the kind, its fields and its blobs (each optional when empty). */
export type HostEvent = {
  [K in keyof HostEvents]: [kind: K, ...CallRequest<HostEvents, K>];
}[keyof HostEvents];

/** Queues one event for the guest, typed by its kind. */
export type Deliver = (...event: HostEvent) => void;

/** The guest's side of the events: one listener per kind. */
export type EventListeners = {
  [K in keyof HostEvents]: (fields: Args<HostEvents, K>, blobs: Blobs<HostEvents, K>) => void;
};
