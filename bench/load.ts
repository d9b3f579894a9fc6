// SPDX-License-Identifier: MIT
// Load and scale-out: N doorbells (the firmware on the Node host) against one Mosquitto on loopback,
// with bridge processes opening every event and publishing the ring state that Home Assistant reads.
// Per N: the most events/s the whole path sustains (a burst drained), p50/p99 latency from press to
// state at half that rate, and lost and duplicated counts; beside it, Mosquitto's raw QoS 1 throughput
// for plain publishes of the same size and discipline. Scale-out: two bridges behind `$share/...`.
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { toHex } from "../modules/bytes.js";
import { createNodeCrypto } from "../hosts/node/crypto.js";
import { haTopics } from "../bridge/ha-topics.js";
import { freePort, startMosquitto, type Mosquitto } from "../test/support/mosquitto.js";
import type { BridgeWorkerConfig, BridgeWorkerStats } from "./load/bridge-worker.js";
import { startFleet, type Fleet } from "./load/fleet.js";
import type { Section } from "./report.js";

const TOPIC_ROOT = "doorbell";
/** Every wait is bounded: a phase that has not finished by then counts what is missing as lost. */
const PHASE_LIMIT_MS = 90_000;

export interface LoadRow {
  n: number;
  /** Events/s through the whole path (press, seal, outbox, broker, bridge, state), a burst drained. */
  eventsPerSecond: number;
  /** Press to ring state on Home Assistant's side, at half the rate above. */
  p50Ms: number;
  p99Ms: number;
  lost: number;
  duplicated: number;
  /** Mosquitto alone: plain QoS 1 publishes of the same size, one in flight per client, N clients. */
  rawPublishesPerSecond: number;
  sealedBytes: number;
  events: number;
}

export interface ScaleOutRow {
  n: number;
  bridges: number;
  eventsPerSecond: number;
  lost: number;
  duplicated: number;
  /** Ring states that reached Home Assistant's side after a newer one of the same device. */
  outOfOrder: number;
  /** Events each bridge opened. */
  perBridge: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(predicate: () => boolean, limitMs: number): Promise<boolean> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > limitMs) return false;
    await sleep(5);
  }
  return true;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Home Assistant's side: every ring state, with its arrival time. */
class HaSide {
  private constructor(readonly client: MqttClient) {}
  states: { device: string; id: string; seq: number; atMs: number; arrivedMs: number }[] = [];
  static async connect(url: string): Promise<HaSide> {
    const client = await mqtt.connectAsync(url, { clientId: `ha-bench-${process.pid}`, clean: true, reconnectPeriod: 0 });
    const ha = new HaSide(client);
    client.on("message", (topic, payload) => {
      const s = JSON.parse(payload.toString()) as { event_type: string; id: string; seq: number; at: string };
      if (s.event_type !== "ring") return;
      ha.states.push({ device: topic.split("/")[1], id: s.id, seq: s.seq, atMs: Date.parse(s.at), arrivedMs: Date.now() });
    });
    await client.subscribeAsync(haTopics(TOPIC_ROOT, "+").event, { qos: 1 });
    return ha;
  }
}

async function startBridges(o: { url: string; count: number; ownerSecretHex: string; devices: Record<string, string> }): Promise<{ stop(): Promise<BridgeWorkerStats[]> }> {
  const children: ChildProcess[] = [];
  for (let i = 0; i < o.count; i++) {
    const child = fork(new URL("./load/bridge-worker.ts", import.meta.url).pathname, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    children.push(child);
    const config: BridgeWorkerConfig = {
      url: o.url, name: `bridge-${i + 1}`, ownerSecretHex: o.ownerSecretHex, devices: o.devices, topicRoot: TOPIC_ROOT,
      shareGroup: o.count > 1 ? "bridges" : undefined,
    };
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bench bridge ${i + 1} did not start in 30 s`)), 30_000);
      child.once("message", () => (clearTimeout(timer), resolve()));
      child.once("exit", (code) => reject(new Error(`bench bridge ${i + 1} exited with ${code}`)));
      child.send(config);
    });
  }
  return {
    async stop() {
      return Promise.all(children.map((child) => new Promise<BridgeWorkerStats>((resolve) => {
        const timer = setTimeout(() => (child.kill("SIGKILL"), resolve({ name: "killed", opened: 0, duplicates: 0, envelopeBytes: 0, refused: {} })), 10_000);
        child.on("message", (m: { stats?: BridgeWorkerStats }) => m.stats && (clearTimeout(timer), resolve(m.stats)));
        child.send({ stop: true });
      })));
    },
  };
}

/** Counts lost, duplicated and out-of-order ring states against the presses made. */
function tally(ha: HaSide, from: number, pressed: Map<string, number>) {
  const seen = new Set<string>();
  const lastSeq = new Map<string, number>();
  let duplicated = 0;
  let outOfOrder = 0;
  for (const s of ha.states.slice(from)) {
    const key = `${s.device}/${s.id}`;
    if (seen.has(key)) duplicated++;
    seen.add(key);
    if (s.seq < (lastSeq.get(s.device) ?? 0)) outOfOrder++;
    lastSeq.set(s.device, Math.max(s.seq, lastSeq.get(s.device) ?? 0));
  }
  const expected = [...pressed.values()].reduce((a, b) => a + b, 0);
  return { received: seen.size, lost: Math.max(0, expected - seen.size), duplicated, outOfOrder };
}

/** Every doorbell presses `perDevice` times at once; the rate is events over the time to drain them all. */
async function burst(fleet: Fleet, ha: HaSide, perDevice: number) {
  const from = ha.states.length;
  const pressed = new Map<string, number>();
  const start = Date.now();
  for (let k = 0; k < perDevice; k++) {
    for (const d of fleet.doorbells) {
      d.press();
      pressed.set(d.id, (pressed.get(d.id) ?? 0) + 1);
    }
  }
  const total = fleet.doorbells.length * perDevice;
  await until(() => ha.states.length - from >= total, PHASE_LIMIT_MS);
  await sleep(200); // a late duplicate would arrive now
  const last = ha.states.slice(from).reduce((m, s) => Math.max(m, s.arrivedMs), start);
  return { eventsPerSecond: (total / Math.max(1, last - start)) * 1000, total, ...tally(ha, from, pressed) };
}

/** Presses spread evenly at `ratePerS` for `durationMs`, round-robin over the doorbells; latency per ring. */
async function paced(fleet: Fleet, ha: HaSide, ratePerS: number, durationMs: number) {
  const from = ha.states.length;
  const pressed = new Map<string, number>();
  const start = Date.now();
  let sent = 0;
  let next = 0;
  while (Date.now() - start < durationMs) {
    const due = Math.floor(((Date.now() - start) / 1000) * ratePerS);
    for (; sent < due; sent++) {
      const d = fleet.doorbells[next++ % fleet.doorbells.length];
      d.press();
      pressed.set(d.id, (pressed.get(d.id) ?? 0) + 1);
    }
    await sleep(2);
  }
  await until(() => ha.states.length - from >= sent, PHASE_LIMIT_MS);
  await sleep(200);
  const latencies = ha.states.slice(from).map((s) => s.arrivedMs - s.atMs).sort((a, b) => a - b);
  return { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), total: sent, ...tally(ha, from, pressed) };
}

/** Mosquitto alone: N plain clients, QoS 1, one publish in flight each, `total` payloads of `size` bytes, one subscriber. */
async function rawPublishes(url: string, n: number, total: number, size: number): Promise<number> {
  const sub = await mqtt.connectAsync(url, { clientId: `raw-sub-${process.pid}`, clean: true, reconnectPeriod: 0 });
  let received = 0;
  let last = 0;
  sub.on("message", () => (received++, (last = Date.now())));
  await sub.subscribeAsync("raw-bench/+", { qos: 1 });
  const clients = await Promise.all(Array.from({ length: n }, (_, i) => mqtt.connectAsync(url, { clientId: `raw-${i}`, clean: true, reconnectPeriod: 0 })));
  const payload = Buffer.alloc(size, 0xa5);
  const perClient = Math.ceil(total / n);
  const start = Date.now();
  await Promise.all(clients.map(async (c, i) => {
    for (let k = 0; k < perClient; k++) await c.publishAsync(`raw-bench/${i}`, payload, { qos: 1 });
  }));
  await until(() => received >= perClient * n, PHASE_LIMIT_MS);
  await Promise.all([...clients, sub].map((c) => c.endAsync()));
  return ((perClient * n) / Math.max(1, last - start)) * 1000;
}

async function withBroker<T>(run: (url: string, broker: Mosquitto) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "doorbell-load-"));
  const port = await freePort();
  const listenerConf = join(dir, "listener.conf");
  // Plain MQTT on loopback only; unlimited queues so the broker never drops a QoS 1 message under load.
  writeFileSync(listenerConf, ["listener 1883", "allow_anonymous true", "max_queued_messages 0", "max_inflight_messages 0", "set_tcp_nodelay true", ""].join("\n"));
  const broker = await startMosquitto({ dir, listenerConf, port });
  try {
    return await run(`mqtt://127.0.0.1:${port}`, broker);
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Run {
  n: number;
  bridges: number;
  perDevice: number;
  pacedMs: number;
}

async function runOne(url: string, r: Run, progress: (text: string) => void) {
  const crypto = createNodeCrypto();
  const ownerSecret = crypto.randomBytes(32);
  const ownerPublicHex = toHex(crypto.x25519(ownerSecret));
  const fleet = startFleet({ n: r.n, url, ownerPublicHex, topicRoot: TOPIC_ROOT, prefix: `b${r.bridges}n${r.n}-` });
  const devices = Object.fromEntries(fleet.doorbells.map((d) => [d.id, d.publicHex]));
  const bridges = await startBridges({ url, count: r.bridges, ownerSecretHex: toHex(ownerSecret), devices });
  const ha = await HaSide.connect(url);
  try {
    await until(() => fleet.doorbells.every((d) => d.host.mqtt.connected && d.firmware.delivery.stats.queued === 0), PHASE_LIMIT_MS);
    progress(`  N=${r.n}, ${r.bridges} bridge(s): burst of ${r.n * r.perDevice} rings`);
    const b = await burst(fleet, ha, r.perDevice);
    let p: Awaited<ReturnType<typeof paced>> | undefined;
    if (r.pacedMs > 0) {
      progress(`  N=${r.n}: ${Math.round(b.eventsPerSecond / 2)} rings/s for ${r.pacedMs / 1000} s`);
      p = await paced(fleet, ha, b.eventsPerSecond / 2, r.pacedMs);
    }
    const stats = await bridges.stop();
    return { burst: b, paced: p, stats, sealedBytes: Math.max(...stats.map((s) => s.envelopeBytes)), problems: fleet.problems };
  } finally {
    fleet.close();
    await ha.client.endAsync();
  }
}

export async function benchLoad(o: { quick: boolean; progress: (text: string) => void }): Promise<Section[]> {
  const ns = o.quick ? [10, 100] : [10, 100, 1000];
  const rows: LoadRow[] = [];
  const scale: ScaleOutRow[] = [];
  await withBroker(async (url) => {
    for (const n of ns) {
      const perDevice = Math.max(2, Math.round(2000 / n));
      const r = await runOne(url, { n, bridges: 1, perDevice, pacedMs: o.quick ? 2000 : 5000 }, o.progress);
      const size = r.sealedBytes;
      o.progress(`  N=${n}: Mosquitto alone, ${r.burst.total} plain publishes`);
      const raw = await rawPublishes(url, n, r.burst.total, size);
      rows.push({
        n, eventsPerSecond: Math.round(r.burst.eventsPerSecond), p50Ms: r.paced!.p50Ms, p99Ms: r.paced!.p99Ms,
        lost: r.burst.lost + r.paced!.lost, duplicated: r.burst.duplicated + r.paced!.duplicated,
        rawPublishesPerSecond: Math.round(raw), sealedBytes: size, events: r.burst.total + r.paced!.total,
      });
    }
    const n = o.quick ? 100 : 1000;
    for (const bridges of [1, 2]) {
      const r = await runOne(url, { n, bridges, perDevice: Math.max(2, Math.round(4000 / n)), pacedMs: 0 }, o.progress);
      scale.push({ n, bridges, eventsPerSecond: Math.round(r.burst.eventsPerSecond), lost: r.burst.lost, duplicated: r.burst.duplicated, outOfOrder: r.burst.outOfOrder, perBridge: r.stats.map((s) => s.opened) });
    }
  });
  const fmt = (v: number) => Math.round(v).toLocaleString("en");
  const one = scale.find((s) => s.bridges === 1)!;
  const two = scale.find((s) => s.bridges === 2)!;
  return [
    {
      key: "load",
      title: "Load: N doorbells, one Mosquitto, the bridge",
      intro: "N copies of the firmware on the Node host (storage in RAM, a 64x48 JPEG per ring) publish sealed rings with QoS 1 to one Mosquitto 2.0 on loopback (plain MQTT, no TLS, set_tcp_nodelay on); the owner's bridge (bridge/bridge.ts, which writes its per-device state durably, one fsync per event) runs in its own process, opens each and publishes the ring state that Home Assistant's side receives. events/s: every doorbell presses at once and the whole path drains the burst. p50/p99: press to ring state at half that rate. Lost and duplicated count ring states against presses. The reference is Mosquitto alone in the same run: N plain clients, QoS 1, one publish in flight each (as the outbox does), payloads of the sealed size. Everything (the N doorbells' sealing, the broker, the bridge, Home Assistant's side) shares this machine's cores, so these are the figures of one small machine, not of a device fleet; docs/scaling.md reads them.",
      json: rows,
      rows: rows.flatMap((r) => [
        { figure: `load N=${r.n} events/s`, value: fmt(r.eventsPerSecond), reference: `${fmt(r.rawPublishesPerSecond)} plain publishes/s of ${r.sealedBytes} bytes (Mosquitto alone)`, note: `ratio ${(r.eventsPerSecond / r.rawPublishesPerSecond).toFixed(2)}` },
        { figure: `load N=${r.n} press to state`, value: `p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`, note: `at ${fmt(r.eventsPerSecond / 2)} rings/s` },
        { figure: `load N=${r.n} lost / duplicated`, value: `${r.lost} / ${r.duplicated}`, reference: "0 / 0", note: `${fmt(r.events)} rings` },
      ]),
    },
    {
      key: "loadScaleOut",
      title: "Scale-out: two bridges behind a shared subscription",
      intro: "The same burst with one bridge, then two bridge processes subscribed as `$share/bridges/doorbell/+/sealed/event`: Mosquitto hands each event to one member of the group. Lost and duplicated count ring states against presses; out of order counts a state older than one already seen for that device (Mosquitto shares round-robin, so per-device order is not kept across bridges; see docs/scaling.md).",
      json: scale,
      rows: [
        { figure: `scale-out N=${one.n}, 1 bridge`, value: `${fmt(one.eventsPerSecond)} events/s`, note: `lost ${one.lost}, duplicated ${one.duplicated}` },
        { figure: `scale-out N=${two.n}, 2 bridges`, value: `${fmt(two.eventsPerSecond)} events/s`, reference: `${fmt(one.eventsPerSecond)} with 1 bridge`, note: `x${(two.eventsPerSecond / one.eventsPerSecond).toFixed(2)}; lost ${two.lost}, duplicated ${two.duplicated}, out of order ${two.outOfOrder}; opened per bridge ${two.perBridge.join(" / ")}` },
      ],
    },
  ];
}
