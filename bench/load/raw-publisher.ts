// SPDX-License-Identifier: MIT
// The bridge bench's light publisher: MQTT 3.1.1 over a plain socket, with every PUBLISH packet encoded
// before the timed run, so the timed part only writes bytes and counts PUBACKs. QoS 1, up to `window`
// unacknowledged, one connection: the broker gets the packets in this order and keeps it per topic.
// Loopback benches only: no TLS, no retransmission (a lost connection fails the run).
import { connect, type Socket } from "node:net";

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
  close(): void;
}

/** Connects to `host:port` and encodes `messages` (packet ids cycle through 1..65535; `window` must stay below). */
export async function connectRawPublisher(o: {
  host: string;
  port: number;
  clientId: string;
  messages: RawMessage[];
}): Promise<RawPublisher> {
  const packets = o.messages.map((m, i) => publishPacket(m, (i % 65535) + 1));
  const socket: Socket = connect({ host: o.host, port: o.port, noDelay: true });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.once("connect", () => socket.write(connectPacket(o.clientId)));
    socket.once("data", (chunk: Buffer) =>
      chunk[0] === 0x20 && chunk[3] === 0 ? resolve() : reject(new Error(`CONNACK refused: ${chunk.toString("hex")}`)),
    );
  });
  let pending: Buffer = Buffer.alloc(0);
  return {
    publishAll(window, limitMs) {
      if (window >= 65535) throw new RangeError(`window: ${window} is not accepted; use fewer than 65,535`);
      return new Promise((resolve, reject) => {
        let sent = 0;
        let acked = 0;
        const startedAtMs = Date.now();
        const timer = setTimeout(() => reject(new Error(`${acked} of ${packets.length} acknowledged`)), limitMs);
        const fill = () => {
          const batch: Buffer[] = [];
          while (sent < packets.length && sent - acked < window) batch.push(packets[sent++]);
          if (batch.length) socket.write(Buffer.concat(batch));
        };
        socket.on("error", (error) => (clearTimeout(timer), reject(error)));
        socket.on("data", (chunk: Buffer) => {
          pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
          let at = 0;
          // PUBACK is 40 02 id id (§3.4); the broker sends nothing else to a client that subscribes to nothing.
          while (pending.length - at >= 4 && pending[at] === 0x40) acked++, (at += 4);
          pending = pending.subarray(at);
          if (acked >= packets.length) {
            clearTimeout(timer);
            resolve({ startedAtMs, acked });
          } else fill();
        });
        fill();
      });
    },
    close: () => void socket.destroy(),
  };
}
