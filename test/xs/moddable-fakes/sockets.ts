// SPDX-License-Identifier: MIT
// Fakes of the sockets under the MQTT client: `embedded:io/socket/tcp` (modules/io/socket/lwip/tcp.c),
// `embedded:io/socket/tcp/tls` (examples/io/tcp/tlssocket/tlssocket.js over modules/crypt/ssl/
// session_419.js), `embedded:io/socket/udp` and `embedded:network/dns/resolver/udp` (examples/io/udp/dns).
// As in the SDK: TCP connects on a later turn and reports its send-buffer space through onWritable;
// `write` of more than that space throws "would block" and returns the space left. TLS buffers writes
// made with {more: true} and sends them with the next write without `more` as one record (plaintext
// plus 29 bytes of AES-GCM framing); a record over 16384 plaintext bytes throws "too large"; it reports
// writable space less 96 and returns space less 32. The handshake is not modelled: it succeeds when the
// TCP connection opens, unless the test fails it. The "network" side keeps the plaintext of every record
// (`tlsPlaintext()`) so a test can parse what the broker would receive, and frees send space on `drainNetwork()`.
import { post } from "./event-loop.js";

const TLS_RECORD_OVERHEAD = 29;
const TLS_MAX_FRAGMENT = 16384;
const TLS_WRITABLE_MARGIN = 96;

interface Network {
  sendBufferBytes: number;
  records: Uint8Array[];
  tcp: TCP | undefined;
  tls: TLSSocket | undefined;
  refuse: boolean;
  stall: boolean;
  failHandshake: boolean;
  dns: Map<string, string>;
  lastSecure: Record<string, unknown> | undefined;
}

const net: Network = {
  sendBufferBytes: 5744,
  records: [],
  tcp: undefined,
  tls: undefined,
  refuse: false,
  stall: false,
  failHandshake: false,
  dns: new Map(),
  lastSecure: undefined,
};

/** Fresh network: `sendBufferBytes` is lwIP's TCP_SND_BUF (4 x 1436 on ESP-IDF by default). */
export function resetNetwork(sendBufferBytes = 5744): void {
  Object.assign(net, {
    sendBufferBytes,
    records: [],
    tcp: undefined,
    tls: undefined,
    refuse: false,
    stall: false,
    failHandshake: false,
    dns: new Map(),
    lastSecure: undefined,
  });
}

/** The next TCP connection is refused / the next TLS handshake fails. */
export function refuseConnections(refuse = true): void {
  net.refuse = refuse;
}
/** The next TCP connection neither opens nor fails (a SYN into the void). */
export function stallConnections(stall = true): void {
  net.stall = stall;
}
export function failTlsHandshake(fail = true): void {
  net.failHandshake = fail;
}
/** Adds a DNS answer. */
export function dnsAnswer(host: string, address: string): void {
  net.dns.set(host, address);
}
/** The `secure` options of the last TLS socket (CA, client certificate and key). */
export function lastTlsOptions(): Record<string, unknown> | undefined {
  return net.lastSecure;
}

/** Every byte of application data the TLS socket sent, in order. */
export function tlsPlaintext(): Uint8Array {
  const total = net.records.reduce((n, r) => n + r.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const r of net.records) {
    out.set(r, at);
    at += r.length;
  }
  return out;
}
/** Sizes of the TLS records sent, in order. */
export function tlsRecordSizes(): number[] {
  return net.records.map((r) => r.length);
}

/** The peer acknowledged everything: the TCP send buffer is empty again (onWritable on a later turn). */
export function drainNetwork(): void {
  net.tcp?.drained();
}

/** The connection drops (a reset from the broker, Wi-Fi gone). */
export function dropConnection(): void {
  net.tcp?.fail();
}

type Callbacks = { onReadable?(count: number): void; onWritable?(count: number): void; onError?(): void };

export class TCP {
  #free: number;
  #ready = false;
  #closed = false;
  #callbacks: Callbacks;
  constructor(options: Callbacks & { address?: string; host?: string; port?: number }) {
    this.#callbacks = options;
    this.#free = net.sendBufferBytes;
    net.tcp = this;
    post(() => {
      if (this.#closed || net.stall) return;
      if (net.refuse) return this.fail();
      this.#ready = true;
      this.#callbacks.onWritable?.(this.#free);
    });
  }
  write(data: Uint8Array | ArrayBuffer): number {
    if (!this.#ready) throw new Error("not ready");
    if (this.#closed) return 0;
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    if (bytes.byteLength > this.#free) throw new Error("would block");
    this.#free -= bytes.byteLength;
    return this.#free;
  }
  drained(): void {
    if (this.#closed || this.#free === net.sendBufferBytes) return;
    this.#free = net.sendBufferBytes;
    post(() => {
      if (!this.#closed) this.#callbacks.onWritable?.(this.#free);
    });
  }
  fail(): void {
    if (this.#closed) return;
    post(() => {
      if (!this.#closed) this.#callbacks.onError?.();
    });
  }
  close(): void {
    this.#closed = true;
    if (net.tcp === this) net.tcp = undefined;
  }
  get closed(): boolean {
    return this.#closed;
  }
}

export class TLSSocket {
  #tcp: TCP;
  #buffered: Uint8Array[] = [];
  #writable = 0;
  #callbacks: Callbacks;
  constructor(
    options: Callbacks & { TCP: { io: typeof TCP }; secure?: Record<string, unknown>; host?: string; port?: number },
  ) {
    this.#callbacks = options;
    net.lastSecure = options.secure;
    net.tls = this;
    this.#tcp = new options.TCP.io({
      ...options,
      onReadable: () => {},
      onWritable: (count) => {
        this.#writable = count;
        if (net.failHandshake) return this.#callbacks.onError?.();
        if (count > TLS_WRITABLE_MARGIN) this.#callbacks.onWritable?.(count - TLS_WRITABLE_MARGIN);
      },
      onError: () => this.#callbacks.onError?.(),
    });
  }
  write(data: Uint8Array, options?: { more?: boolean; byteLength?: number }): number {
    const chunk = data.slice();
    if (options?.more) {
      this.#buffered.push(chunk);
      const pending = this.#buffered.reduce((n, b) => n + b.length, 0);
      return Math.max(0, this.#writable - pending - 32);
    }
    const parts = [...this.#buffered, chunk];
    this.#buffered = [];
    const size = parts.reduce((n, b) => n + b.length, 0);
    if (size > TLS_MAX_FRAGMENT) throw new Error("too large");
    const record = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      record.set(p, at);
      at += p.length;
    }
    this.#writable = this.#tcp.write(new Uint8Array(size + TLS_RECORD_OVERHEAD));
    net.records.push(record);
    return Math.max(0, this.#writable - 32);
  }
  read(): undefined {
    return undefined;
  }
  close(): void {
    this.#tcp.close();
    if (net.tls === this) net.tls = undefined;
  }
  set format(value: string) {
    if (value !== "buffer" && value !== "number") throw new RangeError();
  }
  get format(): string {
    return "buffer";
  }
}

/** Only handed to the resolver as its `socket.io`; the fake resolver answers from `dnsAnswer` instead. */
export class UDP {
  constructor() {
    throw new Error("fake UDP: the fake resolver answers from dnsAnswer(); nothing here opens a UDP socket");
  }
}

export class Resolver {
  #servers: string[];
  constructor(options: { servers?: string[]; socket?: { io: unknown } }) {
    this.#servers = options.servers ?? [];
  }
  resolve(request: { host: string; onResolved(host: string, address: string): void; onError(): void }): void {
    post(() => {
      const literal = /^\d{1,3}(\.\d{1,3}){3}$/.test(request.host);
      const address = literal ? request.host : this.#servers.length ? net.dns.get(request.host) : undefined;
      if (address) request.onResolved(request.host, address);
      else request.onError();
    });
  }
  close(): void {}
}
