// SPDX-License-Identifier: MIT
// Fake of the ECMA-419 `embedded:network/mqtt/client` (examples/io/tcp/mqttclient/mqttclient.js) that
// writes real MQTT 3.1.1 bytes through the socket fakes, with a broker side the test drives.
// As in the SDK: the constructor resolves the host with `dns.io` and opens `socket.io` on a later turn
// (any failure ends in onError, then close); CONNECT goes out on the first onWritable; onControl gets
// one message object ({operation, id, payload, returnCode}); after CONNACK onWritable reports the
// socket's space less 8 (Overhead); a PUBLISH fragment that does not fit throws "overflow"; a PUBLISH
// whose data is shorter than `byteLength` leaves the client "publishing", and only `write(data)` with no
// options (at most the remaining bytes) continues it; a refused CONNACK is an error; keep-alive sends
// PINGREQ at 3/4 of the interval and fails with no packet within 1.5 intervals; a pending 30 s connect
// timer fails a silent connect. Not modelled: QoS 2, incoming bytes (the broker side calls
// `onControl`/`onReadable` at message level), UNSUBSCRIBE.
import { loopNowMs, post } from "./event-loop.js";
import Timer from "./timer.js";

const OVERHEAD = 8;
const CONNECT = 1;
const CONNACK = 2;
const PUBLISH = 3;
const PUBACK = 4;
const SUBSCRIBE = 8;
const PINGREQ = 12;
const DISCONNECT = 14;

type Socket = { write(data: Uint8Array, options?: { more?: boolean; byteLength?: number }): number; close(): void };
type SocketClass = new (options: Record<string, unknown>) => Socket;

interface Options {
  host: string;
  port?: number;
  id?: string;
  clean?: boolean;
  keepAlive?: number;
  keepalive?: number;
  will?: { topic: string; message: ArrayBuffer | string; QoS?: number; retain?: boolean };
  dns: { io: new (o: unknown) => { resolve(r: unknown): void } } & Record<string, unknown>;
  socket: { io: SocketClass } & Record<string, unknown>;
  onControl?(message: Record<string, unknown>): void;
  onReadable?(count: number, info: Record<string, unknown>): void;
  onWritable?(count: number): void;
  onError?(): void;
  onClose?(): void;
}

let current: MQTTClient | undefined;
/** The client most recently constructed (the broker side talks to it). */
export function currentClient(): MQTTClient | undefined {
  return current;
}
export function resetMqttClient(): void {
  current = undefined;
}

function utf8(text: string | ArrayBuffer | undefined): Uint8Array {
  if (text === undefined) return new Uint8Array(0);
  const raw = typeof text === "string" ? new TextEncoder().encode(text) : new Uint8Array(text);
  const out = new Uint8Array(raw.length + 2);
  out[0] = raw.length >> 8;
  out[1] = raw.length & 0xff;
  out.set(raw, 2);
  return out;
}

/** MQTT Remaining Length bytes (MQTT 3.1.1 §2.2.3). */
export function remainingLength(length: number): Uint8Array {
  const out: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    out.push(byte);
  } while (length > 0);
  return Uint8Array.from(out);
}

class MQTTClient {
  static readonly CONNECT = CONNECT;
  static readonly CONNACK = CONNACK;
  static readonly PUBLISH = PUBLISH;
  static readonly PUBACK = PUBACK;
  static readonly SUBSCRIBE = SUBSCRIBE;
  static readonly SUBACK = 9;
  static readonly PINGREQ = PINGREQ;
  static readonly PINGRESP = 13;
  static readonly DISCONNECT = DISCONNECT;

  #options: Options | undefined;
  #socket: Socket | undefined;
  #state: "resolving" | "connecting" | "login" | "connected" | "publishing" | "closed" = "resolving";
  #writable = 0;
  #remaining = 0;
  #id = 1;
  #connecting: Timer | undefined;
  #keepalive: Timer | undefined;
  #lastReadMs = 0;
  #lastWriteMs = 0;
  /** Payload bytes of the incoming message the client may still `read`. */
  #incoming: Uint8Array = new Uint8Array(0);

  constructor(options: Options) {
    if (!options.host) throw new Error("host required");
    this.#options = options;
    current = this;
    const dns = new options.dns.io(options.dns);
    dns.resolve({
      host: options.host,
      onResolved: (host: string, address: string) => {
        try {
          this.#state = "connecting";
          this.#socket = new options.socket.io({
            ...options.socket,
            address,
            host,
            port: options.port ?? 1883,
            onReadable: () => {},
            onWritable: (count: number) => this.#onWritable(count),
            onError: () => this.#onError(),
          });
          this.#connecting = Timer.set(() => this.#onError(), 30_000);
        } catch {
          this.#onError();
        }
      },
      onError: () => this.#onError(),
    });
  }

  get state(): string {
    return this.#state;
  }

  write(data: Uint8Array | ArrayBuffer | null, options?: Record<string, unknown>): number {
    const socket = this.#socket;
    if (!socket || (this.#state !== "connected" && this.#state !== "publishing")) throw new Error();
    const bytes = data === null ? new Uint8Array(0) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    if (this.#state === "publishing") {
      if (options || bytes.byteLength > this.#remaining) throw new Error();
      this.#writable = socket.write(bytes.slice());
      this.#remaining -= bytes.byteLength;
      if (this.#remaining === 0) this.#state = "connected";
      return this.#room();
    }
    if (!options) throw new Error();
    const operation = (options.operation as number | undefined) ?? PUBLISH;
    const id = (options.id as number | undefined) ?? ++this.#id;
    if (operation === PUBLISH) this.#publish(socket, bytes, options, id);
    else if (operation === SUBSCRIBE) this.#subscribe(socket, options.items as { topic: string; QoS?: number }[], id);
    else if (operation === PINGREQ || operation === DISCONNECT) this.#send(socket, Uint8Array.of(operation << 4, 0));
    else if (operation === PUBACK) this.#send(socket, Uint8Array.of(PUBACK << 4, 2, id >> 8, id & 0xff));
    else throw new Error("unknown");
    return this.#room();
  }

  #room(): number {
    return this.#writable > OVERHEAD ? this.#writable - OVERHEAD : 0;
  }

  #send(socket: Socket, packet: Uint8Array): void {
    if (packet.length > this.#writable) throw new Error("overflow");
    this.#writable = socket.write(packet);
    this.#lastWriteMs = loopNowMs();
  }

  #publish(socket: Socket, data: Uint8Array, options: Record<string, unknown>, id: number): void {
    const qos = (options.QoS as number | undefined) ?? 0;
    const byteLength = (options.byteLength as number | undefined) ?? data.byteLength;
    if (data.byteLength > byteLength) throw new Error("invalid");
    const topic = utf8(options.topic as string);
    const payload = topic.length + byteLength + (qos ? 2 : 0);
    const header = remainingLength(payload);
    const fragment = 1 + header.length + topic.length + (qos ? 2 : 0) + data.byteLength;
    if (fragment > this.#writable) throw new Error("overflow");
    const flags = (options.retain ? 1 : 0) | ((qos & 3) << 1) | (options.duplicate ? 8 : 0);
    socket.write(Uint8Array.of((PUBLISH << 4) | flags), { more: true, byteLength: fragment });
    socket.write(header, { more: true });
    socket.write(topic, { more: true });
    if (qos) socket.write(Uint8Array.of(id >> 8, id & 0xff), { more: true });
    this.#writable = socket.write(data.slice());
    this.#lastWriteMs = loopNowMs();
    if (data.byteLength < byteLength) {
      this.#state = "publishing";
      this.#remaining = byteLength - data.byteLength;
    }
  }

  #subscribe(socket: Socket, items: { topic: string; QoS?: number }[], id: number): void {
    const topics = items.map((item) => utf8(item.topic));
    const payload = 2 + topics.reduce((n, t) => n + t.length + 1, 0);
    const header = remainingLength(payload);
    const packet = new Uint8Array(1 + header.length + payload);
    packet[0] = (SUBSCRIBE << 4) | 2;
    packet.set(header, 1);
    let at = 1 + header.length;
    packet.set([id >> 8, id & 0xff], at);
    at += 2;
    topics.forEach((t, i) => {
      packet.set(t, at);
      at += t.length;
      packet[at++] = (items[i].QoS ?? 0) & 3;
    });
    this.#send(socket, packet);
  }

  #onWritable(count: number): void {
    this.#writable = count;
    const options = this.#options;
    const socket = this.#socket;
    if (!options || !socket) return;
    if (this.#state === "connecting") {
      Timer.clear(this.#connecting);
      this.#connecting = undefined;
      this.#sendConnect(options, socket);
      return;
    }
    if ((this.#state === "connected" || this.#state === "publishing") && this.#writable > OVERHEAD)
      options.onWritable?.call(this, this.#writable - OVERHEAD);
  }

  #sendConnect(options: Options, socket: Socket): void {
    const keepaliveS = Math.ceil((options.keepAlive ?? options.keepalive ?? 0) / 1000);
    const will = options.will;
    const parts = [utf8(options.id ?? ""), ...(will ? [utf8(will.topic), utf8(will.message)] : [])];
    const flags =
      ((options.clean ?? true) ? 2 : 0) | (will ? 0x04 : 0) | (will?.retain ? 0x20 : 0) | (((will?.QoS ?? 0) & 3) << 3);
    const variable = Uint8Array.of(0, 4, 77, 81, 84, 84, 4, flags, keepaliveS >> 8, keepaliveS & 0xff);
    const payload = variable.length + parts.reduce((n, p) => n + p.length, 0);
    socket.write(Uint8Array.of(CONNECT << 4), { more: true });
    socket.write(remainingLength(payload), { more: true });
    socket.write(variable, { more: true });
    parts.forEach((p, i) => {
      this.#writable = socket.write(p, i === parts.length - 1 ? undefined : { more: true });
    });
    if (keepaliveS) {
      const intervalMs = keepaliveS * 1000;
      this.#lastReadMs = this.#lastWriteMs = loopNowMs();
      this.#keepalive = Timer.repeat(() => this.#keepaliveTick(intervalMs), keepaliveS * 250);
    }
    this.#state = "login";
  }

  #keepaliveTick(intervalMs: number): void {
    const now = loopNowMs();
    if (now - this.#lastReadMs >= intervalMs * 1.5) return this.#onError();
    if (now - this.#lastWriteMs < intervalMs * 0.75 - 500 || !this.#socket) return;
    if (this.#writable >= 2) this.#send(this.#socket, Uint8Array.of(PINGREQ << 4, 0));
  }

  #onError(): void {
    if (this.#state === "closed") return;
    this.#options?.onError?.call(this);
    this.close();
  }

  /** Broker side: a control packet arrives (CONNACK, PUBACK, SUBACK, PINGRESP). */
  receiveControl(message: { operation: number; id?: number; payload?: number[]; returnCode?: number }): void {
    post(() => {
      const options = this.#options;
      if (!options) return;
      this.#lastReadMs = loopNowMs();
      if (message.operation === CONNACK) {
        if (message.returnCode) return this.#onError();
        this.#state = "connected";
      }
      options.onControl?.call(this, { ...message });
      if (message.operation === CONNACK && this.#writable > OVERHEAD && this.#options)
        this.#options.onWritable?.call(this, this.#writable - OVERHEAD);
    });
  }

  /** Broker side: an incoming PUBLISH, handed to onReadable in pieces of at most `pieceBytes`. */
  receivePublish(topic: string, payload: Uint8Array, qos: 0 | 1, pieceBytes = payload.length || 1): void {
    post(() => {
      for (let at = 0; at < payload.length || at === 0; at += pieceBytes) {
        const options = this.#options;
        if (!options) return;
        this.#lastReadMs = loopNowMs();
        const piece = payload.subarray(at, at + pieceBytes);
        this.#incoming = piece.slice();
        const more = at + piece.length < payload.length;
        const info: Record<string, unknown> = { more };
        if (at === 0) Object.assign(info, { topic, QoS: qos, byteLength: payload.length });
        options.onReadable?.call(this, piece.length, info);
        if (payload.length === 0) break;
      }
    });
  }

  read(count?: number): ArrayBuffer {
    const n = Math.min(count ?? this.#incoming.length, this.#incoming.length);
    const out = this.#incoming.slice(0, n);
    this.#incoming = this.#incoming.slice(n);
    return out.buffer;
  }

  close(): void {
    Timer.clear(this.#connecting);
    Timer.clear(this.#keepalive);
    this.#state = "closed";
    this.#socket?.close();
    this.#socket = undefined;
    this.#options = undefined;
    this.#writable = 0;
  }
}

export default MQTTClient;
