// SPDX-License-Identifier: MIT
// The bridge on its own: ring events sealed before the timed run by N devices (the envelope and header the
// firmware makes), replayed by a light publisher (bench/load/raw-publisher.ts) as fast as Mosquitto takes
// them. Mosquitto alone carries the same messages from the same publisher to a plain QoS 1 subscriber, in
// the same run, just before the bridge (bench/load/bridge-worker.ts, its own process) opens them and
// publishes each ring state that Home Assistant's side receives. Ratio = bridge events/s / Mosquitto's.
import { readFileSync } from "node:fs";
import mqtt from "mqtt";
import { toHex } from "../modules/bytes.js";
import { sealEnvelopeConfirmable } from "../modules/envelope/seal-envelope.js";
import { createNodeCrypto } from "../hosts/node/crypto.js";
import type { Mosquitto } from "../test/support/mosquitto.js";
import { HaSide, PHASE_LIMIT_MS, startBridges, tally, TOPIC_ROOT, until, withBroker } from "./load.js";
import { smallJpeg } from "./load/fleet.js";
import { connectRawPublisher } from "./load/raw-publisher.js";
import { type RelayedEvent, startRelay } from "./load/relay.js";
import type { OpenedEvent } from "../bridge/ha-states.js";
import type { Section } from "./report.js";

/**
 * End-to-end delivery confirmation in the bridge rows (docs/delivery.md): the bridge process confirms each event
 * (BridgeWorkerConfig.confirm), and the publisher sends a device's next event only once fewer than the outbox's
 * CONFIRM_WINDOW of its events wait for their confirmation, as devices with `outbox.confirm` do.
 */
export const BRIDGE_CONFIRM = true;
/** Unacknowledged PUBLISHes the publisher keeps in flight: enough that the broker, not it, sets the pace. */
const PUBLISH_WINDOW = 2000;

export interface BridgeRow {
  n: number;
  events: number;
  /** Events over the time from the first PUBLISH to the last ring state on Home Assistant's side. */
  eventsPerSecond: number;
  /** The same messages through Mosquitto alone: first PUBLISH to the plain subscriber's last message. */
  mosquittoPerSecond: number;
  ratio: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  confirm: boolean;
  /** With `confirm`: events whose confirmation reached the publisher with a valid MAC, and confirmations refused. */
  confirmed: number;
  refusedConfirmations: number;
  /** With `confirm`: from an event's PUBLISH written to its confirmation read by the publisher, ms. */
  confirmMs?: { p50: number; p99: number };
  sealedBytes: number;
  /**
   * The same messages through the relay (bench/load/relay.ts), which publishes what the bridge would (the ring
   * state at QoS 2, then the confirmation) and does none of its work: the ceiling of the bridge's message path.
   */
  relayPerSecond?: number;
  /** CPU ms per 1,000 events, by process, in each run: where the time goes (docs/scaling.md). */
  cpuMsPer1000: {
    mosquittoAlone: { broker: number; publisherAndSubscriber: number };
    bridge: { broker: number; publisherAndHomeAssistant: number; bridge: number };
    relay?: { broker: number; publisherAndHomeAssistant: number; relay: number };
  };
}

/** CPU time (user + system) of process `pid` so far, ms, from /proc (Linux; 0 elsewhere). */
function procCpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}

const ownCpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

interface Sealed {
  messages: RelayedEvent[];
  devices: Record<string, string>;
  perDevice: Map<string, number>;
  ownerSecretHex: string;
}

/** p50 and p99 of `values`, ms to 0.1 (undefined without any). */
function percentiles(values: number[]): { p50: number; p99: number } | undefined {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!sorted.length) return undefined;
  const at = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] * 10) / 10;
  return { p50: at(0.5), p99: at(0.99) };
}

/** `total` rings from `n` devices, round-robin, each device's in its sequence order. */
function sealRings(n: number, total: number): Sealed {
  const crypto = createNodeCrypto();
  const ownerSecret = crypto.randomBytes(32);
  const ownerPublic = crypto.x25519(ownerSecret);
  const jpeg = smallJpeg();
  const keys = Array.from({ length: n }, (_, i) => {
    const secret = crypto.randomBytes(32);
    return { id: `r${n}-${String(i).padStart(4, "0")}`, secret, publicKey: crypto.x25519(secret) };
  });
  const messages: RelayedEvent[] = [];
  const perDevice = new Map<string, number>();
  for (let seq = 1; messages.length < total; seq++) {
    for (const k of keys.slice(0, total - messages.length)) {
      const topic = `${TOPIC_ROOT}/${k.id}/sealed/event`;
      const header = { v: 1, type: "ring", id: toHex(crypto.randomBytes(8)), device: k.id, atMs: Date.now(), seq };
      const { envelope: payload, confirmKey } = sealEnvelopeConfirmable({
        crypto,
        senderPrivateKey: k.secret,
        senderPublicKey: k.publicKey,
        recipientPublicKey: ownerPublic,
        deviceId: k.id,
        topic,
        seq,
        header,
        jpeg,
      });
      messages.push({ topic, payload, device: k.id, seq, confirmKey, header: header as OpenedEvent, jpeg });
      perDevice.set(k.id, seq);
    }
  }
  const devices = Object.fromEntries(keys.map((k) => [k.id, toHex(k.publicKey)]));
  return { messages, devices, perDevice, ownerSecretHex: toHex(ownerSecret) };
}

/** Mosquitto alone: the messages to one plain QoS 1 subscriber; messages/s from the first PUBLISH to the last arrival. */
async function mosquittoAlone(url: string, broker: Mosquitto, sealed: Sealed, tag: string) {
  const { port } = broker;
  const sub = await mqtt.connectAsync(url, { clientId: `plain-sub-${tag}`, clean: true, reconnectPeriod: 0 });
  let received = 0;
  let lastMs = 0;
  sub.on("message", () => (received++, (lastMs = Date.now())));
  await sub.subscribeAsync(`${TOPIC_ROOT}/+/sealed/event`, { qos: 1 });
  const publisher = await connectRawPublisher({
    host: "127.0.0.1",
    port,
    clientId: `raw-pub-plain-${tag}`,
    messages: sealed.messages,
  });
  try {
    const cpu = { broker: procCpuMs(broker.pid()), own: ownCpuMs() };
    const { startedAtMs } = await publisher.publishAll(PUBLISH_WINDOW, PHASE_LIMIT_MS);
    await until(() => received >= sealed.messages.length, PHASE_LIMIT_MS);
    const per1000 = 1000 / sealed.messages.length;
    return {
      perSecond: (received / Math.max(1, lastMs - startedAtMs)) * 1000,
      cpuMsPer1000: {
        broker: Math.round((procCpuMs(broker.pid()) - cpu.broker) * per1000),
        publisherAndSubscriber: Math.round((ownCpuMs() - cpu.own) * per1000),
      },
    };
  } finally {
    publisher.close();
    await sub.endAsync();
  }
}

/** The bridge: the messages opened, made durable and published to Home Assistant's side. */
/** The bridge process, or the relay that carries its messages and does none of its work (bench/load/relay.ts). */
async function startPath(url: string, sealed: Sealed, relay: boolean): Promise<{ stop(): Promise<number> }> {
  if (relay) {
    const r = await startRelay({ url, topicRoot: TOPIC_ROOT, events: sealed.messages, crypto: createNodeCrypto() });
    return { stop: async () => (await r.stop()).cpuMs };
  }
  const bridges = await startBridges({
    url,
    count: 1,
    ownerSecretHex: sealed.ownerSecretHex,
    devices: sealed.devices,
    confirm: BRIDGE_CONFIRM,
  });
  return { stop: async () => (await bridges.stop())[0].cpuMs };
}

async function throughBridge(url: string, broker: Mosquitto, sealed: Sealed, tag: string, relay = false) {
  const { port } = broker;
  const path = await startPath(url, sealed, relay);
  const ha = await HaSide.connect(url);
  const publisher = await connectRawPublisher({
    host: "127.0.0.1",
    port,
    clientId: `raw-pub-${relay ? "relay" : "bridge"}-${tag}`,
    messages: sealed.messages,
  });
  try {
    const total = sealed.messages.length;
    const cpu = { broker: procCpuMs(broker.pid()), own: ownCpuMs() };
    const { startedAtMs, confirmed, refused, confirmMs } = BRIDGE_CONFIRM
      ? await publisher.publishConfirmed({
          window: PUBLISH_WINDOW,
          ackFilter: `${TOPIC_ROOT}/+/sealed/ack`,
          crypto: createNodeCrypto(),
          limitMs: PHASE_LIMIT_MS,
        })
      : { ...(await publisher.publishAll(PUBLISH_WINDOW, PHASE_LIMIT_MS)), confirmed: 0, refused: 0, confirmMs: [] };
    await until(() => ha.states.length >= total, PHASE_LIMIT_MS);
    const per1000 = 1000 / total;
    const cpuBroker = (procCpuMs(broker.pid()) - cpu.broker) * per1000;
    const cpuOwn = (ownCpuMs() - cpu.own) * per1000;
    await new Promise((r) => setTimeout(r, 200)); // a late duplicate would arrive now
    const lastMs = ha.states.reduce((m, s) => Math.max(m, s.arrivedMs), startedAtMs);
    const counts = tally(ha, 0, sealed.perDevice);
    const pathCpuMs = await path.stop();
    return {
      eventsPerSecond: (total / Math.max(1, lastMs - startedAtMs)) * 1000,
      ...counts,
      confirmed,
      refusedConfirmations: refused,
      confirmMs: percentiles(confirmMs),
      cpuMsPer1000: {
        broker: Math.round(cpuBroker),
        publisherAndHomeAssistant: Math.round(cpuOwn),
        bridge: Math.round(pathCpuMs * per1000), // from ready to stop: its start-up (discovery) included
      },
    };
  } finally {
    publisher.close();
    await ha.client.endAsync();
  }
}

/** One row per N: Mosquitto alone, then the bridge, on the same sealed messages in the same broker. */
export async function benchBridge(o: {
  quick: boolean;
  progress: (text: string) => void;
  /** Device counts; default 10, 100, 1,000. */
  ns?: number[];
  /** Events per N; default 20,000 (4,000 with `quick`). */
  total?: number;
}): Promise<Section> {
  const ns = o.ns ?? [10, 100, 1000];
  const total = o.total ?? (o.quick ? 4000 : 20_000);
  const rows: BridgeRow[] = [];
  await withBroker(async (url, broker) => {
    for (const n of ns) {
      o.progress(`  N=${n}: sealing ${total.toLocaleString("en")} rings before the timed run`);
      const sealed = sealRings(n, total);
      const alone = await mosquittoAlone(url, broker, sealed, String(n));
      const mosquittoPerSecond = alone.perSecond;
      o.progress(`  N=${n}: Mosquitto alone ${Math.round(mosquittoPerSecond)}/s; now through the bridge`);
      const b = await throughBridge(url, broker, sealed, String(n));
      o.progress(
        `  N=${n}: bridge ${Math.round(b.eventsPerSecond)}/s; now through the relay (the bridge's messages only)`,
      );
      const relay = await throughBridge(url, broker, sealed, String(n), true);
      o.progress(
        `  N=${n}: bridge ${Math.round(b.eventsPerSecond)}/s, lost ${b.lost}, duplicated ${b.duplicated}, confirmed ` +
          `${b.confirmed} in ${JSON.stringify(b.confirmMs)} ms; CPU ms per ` +
          `1,000: ${JSON.stringify({ alone: alone.cpuMsPer1000, bridge: b.cpuMsPer1000 })}; relay ` +
          `${Math.round(relay.eventsPerSecond)}/s, lost ${relay.lost}, CPU ${JSON.stringify(relay.cpuMsPer1000)}`,
      );
      rows.push({
        n,
        events: total,
        eventsPerSecond: Math.round(b.eventsPerSecond),
        mosquittoPerSecond: Math.round(mosquittoPerSecond),
        ratio: Number((b.eventsPerSecond / mosquittoPerSecond).toFixed(3)),
        lost: b.lost,
        duplicated: b.duplicated,
        outOfOrder: b.outOfOrder,
        confirm: BRIDGE_CONFIRM,
        confirmed: b.confirmed,
        refusedConfirmations: b.refusedConfirmations,
        ...(b.confirmMs ? { confirmMs: b.confirmMs } : {}),
        sealedBytes: Math.max(...sealed.messages.map((m) => m.payload.length)),
        relayPerSecond: Math.round(relay.eventsPerSecond),
        cpuMsPer1000: {
          mosquittoAlone: alone.cpuMsPer1000,
          bridge: b.cpuMsPer1000,
          relay: {
            broker: relay.cpuMsPer1000.broker,
            publisherAndHomeAssistant: relay.cpuMsPer1000.publisherAndHomeAssistant,
            relay: relay.cpuMsPer1000.bridge,
          },
        },
      });
    }
  });
  return bridgeSection(rows);
}

const BRIDGE_INTRO =
  "The bridge on its own. Before the timed run, N devices' keys seal ring events (the firmware's envelope and " +
  "header, a 64x48 JPEG each), round-robin over the devices, each device's in sequence order. One light " +
  "publisher (pre-encoded MQTT 3.1.1 PUBLISH packets over one socket, QoS 1, up to 2,000 unacknowledged) " +
  "replays them. Reference, in the same run and broker: Mosquitto alone carrying the same messages from the " +
  "same publisher, as fast as it takes them, to one plain MQTT.js subscriber at QoS 1, from the first PUBLISH to " +
  "its last message. Then the bridge (bridge/bridge.ts in its own process, on its own connection code, with its " +
  "durable state and, as doorbell-bridge runs by default, its picture store and ha.pictures: url, so each ring's " +
  "JPEG is written to disk and a link to it published, retained, QoS 1, before the ring) takes the same messages, " +
  "with end-to-end confirmation on (`confirm`): it confirms each event " +
  "once durable and published to Home Assistant, and the publisher sends a device's next event only once fewer " +
  "than the outbox's CONFIRM_WINDOW (1) of that device wait for a confirmation whose MAC checks, as doorbells with " +
  "outbox.confirm do. Events/s is from the first PUBLISH to the last ring state received by Home Assistant's side " +
  "(QoS 2, as discovery asks). Ratio = bridge / Mosquitto alone. Lost, duplicated and out of order count ring " +
  "states against the events published; confirmMs is from an event's PUBLISH to its confirmation. Last, the relay " +
  "(bench/load/relay.ts, MQTT.js on the bridge's connection code) carries the same messages the bridge sends, the " +
  "picture's link and the ring state at QoS 2, then the confirmation, prepared beforehand, and does none of the " +
  "bridge's work (no opening, no state, no file): its rate is the ceiling of the bridge's message path on this " +
  "machine. Home Assistant's side subscribes to the ring at QoS 2 and to the link at QoS 1. All three runs use " +
  "the same Mosquitto on loopback: no TLS, persistence on with its default autosave (nothing written during a run), " +
  "unlimited queues and in-flight windows. Everything shares this machine's two cores.";

export function bridgeSection(rows: BridgeRow[]): Section {
  const fmt = (v: number) => Math.round(v).toLocaleString("en");
  return {
    key: "bridge",
    title: "The bridge on its own, beside Mosquitto",
    intro: BRIDGE_INTRO,
    json: rows,
    rows: rows.map((r) => ({
      figure: `bridge N=${r.n} events/s`,
      value: fmt(r.eventsPerSecond),
      reference: `${fmt(r.mosquittoPerSecond)}/s Mosquitto alone`,
      note:
        `ratio ${r.ratio.toFixed(2)}; ${fmt(r.events)} events of ${fmt(r.sealedBytes)} bytes; lost ${r.lost}, ` +
        `duplicated ${r.duplicated}, out of order ${r.outOfOrder}; confirm ${r.confirm ? "on" : "off"}` +
        (r.confirmMs ? ` (${fmt(r.confirmed)} confirmed, p50 ${r.confirmMs.p50} ms, p99 ${r.confirmMs.p99} ms)` : "") +
        (r.relayPerSecond ? `; the relay (no bridge work) ${fmt(r.relayPerSecond)}/s` : ""),
    })),
  };
}
