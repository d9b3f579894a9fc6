// SPDX-License-Identifier: MIT
// An in-memory host for unit tests, in Node and inside XS alike: a fake clock, a scriptable button,
// camera and broker session, and storage that survives a simulated reboot.
import type {
  AppendLogPort,
  ButtonEdge,
  CameraPort,
  Frame,
  Host,
  KeyValuePort,
  LogLevel,
  LogRecord,
  MqttConnectOptions,
  MqttPort,
  OutputPort,
  PublishOptions,
  QoS,
} from "../../modules/ports.js";
import { FakeClock } from "./fake-clock.js";
import { testCrypto } from "./test-crypto.js";

export class MemoryKv implements KeyValuePort {
  map = new Map<string, Uint8Array>();
  writes = 0;
  get(key: string) {
    return this.map.get(key)?.slice();
  }
  set(key: string, value: Uint8Array) {
    if (key.length > 15) throw new RangeError(`kv key longer than 15 characters: ${key}`);
    this.writes++;
    this.map.set(key, value.slice());
  }
  delete(key: string) {
    this.map.delete(key);
  }
}

export class MemoryLog implements AppendLogPort {
  items: LogRecord[] = [];
  nextId = 1;
  append(bytes: Uint8Array) {
    const id = this.nextId++;
    this.items.push({ id, bytes: bytes.slice() });
    return id;
  }
  ids() {
    return this.items.map((r) => r.id);
  }
  /** Reads made through `read`, for tests that check what the outbox fetches from storage. */
  reads = 0;
  read(id: number) {
    this.reads++;
    return this.items.find((r) => r.id === id)?.bytes.slice();
  }
  records() {
    return this.items.map((r) => ({ id: r.id, bytes: r.bytes.slice() }));
  }
  remove(id: number) {
    this.items = this.items.filter((r) => r.id !== id);
  }
}

export interface Published {
  topic: string;
  payload: Uint8Array;
  options: PublishOptions;
  ack?: (error?: string) => void;
}

export class FakeMqtt implements MqttPort {
  /** Runs acknowledgements on a later turn (ports.ts: never inside publish or close); the host passes its timers. */
  constructor(private later: (fn: () => void) => void = (fn) => void queueMicrotask(fn)) {}
  connected = false;
  options?: MqttConnectOptions;
  published: Published[] = [];
  subscriptions: { topic: string; qos: QoS }[] = [];
  /** When true, QoS 1 publishes are acknowledged at once. */
  autoAck = true;
  /**
   * True (the default): the automatic acknowledgement runs on a later turn, as ports.ts requires and as the real
   * clients do (on the fake host, a 0 ms timer: it runs at the next `clock.advance`). False acknowledges inside
   * `publish`, which breaks the port contract: only for a test that needs it.
   */
  deferAcks = true;
  connect(options: MqttConnectOptions) {
    this.options = options;
  }
  /** Completes the connection (CONNACK). */
  accept() {
    this.connected = true;
    this.options!.onConnect();
  }
  drop(reason = "test drop") {
    this.connected = false;
    this.session++;
    this.options!.onDisconnect(reason);
  }
  publish(topic: string, payload: Uint8Array, options: PublishOptions, ack?: (error?: string) => void) {
    if (!this.connected) {
      if (ack) this.later(() => ack("not connected"));
      return;
    }
    this.published.push({ topic, payload: payload.slice(), options, ack });
    if (this.autoAck && ack) {
      if (!this.deferAcks) return ack();
      const session = this.session;
      // A PUBACK still on its way when the session ends fails instead (ports.ts, MqttPort.close).
      this.later(() => ack(session === this.session ? undefined : "closed"));
    }
  }
  subscribe(topic: string, qos: QoS) {
    this.subscriptions.push({ topic, qos });
  }
  close() {
    this.connected = false;
    this.session++;
  }
  /** Counts sessions, so an acknowledgement scheduled in one is not delivered into the next. */
  private session = 0;
}

export class FakeButton {
  private onEdge?: (edge: ButtonEdge) => void;
  level: 0 | 1 = 0;
  open(options: { onEdge(edge: ButtonEdge): void }) {
    this.onEdge = options.onEdge;
  }
  read() {
    return this.level;
  }
  close() {
    this.onEdge = undefined;
  }
  edge(level: 0 | 1, atMs: number) {
    this.level = level;
    this.onEdge?.({ level, atMs });
  }
}

export class FakeCamera implements CameraPort {
  onFrame?: (frame: Frame) => void;
  outstanding = 0;
  restarts = 0;
  start(options: { onFrame(frame: Frame): void }) {
    this.onFrame = options.onFrame;
  }
  restart() {
    this.restarts++;
  }
  stop() {
    this.onFrame = undefined;
  }
  /** Delivers a frame whose JPEG bytes encode its capture time (for assertions), or the `jpeg` given. */
  capture(capturedAtMs: number, jpeg: Uint8Array = frameBytes(capturedAtMs)): Frame {
    let released = false;
    this.outstanding++;
    const frame: Frame = {
      jpeg,
      capturedAtMs,
      release: () => {
        if (!released) this.outstanding--;
        released = true;
      },
    };
    this.onFrame?.(frame);
    return frame;
  }
}

/** A tiny JPEG-shaped marker (SOI, a comment with the time, EOI); enough for tests that follow frames. */
export function frameBytes(capturedAtMs: number): Uint8Array {
  const text = new TextEncoder().encode(`t=${capturedAtMs}`);
  const out = new Uint8Array(text.length + 8);
  out.set([0xff, 0xd8, 0xff, 0xfe, 0, text.length + 2]);
  out.set(text, 6);
  out.set([0xff, 0xd9], 6 + text.length);
  return out;
}

export class RecordingOutput implements OutputPort {
  writes: { level: 0 | 1; atMs: number }[] = [];
  constructor(private clock: FakeClock) {}
  write(level: 0 | 1) {
    this.writes.push({ level, atMs: this.clock.nowMs });
  }
}

export interface FakeHost extends Host {
  clock: FakeClock;
  timers: FakeClock;
  button: FakeButton;
  camera: FakeCamera;
  mqtt: FakeMqtt;
  chime: RecordingOutput;
  storage: { kv: MemoryKv; log: MemoryLog };
  lines: { level: LogLevel; tag: string; message: string }[];
  restarts: string[];
}

/** A fresh host; pass the previous host's storage to simulate a reboot. */
export function createFakeHost(storage?: { kv: MemoryKv; log: MemoryLog }): FakeHost {
  const clock = new FakeClock();
  const lines: FakeHost["lines"] = [];
  const restarts: string[] = [];
  return {
    clock,
    timers: clock,
    button: new FakeButton(),
    chime: new RecordingOutput(clock),
    camera: new FakeCamera(),
    storage: storage ?? { kv: new MemoryKv(), log: new MemoryLog() },
    mqtt: new FakeMqtt((fn) => void clock.set(fn, 0)),
    crypto: testCrypto(),
    log: { write: (level, tag, message) => void lines.push({ level, tag, message }) },
    system: { restart: (reason) => void restarts.push(reason), rssiDbm: () => -60 },
    lines,
    restarts,
  };
}
