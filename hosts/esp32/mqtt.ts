// SPDX-License-Identifier: MIT
// The MQTT port on the device: one ECMA-419 client session per `connect()`, over mutual TLS.
// QoS 0 and 1 only; a QoS 1 publish is acknowledged on its PUBACK [MQTT-4.3.2]. Clean session,
// no retransmission, no persistence and no reconnect here: the firmware owns all of that.
import Timer from "timer";
import type { LogPort, MqttConnectOptions, MqttPort, PublishOptions, QoS } from "../../modules/ports.js";
import { callSafely, describeError } from "./guard.js";
import {
  CONNACK,
  openMqttClient,
  PUBACK,
  SUBACK,
  type ControlMessage,
  type RawClient,
  type ReadableInfo,
  type TlsCredentials,
} from "./mqtt-client.js";
import { createOutbound, type Outbound, type Queued } from "./mqtt-outbound.js";

const TAG = "mqtt";
/** Incoming PUBLISH payloads above this are read and dropped (commands are small). */
export const MAX_INCOMING_BYTES = 65536;
/** SUBACK return code for a refused subscription [MQTT-3.9.3]. */
const SUBACK_FAILURE = 0x80;

export interface Esp32MqttOptions {
  /** Broker host name or IPv4 address. */
  host: string;
  /** Broker TLS port, usually 8883. */
  port: number;
  tls: TlsCredentials;
  /** DNS servers, asked at each connect (e.g. the DHCP ones from `Net.get("DNS")`). */
  dnsServers(): string[];
  log: LogPort;
}

interface Incoming {
  topic: string;
  /** undefined while a too-large message is read and discarded */
  bytes: Uint8Array | undefined;
  at: number;
}

interface Session {
  client: RawClient;
  outbound: Outbound;
  callbacks: MqttConnectOptions;
  connected: boolean;
  /** QoS 1 PUBLISH packet id -> its onAck. */
  awaitingPuback: Map<number, ((error?: string) => void) | undefined>;
  awaitingSuback: Set<number>;
  incoming: Incoming | undefined;
}

/** True unless the resolver answers `host` by itself (an IPv4 literal or an mDNS `.local` name). */
function needsDns(host: string): boolean {
  return !/^\d{1,3}(\.\d{1,3}){3}$/.test(host) && !host.endsWith(".local") && host !== "localhost";
}

/** Runs `fn` on a later turn of the event loop, so no caller sees its own callback re-entered. */
function later(fn: () => void): void {
  Timer.set(fn, 0);
}

/**
 * Creates the MQTT port.
 * - `onDisconnect` also reports a connect attempt that failed (DNS, TCP, TLS, or a refused
 *   CONNACK; the SDK traces which); the firmware decides when to call `connect` again.
 * - When a session ends, every publish not yet acknowledged gets `onAck(error)`.
 * - `close()` drops the socket without DISCONNECT, so the broker publishes the will, and does not
 *   call `onDisconnect`.
 * - TLS needs the wall clock (certificate validity); before SNTP has set it, connects fail.
 */
export function createEsp32Mqtt(options: Esp32MqttOptions): MqttPort {
  const { log } = options;
  let session: Session | undefined;
  let lastId = 0;

  const nextPacketId = (s: Session): number => (lastId = freePacketId(s, lastId));

  const ackLater = (onAck: ((error?: string) => void) | undefined, error?: string) => {
    if (onAck) later(() => callSafely(log, TAG, "onAck", () => onAck(error)));
  };

  /** Ends `s`: fails what is outstanding with `error` and, if `notify`, reports `reason` to the firmware. */
  const end = (s: Session, error: string, notify: boolean) => {
    if (session !== s) return;
    session = undefined;
    const wasConnected = s.connected;
    s.connected = false;
    for (const item of s.outbound.drain()) if (item.kind === "publish") item.onDropped(error);
    for (const onAck of s.awaitingPuback.values()) ackLater(onAck, error);
    s.awaitingPuback.clear();
    try {
      s.client.close();
    } catch {
      // the client closes itself after onError; a second close may throw
    }
    if (!notify) return;
    const reason = wasConnected ? error : `connect failed: ${error}`;
    log.write("warn", TAG, reason);
    later(() => callSafely(log, TAG, "onDisconnect", () => s.callbacks.onDisconnect(reason)));
  };

  /**
   * Runs `write` (a push onto `s`'s outbound queue, or a flush when the socket turns writable); a write the
   * client refuses ends the session.
   */
  const send = (s: Session, write: () => void) => {
    try {
      write();
    } catch (error) {
      end(s, `write failed: ${describeError(error)}`, true);
    }
  };

  const enqueue = (s: Session, item: Queued) => send(s, () => s.outbound.push(item));

  return {
    connect(callbacks) {
      if (session) end(session, "superseded by a new connect", false);
      let s: Session | undefined;
      try {
        s = openSession(options, callbacks, {
          onControl: (message) => s && session === s && handleControl(s, message, log, options),
          onReadable: (count, info) => s && readIncoming(s, count, info, session === s, log),
          onWritable: (count) => {
            const live = s;
            if (live && session === live && live.connected) send(live, () => live.outbound.writable(count));
          },
          onError: () => s && end(s, s.connected ? "connection lost" : "no session (DNS, TCP, TLS or CONNACK)", true),
        });
        session = s;
        log.write("info", TAG, `connecting to ${options.host}:${options.port} as ${callbacks.clientId}`);
      } catch (error) {
        const reason = `connect failed: ${describeError(error)}`;
        log.write("warn", TAG, reason);
        later(() => callSafely(log, TAG, "onDisconnect", () => callbacks.onDisconnect(reason)));
      }
    },

    publish(topic, payload, publishOptions, onAck) {
      const s = session;
      if (!s?.connected) {
        ackLater(onAck, "not connected");
        return;
      }
      const id = publishOptions.qos ? nextPacketId(s) : 0;
      if (id) s.awaitingPuback.set(id, onAck);
      enqueue(
        s,
        publishItem(topic, payload, publishOptions, id, (error) => ackLater(onAck, error)),
      );
    },

    subscribe(topic, qos) {
      const s = session;
      if (!s?.connected) {
        log.write("warn", TAG, `subscribe to ${topic} ignored: not connected`);
        return;
      }
      const id = nextPacketId(s);
      s.awaitingSuback.add(id);
      enqueue(s, { kind: "subscribe", topic, qos, id });
    },

    get connected() {
      return session?.connected ?? false;
    },

    close() {
      if (session) end(session, "closed", false);
    },
  };
}

type ClientEvents = Pick<Parameters<typeof openMqttClient>[0], "onControl" | "onReadable" | "onWritable" | "onError">;

/** Opens one client session; throws when it cannot even start (no DNS server, a refused socket). */
function openSession(options: Esp32MqttOptions, callbacks: MqttConnectOptions, events: ClientEvents): Session {
  const { will } = callbacks;
  const dnsServers = options.dnsServers();
  // The SDK resolver retries forever with no server; fail the attempt instead.
  if (!dnsServers.length && needsDns(options.host)) throw new Error("no DNS server; is Wi-Fi up?");
  const client = openMqttClient({
    host: options.host,
    port: options.port,
    clientId: callbacks.clientId,
    keepAliveMs: callbacks.keepAliveS * 1000,
    will: { topic: will.topic, message: will.payload.slice().buffer, QoS: will.qos, retain: will.retain },
    tls: options.tls,
    dnsServers,
    ...events,
  });
  return {
    client,
    outbound: createOutbound(client),
    callbacks,
    connected: false,
    awaitingPuback: new Map(),
    awaitingSuback: new Set(),
    incoming: undefined,
  };
}

/** CONNACK, PUBACK and SUBACK of the current session `s`. */
function handleControl(s: Session, message: ControlMessage, log: LogPort, options: Esp32MqttOptions): void {
  const id = message.id ?? 0;
  if (message.operation === CONNACK) {
    s.connected = true;
    log.write("info", TAG, `connected to ${options.host}:${options.port}`);
    callSafely(log, TAG, "onConnect", () => s.callbacks.onConnect());
  } else if (message.operation === PUBACK && s.awaitingPuback.has(id)) {
    const onAck = s.awaitingPuback.get(id);
    s.awaitingPuback.delete(id);
    if (onAck) callSafely(log, TAG, "onAck", () => onAck());
  } else if (message.operation === SUBACK) {
    s.awaitingSuback.delete(id);
    const codes = message.payload ? Array.from(message.payload) : [];
    if (codes.includes(SUBACK_FAILURE))
      log.write("warn", TAG, `subscription ${id} refused by the broker; check its ACL`);
  }
}

/**
 * Reads `count` bytes of an incoming PUBLISH (always, so the client's buffer drains) and, for the current
 * session, gathers them; a message over MAX_INCOMING_BYTES is read and dropped.
 */
function readIncoming(s: Session, count: number, info: ReadableInfo, current: boolean, log: LogPort): void {
  const chunk = new Uint8Array(s.client.read(count));
  if (!current) return;
  if (info.topic !== undefined) {
    const size = info.byteLength ?? chunk.length;
    const keep = size <= MAX_INCOMING_BYTES;
    if (!keep) log.write("warn", TAG, `dropped a ${size}-byte message; the limit is ${MAX_INCOMING_BYTES}`);
    s.incoming = { topic: info.topic, bytes: keep ? new Uint8Array(size) : undefined, at: 0 };
  }
  const message = s.incoming;
  if (!message) return;
  if (message.bytes) message.bytes.set(chunk.subarray(0, message.bytes.length - message.at), message.at);
  message.at += chunk.length;
  if (info.more) return;
  s.incoming = undefined;
  const bytes = message.bytes;
  if (bytes) callSafely(log, TAG, "onMessage", () => s.callbacks.onMessage(message.topic, bytes));
}

/** The next packet id after `lastId`: non-zero and unused among in-flight packets [MQTT-2.3.1-1, MQTT-2.3.1-2]. */
function freePacketId(s: Session, lastId: number): number {
  for (let tries = 0; tries < 65535; tries++) {
    lastId = (lastId % 65535) + 1;
    if (!s.awaitingPuback.has(lastId) && !s.awaitingSuback.has(lastId)) return lastId;
  }
  throw new Error("mqtt: all 65535 packet ids are in flight; wait for PUBACKs");
}

/** A PUBLISH for the outbound queue; a QoS 0 one is acknowledged once written, a QoS 1 one on its PUBACK. */
function publishItem(
  topic: string,
  payload: Uint8Array,
  options: PublishOptions,
  id: number,
  ackQos0: (error?: string) => void,
): Queued {
  const qos: QoS = options.qos;
  return {
    kind: "publish",
    topic,
    payload,
    qos,
    retain: options.retain,
    dup: options.dup ?? false,
    id,
    onWritten: () => {
      if (!qos) ackQos0();
    },
    onDropped: (error) => {
      if (!qos) ackQos0(error); // QoS 1 acks are failed from awaitingPuback
    },
  };
}
