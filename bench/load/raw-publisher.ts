// SPDX-License-Identifier: MIT
// The bridge bench's light publisher: MQTT 3.1.1 over a plain socket, with every PUBLISH packet encoded
// before the timed run, so the timed part only writes bytes and counts PUBACKs. QoS 1, up to `window`
// unacknowledged, one connection: the broker gets the packets in this order and keeps it per topic.
// `publishConfirmed` replays as devices with delivery confirmations do (modules/outbox.ts): at most
// CONFIRM_WINDOW events of a device wait for the bridge's confirmation, each checked against its key.
// Loopback benches only: no TLS, no retransmission (a lost connection fails the run).
import { connect, type Socket } from "node:net";
import type { CryptoPort } from "../../modules/ports.js";
import { type ConfirmableMessage, type ConfirmedRun, createConfirmedReplay } from "./confirmed-replay.js";
import { type MqttFrame, readFrames } from "./mqtt-frames.js";

export type { ConfirmableMessage, ConfirmedRun } from "./confirmed-replay.js";

export interface RawMessage {
  topic: string;
  payload: Uint8Array;
}

/** A variable byte integer (MQTT 3.1.1 §2.2.3). */
function remainingLength(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

function utf8Field(text: string): Buffer {
  const bytes = Buffer.from(text, "utf8");
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
}

/** CONNECT, clean session, keepalive 0 (§3.1). */
function connectPacket(clientId: string): Buffer {
  const body = Buffer.concat([utf8Field("MQTT"), Buffer.from([4, 0x02, 0, 0]), utf8Field(clientId)]);
  return Buffer.concat([Buffer.from([0x10, ...remainingLength(body.length)]), body]);
}

/** SUBSCRIBE `filter` at QoS 1 with packet id 1 (§3.8; fixed header flags 0010 [MQTT-3.8.1-1]). */
function subscribePacket(filter: string): Buffer {
  const body = Buffer.concat([Buffer.from([0, 1]), utf8Field(filter), Buffer.from([1])]);
  return Buffer.concat([Buffer.from([0x82, ...remainingLength(body.length)]), body]);
}

/** PUBLISH, QoS 1, not retained (§3.3), with packet id `id` (1..65535). */
export function publishPacket(m: RawMessage, id: number): Buffer {
  const topic = utf8Field(m.topic);
  const length = topic.length + 2 + m.payload.length;
  return Buffer.concat([
    Buffer.from([0x32, ...remainingLength(length)]),
    topic,
    Buffer.from([id >> 8, id & 0xff]),
    m.payload,
  ]);
}

export interface RawPublisher {
  /**
   * Writes every packet, at most `window` unacknowledged, and resolves with the time of the first write
   * (Date.now()) once every PUBACK is in, or rejects after `limitMs` or when the connection fails.
   */
  publishAll(window: number, limitMs: number): Promise<{ startedAtMs: number; acked: number }>;
  /**
   * Subscribes to `ackFilter` (QoS 1, as the firmware subscribes to its confirmation topic), then writes the
   * messages as devices with `outbox.confirm` do: each device's in order, the next one only once fewer than
   * CONFIRM_WINDOW of that device wait for the bridge's confirmation, and at most `window` unacknowledged by the
   * broker. Resolves once every event is confirmed; rejects after `limitMs` or when the connection fails.
   */
  publishConfirmed(o: {
    window: number;
    ackFilter: string;
    crypto: Pick<CryptoPort, "hmacSha256">;
    limitMs: number;
  }): Promise<ConfirmedRun>;
  close(): void;
}

/** Connects to `host:port` and encodes `messages`. */
export async function connectRawPublisher(o: {
  host: string;
  port: number;
  clientId: string;
  messages: RawMessage[] | ConfirmableMessage[];
}): Promise<RawPublisher> {
  const packets = o.messages.map((m, i) => publishPacket(m, (i % 65535) + 1));
  const socket: Socket = connect({ host: o.host, port: o.port, noDelay: true });
  let onFrame: (f: MqttFrame) => void = () => undefined;
  let onChunkEnd: () => void = () => undefined;
  let pending: Buffer = Buffer.alloc(0);
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.once("connect", () => socket.write(connectPacket(o.clientId)));
    onFrame = (f) =>
      f.type === 2 && f.body[1] === 0 ? resolve() : reject(new Error(`CONNACK refused: ${f.body.toString("hex")}`));
    socket.on("data", (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      const { frames, rest } = readFrames(pending);
      pending = rest;
      for (const f of frames) onFrame(f);
      onChunkEnd();
    });
  });
  const run = <T>(limitMs: number, body: (resolve: (v: T) => void, reject: (e: Error) => void) => void) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not done in ${limitMs} ms`)), limitMs);
      socket.on("error", (error) => (clearTimeout(timer), reject(error)));
      body((v) => (clearTimeout(timer), resolve(v)), reject);
    });
  return {
    publishAll(window, limitMs) {
      if (window >= 65535) throw new RangeError(`window: ${window} is not accepted; use fewer than 65,535`);
      return run(limitMs, (resolve) => {
        let sent = 0;
        let acked = 0;
        const startedAtMs = Date.now();
        const fill = () => {
          const batch: Buffer[] = [];
          while (sent < packets.length && sent - acked < window) batch.push(packets[sent++]);
          if (batch.length) socket.write(Buffer.concat(batch));
        };
        // PUBACK (§3.4): the broker sends nothing else to a client that subscribes to nothing. The next packets go
        // once per read, after every PUBACK in it is counted, in one write.
        onFrame = (f) => void (f.type === 4 && acked++);
        onChunkEnd = () => (acked >= packets.length ? resolve({ startedAtMs, acked }) : fill());
        fill();
      });
    },
    async publishConfirmed(c) {
      if (c.window >= 65535) throw new RangeError(`window: ${c.window} is not accepted; use fewer than 65,535`);
      const messages = o.messages as ConfirmableMessage[];
      if (messages.some((m) => !m.confirmKey)) throw new Error("publishConfirmed needs each message's confirmKey");
      await run<void>(10_000, (resolve) => {
        onFrame = (f) => f.type === 9 && (f.body[2] === 1 ? resolve() : socket.destroy(new Error("SUBSCRIBE refused")));
        socket.write(subscribePacket(c.ackFilter));
      });
      return run(c.limitMs, (resolve) => {
        const replay = createConfirmedReplay({ ...c, messages, packets, write: (bytes) => socket.write(bytes) });
        onFrame = replay.onFrame;
        onChunkEnd = () => (replay.done() ? resolve(replay.result) : replay.fill());
        replay.fill();
      });
    },
    close: () => void socket.destroy(),
  };
}
