// SPDX-License-Identifier: MIT
// Load and scale-out: N doorbells (the firmware on the Node host) against one Mosquitto on loopback,
// with bridge processes opening every event and publishing the ring state that Home Assistant reads.
// Per N: the most events/s the whole path sustains (offered load stepped up until delivery falls behind
// or p99 latency passes a bound), p50/p99 from press to state at that rate, and lost and duplicated counts;
// beside it, Mosquitto's raw QoS 1 throughput for plain publishes of the same size and discipline.
// Scale-out: two bridges behind `$share/...`, a burst drained.
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { toHex } from "../modules/bytes.js";
import { createNodeCrypto } from "../hosts/node/crypto.js";
import { haTopics } from "../bridge/ha-topics.js";
import { generateSigningKey, signingPublicPoint } from "../bridge/key-files.js";
import { freePort, startMosquitto, type Mosquitto } from "../test/support/mosquitto.js";
import type { BridgeWorkerConfig, BridgeWorkerStats } from "./load/bridge-worker.js";
import { startFleet, type Fleet } from "./load/fleet.js";
import type { Section } from "./report.js";

export const TOPIC_ROOT = "doorbell";
/** Every wait is bounded: a phase that has not finished by then counts what is missing as lost. */
export const PHASE_LIMIT_MS = 90_000;
/**
 * Delivery confirmations in the full-system rows: `outbox.confirm` in the firmware, and the bridge confirming each
 * event once durable and published to Home Assistant (docs/delivery.md). On, as `doorbell device add` provisions
 * every doorbell: each waits for its event's confirmation before its next (docs/scaling.md, third pass).
 */
export const LOAD_CONFIRM = true;
/** A step is sustained when delivery keeps up (at least this share of the offered rate)... */
const SUSTAINED_SHARE = 0.95;
/** ...and p99 press to state stays under this: a queue that grows through the step shows here. */
const SUSTAINED_P99_MS = 100;
/** Each step offers this much more than the one before. */
const STEP_FACTOR = 1.25;
const MAX_STEPS = 12;

export interface LoadStep {
  offeredPerSecond: number;
  /** Ring states delivered over the time from the first press to the last state. */
  deliveredPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  sustained: boolean;
}

export interface LoadRow {
  n: number;
  /** The highest offered rate the whole path (press, seal, outbox, broker, bridge, state) sustained: delivered at
   * ≥95 % of it with p99 ≤ 100 ms (issue 17), no loss, no duplicate. */
  eventsPerSecond: number;
  /** Press to ring state on Home Assistant's side, at that rate. */
  p50Ms: number;
  p99Ms: number;
  /** A burst drained (every doorbell presses at once), for comparison with earlier reports. */
  burstEventsPerSecond: number;
  steps: LoadStep[];
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

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export async function until(predicate: () => boolean, limitMs: number): Promise<boolean> {
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
export class HaSide {
  private constructor(readonly client: MqttClient) {}
  states: { device: string; id: string; seq: number; atMs: number; arrivedMs: number }[] = [];
  static async connect(url: string): Promise<HaSide> {
    const client = await mqtt.connectAsync(url, {
      clientId: `ha-bench-${process.pid}`,
      clean: true,
      reconnectPeriod: 0,
    });
    const ha = new HaSide(client);
    client.on("message", (topic, payload) => {
      if (!topic.endsWith("/event")) return; // the picture's link, which the image entity would fetch
      const s = JSON.parse(payload.toString()) as { event_type: string; id: string; seq: number; at: string };
      if (s.event_type !== "ring") return;
      ha.states.push({
        device: topic.split("/")[1],
        id: s.id,
        seq: s.seq,
        atMs: Date.parse(s.at),
        arrivedMs: Date.now(),
      });
    });
    // QoS 2, as discovery asks Home Assistant to subscribe the ring entity (bridge/discovery.ts).
    await client.subscribeAsync(haTopics(TOPIC_ROOT, "+").event, { qos: 2 });
    // QoS 1, the image entity's (discovery's device-level qos): the retained link to each ring's picture.
    await client.subscribeAsync(haTopics(TOPIC_ROOT, "+").snapshot, { qos: 1 });
    return ha;
  }
}

export async function startBridges(o: {
  url: string;
  count: number;
  ownerSecretHex: string;
  devices: Record<string, string>;
  /** End-to-end delivery confirmation on (BridgeWorkerConfig.confirm); default off. */
  confirm?: boolean;
  /** BridgeWorkerConfig.signingKeyPem. */
  signingKeyPem?: string;
}): Promise<{ stop(): Promise<BridgeWorkerStats[]> }> {
  const children: ChildProcess[] = [];
  // BENCH_CPU_PROF_DIR=<dir>: each bridge process writes a V8 CPU profile there when it exits (docs/scaling.md).
  const profile = process.env.BENCH_CPU_PROF_DIR
    ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`]
    : [];
  for (let i = 0; i < o.count; i++) {
    const child = fork(new URL("./load/bridge-worker.ts", import.meta.url).pathname, [], {
      execArgv: ["--import", "tsx", ...profile],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    children.push(child);
    const config: BridgeWorkerConfig = {
      url: o.url,
      name: `bridge-${i + 1}`,
      ownerSecretHex: o.ownerSecretHex,
      devices: o.devices,
      topicRoot: TOPIC_ROOT,
      shareGroup: o.count > 1 ? "bridges" : undefined,
      confirm: o.confirm ?? false,
      signingKeyPem: o.signingKeyPem,
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
      return Promise.all(
        children.map(
          (child) =>
            new Promise<BridgeWorkerStats>((resolve) => {
              const timer = setTimeout(
                () => (
                  child.kill("SIGKILL"),
                  resolve({ name: "killed", opened: 0, duplicates: 0, envelopeBytes: 0, refused: {}, cpuMs: 0 })
                ),
                10_000,
              );
              child.on(
                "message",
                (m: { stats?: BridgeWorkerStats }) => m.stats && (clearTimeout(timer), resolve(m.stats)),
              );
              child.send({ stop: true });
            }),
        ),
      );
    },
  };
}

/** Counts lost, duplicated and out-of-order ring states against the presses made. */
export function tally(ha: HaSide, from: number, pressed: Map<string, number>) {
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
  const states = ha.states.slice(from);
  const latencies = states.map((s) => s.arrivedMs - s.atMs).sort((a, b) => a - b);
  const last = states.reduce((m, s) => Math.max(m, s.arrivedMs), start);
  const deliveredPerSecond = (states.length / Math.max(1, last - start)) * 1000;
  return {
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    total: sent,
    deliveredPerSecond,
    ...tally(ha, from, pressed),
  };
}

/**
 * Offered load stepped up by STEP_FACTOR from `startPerS`, `stepMs` each, until a step is not sustained
 * (delivery under SUSTAINED_SHARE of the offer, p99 over SUSTAINED_P99_MS, or any loss or duplicate),
 * MAX_STEPS are done, or `budgetMs` has passed. The highest sustained step is the path's sustained rate.
 * When not even the first step is sustained, the offer steps down by STEP_FACTOR instead, until one is (or the
 * same limits are reached), so a slow run still reports the rate it sustained rather than none.
 */
async function stepped(
  fleet: Fleet,
  ha: HaSide,
  o: { startPerS: number; stepMs: number; budgetMs: number; progress: (text: string) => void },
) {
  const steps: LoadStep[] = [];
  let lost = 0;
  let duplicated = 0;
  let events = 0;
  const begin = Date.now();
  let rate = o.startPerS;
  let factor = STEP_FACTOR;
  for (let i = 0; i < MAX_STEPS && Date.now() - begin < o.budgetMs; i++, rate *= factor) {
    const p = await paced(fleet, ha, rate, o.stepMs);
    lost += p.lost;
    duplicated += p.duplicated;
    events += p.total;
    const sustained =
      p.lost === 0 &&
      p.duplicated === 0 &&
      p.deliveredPerSecond >= SUSTAINED_SHARE * rate &&
      p.p99Ms <= SUSTAINED_P99_MS;
    steps.push({
      offeredPerSecond: Math.round(rate),
      deliveredPerSecond: Math.round(p.deliveredPerSecond),
      p50Ms: p.p50Ms,
      p99Ms: p.p99Ms,
      sustained,
    });
    o.progress(
      `    offered ${Math.round(rate)}/s: delivered ${Math.round(p.deliveredPerSecond)}/s, p50 ${p.p50Ms} ms, ` +
        `p99 ${p.p99Ms} ms${sustained ? "" : ", not sustained"}`,
    );
    if (factor < 1) {
      if (sustained) break; // stepping down: the first sustained step is the answer
    } else if (!sustained) {
      if (i > 0) break;
      factor = 1 / STEP_FACTOR;
    }
  }
  const best = [...steps].reverse().find((s) => s.sustained);
  return { best, steps, lost, duplicated, events };
}

/** Mosquitto alone: N plain clients, QoS 1, one publish in flight each, `total` payloads of `size` bytes, one subscriber. */
async function rawPublishes(url: string, n: number, total: number, size: number): Promise<number> {
  const sub = await mqtt.connectAsync(url, { clientId: `raw-sub-${process.pid}`, clean: true, reconnectPeriod: 0 });
  let received = 0;
  let last = 0;
  sub.on("message", () => (received++, (last = Date.now())));
  await sub.subscribeAsync("raw-bench/+", { qos: 1 });
  const clients = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      mqtt.connectAsync(url, { clientId: `raw-${i}`, clean: true, reconnectPeriod: 0 }),
    ),
  );
  const payload = Buffer.alloc(size, 0xa5);
  const perClient = Math.ceil(total / n);
  const start = Date.now();
  await Promise.all(
    clients.map(async (c, i) => {
      for (let k = 0; k < perClient; k++) await c.publishAsync(`raw-bench/${i}`, payload, { qos: 1 });
    }),
  );
  await until(() => received >= perClient * n, PHASE_LIMIT_MS);
  await Promise.all([...clients, sub].map((c) => c.endAsync()));
  return ((perClient * n) / Math.max(1, last - start)) * 1000;
}

export async function withBroker<T>(run: (url: string, broker: Mosquitto) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "doorbell-load-"));
  const port = await freePort();
  const listenerConf = join(dir, "listener.conf");
  // Plain MQTT on loopback only; unlimited queues so the broker never drops a QoS 1 message under load.
  writeFileSync(
    listenerConf,
    [
      "listener 1883",
      "allow_anonymous true",
      "max_queued_messages 0",
      "max_inflight_messages 0",
      "set_tcp_nodelay true",
      "",
    ].join("\n"),
  );
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
  /** Offered-load steps of this length (none: the burst only), within `stepBudgetMs`. */
  stepMs?: number;
  stepBudgetMs?: number;
}

async function runOne(url: string, r: Run, progress: (text: string) => void) {
  const crypto = createNodeCrypto();
  const ownerSecret = crypto.randomBytes(32);
  const ownerPublicHex = toHex(crypto.x25519(ownerSecret));
  const signingKey = generateSigningKey();
  const fleet = startFleet({
    n: r.n,
    url,
    ownerPublicHex,
    ownerSigningPublicHex: toHex(signingPublicPoint(signingKey)),
    topicRoot: TOPIC_ROOT,
    prefix: `b${r.bridges}n${r.n}-`,
    confirm: LOAD_CONFIRM,
  });
  const devices = Object.fromEntries(fleet.doorbells.map((d) => [d.id, d.publicHex]));
  const ownerSecretHex = toHex(ownerSecret);
  const bridges = await startBridges({
    url,
    count: r.bridges,
    ownerSecretHex,
    devices,
    confirm: LOAD_CONFIRM,
    signingKeyPem: signingKey.export({ format: "pem", type: "pkcs8" }).toString(),
  });
  const ha = await HaSide.connect(url);
  try {
    await until(
      () => fleet.doorbells.every((d) => d.host.mqtt.connected && d.firmware.delivery.stats.queued === 0),
      PHASE_LIMIT_MS,
    );
    progress(`  N=${r.n}, ${r.bridges} bridge(s): burst of ${r.n * r.perDevice} rings`);
    const b = await burst(fleet, ha, r.perDevice);
    let s: Awaited<ReturnType<typeof stepped>> | undefined;
    if (r.stepMs) {
      // From 40 % of the drained burst's rate, so a few fine steps reach the limit.
      progress(
        `  N=${r.n}: offered load from ${Math.round(b.eventsPerSecond * 0.4)} rings/s, x${STEP_FACTOR} every ${r.stepMs / 1000} s`,
      );
      s = await stepped(fleet, ha, {
        startPerS: b.eventsPerSecond * 0.4,
        stepMs: r.stepMs,
        budgetMs: r.stepBudgetMs ?? 60_000,
        progress,
      });
    }
    const stats = await bridges.stop();
    return {
      burst: b,
      stepped: s,
      stats,
      sealedBytes: Math.max(...stats.map((s) => s.envelopeBytes)),
      problems: fleet.problems,
    };
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
      const r = await runOne(
        url,
        { n, bridges: 1, perDevice, stepMs: o.quick ? 1500 : 4000, stepBudgetMs: o.quick ? 20_000 : 60_000 },
        o.progress,
      );
      const size = r.sealedBytes;
      o.progress(`  N=${n}: Mosquitto alone, ${r.burst.total} plain publishes`);
      const raw = await rawPublishes(url, n, r.burst.total, size);
      const s = r.stepped!;
      rows.push({
        // No step sustained (even the first): 0 events/s, and the first step's latencies.
        n,
        eventsPerSecond: s.best?.deliveredPerSecond ?? 0,
        p50Ms: (s.best ?? s.steps[0]).p50Ms,
        p99Ms: (s.best ?? s.steps[0]).p99Ms,
        burstEventsPerSecond: Math.round(r.burst.eventsPerSecond),
        steps: s.steps,
        lost: r.burst.lost + s.lost,
        duplicated: r.burst.duplicated + s.duplicated,
        rawPublishesPerSecond: Math.round(raw),
        sealedBytes: size,
        events: r.burst.total + s.events,
      });
    }
    const n = o.quick ? 100 : 1000;
    for (const bridges of [1, 2]) {
      const r = await runOne(url, { n, bridges, perDevice: Math.max(2, Math.round(4000 / n)) }, o.progress);
      scale.push({
        n,
        bridges,
        eventsPerSecond: Math.round(r.burst.eventsPerSecond),
        lost: r.burst.lost,
        duplicated: r.burst.duplicated,
        outOfOrder: r.burst.outOfOrder,
        perBridge: r.stats.map((s) => s.opened),
      });
    }
  });
  return loadSections(rows, scale);
}

const LOAD_INTRO =
  "N copies of the firmware on the Node host (storage in RAM, a 64x48 JPEG per ring) publish sealed rings " +
  "with QoS 1 to one Mosquitto 2.0 on loopback (plain MQTT, no TLS, set_tcp_nodelay on); the owner's " +
  "bridge (bridge/bridge.ts, which makes its per-device state durable with one fdatasync per batch of events) runs in its " +
  "own process, opens each and publishes the ring state that Home Assistant's side receives (delivery " +
  "confirmations as bench/load.ts LOAD_CONFIRM says: on, as provisioned bundles have them). Sustained " +
  "events/s: presses spread evenly over the doorbells at an offered rate that starts at 40 % of a drained " +
  "burst's rate and rises by x1.25 every step (1.5 s with --quick, 4 s in the full run) until a step is " +
  "not sustained (when the first step is not, it falls by x1.25 per step until one is); a step is " +
  "sustained when ring states arrive at 95 % or more of the offered rate, p99 " +
  "press to state stays at or under 100 ms, and none is lost or duplicated. The figure is the delivered " +
  "rate of the highest sustained step, and p50/p99 are that step's. Home Assistant's side subscribes at " +
  "QoS 2, as discovery asks, and the bridge publishes rings at QoS 2. Lost and duplicated count ring " +
  "states against presses. The reference is Mosquitto alone in the same run: N plain clients, QoS 1, one " +
  "publish in flight each (as the outbox does), payloads of the sealed size. Everything (the N doorbells' " +
  "sealing, the broker, the bridge, Home Assistant's side) shares this machine's cores, so these are the " +
  "figures of one small machine, not of a device fleet; docs/scaling.md reads them.";

const SCALE_OUT_INTRO =
  "The same burst with one bridge, then two bridge processes subscribed as " +
  "`$share/bridges/doorbell/+/sealed/event`: Mosquitto hands each event to one member of the group. Lost " +
  "and duplicated count ring states against presses; out of order counts a state older than one already " +
  "seen for that device (Mosquitto shares round-robin, so per-device order is not kept across bridges; see " +
  "docs/scaling.md).";

/** The report's two sections: load per N, and scale-out over one and two bridges. */
function loadSections(rows: LoadRow[], scale: ScaleOutRow[]): Section[] {
  const fmt = (v: number) => Math.round(v).toLocaleString("en");
  const one = scale.find((s) => s.bridges === 1)!;
  const two = scale.find((s) => s.bridges === 2)!;
  return [
    {
      key: "load",
      title: "Load: N doorbells, one Mosquitto, the bridge",
      intro: LOAD_INTRO,
      json: rows,
      rows: rows.flatMap((r) => [
        {
          figure: `load N=${r.n} sustained events/s`,
          value: fmt(r.eventsPerSecond),
          reference: `${fmt(r.rawPublishesPerSecond)} plain publishes/s of ${r.sealedBytes} bytes (Mosquitto alone)`,
          note:
            `ratio ${(r.eventsPerSecond / r.rawPublishesPerSecond).toFixed(2)}; offered ` +
            `${r.steps.map((s) => `${fmt(s.offeredPerSecond)}${s.sustained ? "" : " (not sustained)"}`).join(", ")}; ` +
            `a drained burst ${fmt(r.burstEventsPerSecond)}/s`,
        },
        {
          figure: `load N=${r.n} press to state`,
          value: `p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`,
          note: `at the sustained rate`,
        },
        {
          figure: `load N=${r.n} lost / duplicated`,
          value: `${r.lost} / ${r.duplicated}`,
          reference: "0 / 0",
          note: `${fmt(r.events)} rings`,
        },
      ]),
    },
    {
      key: "loadScaleOut",
      title: "Scale-out: two bridges behind a shared subscription",
      intro: SCALE_OUT_INTRO,
      json: scale,
      rows: [
        {
          figure: `scale-out N=${one.n}, 1 bridge`,
          value: `${fmt(one.eventsPerSecond)} events/s`,
          note: `lost ${one.lost}, duplicated ${one.duplicated}`,
        },
        {
          figure: `scale-out N=${two.n}, 2 bridges`,
          value: `${fmt(two.eventsPerSecond)} events/s`,
          reference: `${fmt(one.eventsPerSecond)} with 1 bridge`,
          note:
            `x${(two.eventsPerSecond / one.eventsPerSecond).toFixed(2)}; lost ${two.lost}, duplicated ` +
            `${two.duplicated}, out of order ${two.outOfOrder}; opened per bridge ${two.perBridge.join(" / ")}`,
        },
      ],
    },
  ];
}
