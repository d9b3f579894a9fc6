// SPDX-License-Identifier: MIT
// Node side of the bridge: answers the XS guest's host calls (host-calls.ts) with a real Node Host, and turns
// that host's callbacks (timers, edges, frames, MQTT) into events for the guest, queued one at a time
// because the worker is single-threaded and may be blocked inside a call.
import type { Frame, Host, TimerHandle } from "../../modules/ports.js";
import type { Deliver, Handlers, HostCalls } from "./host-calls.js";
import { decodeWire, encodeWire, type WireFields } from "./wire.js";

export type { Deliver } from "./host-calls.js";

export interface HostServer {
  /** Answers one guest request (the worker's synchronous `issueCommand`). */
  answer(request: Uint8Array): Uint8Array;
  /** Frames handed to the guest and not yet released. */
  readonly framesOutstanding: number;
  close(): void;
}

type Group<K extends keyof HostCalls> = Pick<Handlers<HostCalls>, K>;

/**
 * Serves `host` to a guest; `deliver` queues an event for the guest's `handleCommand`. `extra` answers calls
 * beyond HostCalls (the unit-test runner's TestHostCalls).
 */
export function serveHost<Extra = Record<never, never>>(
  host: Host,
  deliver: Deliver,
  extra?: Handlers<Extra>,
): HostServer {
  const timers = new Map<number, TimerHandle>();
  const frames = new Map<number, Frame>();
  const handlers: Handlers<HostCalls> = {
    ...clockAndTimerCalls(host, deliver, timers),
    ...deviceCalls(host, deliver, frames),
    ...storageCalls(host),
    ...mqttCalls(host, deliver),
    ...cryptoCalls(host),
    ...slotCalls(host),
  };
  const table = { ...extra, ...handlers } as unknown as Record<
    string,
    (fields: WireFields, blobs: Uint8Array[]) => unknown
  >;
  const encode = (fields: WireFields = {}, blobs: readonly Uint8Array[] = []) =>
    new Uint8Array(encodeWire(fields, blobs));

  return {
    answer(request) {
      const { fields, blobs } = decodeWire(request);
      const op = String(fields.op);
      if (!Object.hasOwn(table, op)) return encode({ error: `unknown host call ${op}` });
      delete fields.op;
      try {
        const reply = table[op](fields, blobs) as { fields?: WireFields; blobs?: Uint8Array[] } | undefined;
        return encode(reply?.fields, reply?.blobs);
      } catch (error) {
        return encode({ error: `${op}: ${(error as Error).message}` });
      }
    },
    get framesOutstanding() {
      return frames.size;
    },
    close() {
      for (const handle of timers.values()) host.timers.clear(handle);
      timers.clear();
      for (const frame of frames.values()) frame.release();
      frames.clear();
    },
  };
}

function clockAndTimerCalls(
  host: Host,
  deliver: Deliver,
  timers: Map<number, TimerHandle>,
): Group<"clock.mono" | "clock.wall" | "timer.set" | "timer.clear"> {
  return {
    "clock.mono": () => ({ fields: { v: host.clock.monotonicMs() } }),
    "clock.wall": () => ({ fields: { v: host.clock.wallMs() } }),
    "timer.set": ({ id, ms }) => {
      const fire = () => {
        timers.delete(id);
        deliver("timer", { id });
      };
      timers.set(id, host.timers.set(fire, ms));
    },
    "timer.clear": ({ id }) => {
      const handle = timers.get(id);
      if (handle) host.timers.clear(handle);
      timers.delete(id);
    },
  };
}

/** The button, the chime, the camera and the system port. */
function deviceCalls(
  host: Host,
  deliver: Deliver,
  frames: Map<number, Frame>,
): Group<
  | "button.open"
  | "button.read"
  | "button.close"
  | "chime.write"
  | "camera.start"
  | "camera.restart"
  | "camera.stop"
  | "frame.release"
  | "log.write"
  | "motion.verdict"
  | "system.restart"
  | "system.rssi"
> {
  let nextFrameId = 1;
  return {
    "button.open": () =>
      host.button.open({
        onEdge: ({ level, atMs, coalesced }) => deliver("edge", { level, atMs, coalesced }),
      }),
    "button.read": () => ({ fields: { v: host.button.read() } }),
    "button.close": () => host.button.close(),
    "chime.write": ({ level }) => host.chime.write(level),
    "camera.start": () =>
      host.camera.start({
        onFrame(frame) {
          const id = nextFrameId++;
          frames.set(id, frame);
          deliver("frame", { id, capturedAtMs: frame.capturedAtMs }, [frame.jpeg]);
        },
      }),
    "camera.restart": () => host.camera.restart(),
    "camera.stop": () => host.camera.stop(),
    "frame.release": ({ id }) => {
      frames.get(id)?.release();
      frames.delete(id);
    },
    "log.write": ({ level, tag, message }) => host.log.write(level, tag, message),
    "motion.verdict": (v, [cells]) => host.motionView?.verdict({ ...v, cells }),
    "system.restart": ({ reason }) => host.system.restart(reason),
    "system.rssi": () => ({ fields: { v: host.system.rssiDbm() } }),
  };
}

function storageCalls(
  host: Host,
): Group<"kv.get" | "kv.set" | "kv.delete" | "log.append" | "log.ids" | "log.read" | "log.records" | "log.remove"> {
  const { kv, log } = host.storage;
  return {
    "kv.get": ({ key }) => {
      const value = kv.get(key);
      return { blobs: value ? [value] : [] };
    },
    "kv.set": ({ key }, [value]) => kv.set(key, value),
    "kv.delete": ({ key }) => kv.delete(key),
    "log.append": (_, [record]) => ({ fields: { id: log.append(record) } }),
    "log.ids": () => ({ fields: { ids: log.ids() } }),
    "log.read": ({ id }) => {
      const bytes = log.read(id);
      return { blobs: bytes ? [bytes] : [] };
    },
    "log.records": () => {
      const records = log.records();
      return { fields: { ids: records.map((r) => r.id) }, blobs: records.map((r) => r.bytes) };
    },
    "log.remove": ({ id }) => log.remove(id),
  };
}

function mqttCalls(
  host: Host,
  deliver: Deliver,
): Group<"mqtt.connect" | "mqtt.publish" | "mqtt.subscribe" | "mqtt.close"> {
  return {
    "mqtt.connect": ({ clientId, keepAliveS, will }, [willPayload]) =>
      host.mqtt.connect({
        clientId,
        keepAliveS,
        will: { ...will, payload: willPayload },
        onConnect: () => deliver("mqtt.connect"),
        onDisconnect: (reason) => deliver("mqtt.disconnect", { reason }),
        onMessage: (topic, payload) => deliver("mqtt.message", { topic }, [payload]),
      }),
    "mqtt.publish": ({ topic, qos, retain, dup, ackId }, [payload]) => {
      const onAck = ackId ? (error?: string) => deliver("mqtt.ack", { ackId, error }) : undefined;
      host.mqtt.publish(topic, payload, { qos, retain: !!retain, dup: !!dup }, onAck);
    },
    "mqtt.subscribe": ({ topic, qos }) => host.mqtt.subscribe(topic, qos),
    "mqtt.close": () => host.mqtt.close(),
  };
}

function cryptoCalls(host: Host): Group<Extract<keyof HostCalls, `crypto.${string}`>> {
  const { crypto } = host;
  return {
    "crypto.x25519": (_, [secret, publicKey]) => ({ blobs: [crypto.x25519(secret, publicKey)] }),
    "crypto.hmac": (_, [key, data]) => ({ blobs: [crypto.hmacSha256(key, data)] }),
    "crypto.seal": (_, [key, nonce, aad, plaintext]) => ({
      blobs: [crypto.chacha20Poly1305Seal(key, nonce, aad, plaintext)],
    }),
    "crypto.open": (_, [key, nonce, aad, sealed]) => {
      const opened = crypto.chacha20Poly1305Open(key, nonce, aad, sealed);
      return { blobs: opened ? [opened] : [] };
    },
    "crypto.random": ({ length }) => ({ blobs: [crypto.randomBytes(length)] }),
    "crypto.ecdsaP256Verify": (_, [publicKey, message, signature]) => ({
      fields: { valid: crypto.ecdsaP256Verify(publicKey, message, signature) },
    }),
  };
}

/** The application slots; a host without them answers `fw.info` with no size, and the guest then has none. */
function slotCalls(host: Host): Group<Extract<keyof HostCalls, `fw.${string}`>> {
  const slots = () => {
    if (!host.firmware) throw new Error("this host has no application slots");
    return host.firmware;
  };
  return {
    "fw.info": () => ({ fields: host.firmware ? { slotBytes: host.firmware.slotBytes } : {} }),
    "fw.begin": ({ size, resume }) => slots().begin(size, resume),
    "fw.write": ({ offset }, [bytes]) => slots().write(offset, bytes),
    "fw.abort": () => slots().abort(),
    "fw.activate": () => slots().activate(),
    "fw.state": () => ({ fields: { state: slots().runningState() } }),
    "fw.markValid": () => slots().markValid(),
    "fw.rollback": ({ reason }) => slots().rollback(reason),
  };
}
