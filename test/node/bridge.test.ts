// SPDX-License-Identifier: MIT
// The bridge between sealed device topics and Home Assistant, over a real MQTT broker (the embedded
// aedes, plain TCP on loopback; TLS and ACLs are the Mosquitto test's): opening, order of publishes,
// replay refusal and dedupe by id, persisted sequence numbers, states, birth re-publish, commands.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import mqtt, { type MqttClient } from "mqtt";
import { startBridge, type Bridge, type BridgeOptions } from "../../bridge/bridge.js";
import { SNAPSHOT_BURST, SNAPSHOT_REFILL_MS } from "../../bridge/command-sender.js";
import { createDeviceStateStore } from "../../bridge/device-state.js";
import { createCommandSigner, generateSigningKey, signingPublicPoint } from "../../bridge/key-files.js";
import type { BridgeDevice } from "../../bridge/devices.js";
import { LATE_AFTER_S } from "../../bridge/ha-states.js";
import { readPack } from "../../bridge/snapshot-pack.js";
import { createSnapshotStore, PACKS_DIR } from "../../bridge/snapshot-store.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { verifyCommandSignature } from "../../modules/command-signature.js";
import { parseCommand } from "../../modules/commands.js";
import { openEnvelope } from "../../modules/envelope/open-envelope.js";
import { sealEnvelope } from "../../modules/envelope/seal-envelope.js";
import { createLogger } from "../../modules/logger.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../simulator/embedded-broker.js";
import { until, watch, type Watcher } from "../support/mqtt-watch.js";

const crypto = createNodeCrypto();
const EVENT = "doorbell/frontdoor/sealed/event";
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xfe, 0, 4, 0x41, 0x42, 0xff, 0xd9]);

let broker: EmbeddedBroker;
let url: string;
const ownerSecret = crypto.randomBytes(32);
const ownerSigning = generateSigningKey();
const deviceSecret = crypto.randomBytes(32);
const device: BridgeDevice = {
  id: "frontdoor",
  name: "Front door",
  topicRoot: "doorbell",
  statusIntervalS: 300,
  publicKey: crypto.x25519(deviceSecret),
};
const dir = mkdtempSync(join(tmpdir(), "doorbell-bridge-"));
const lines: string[] = [];
const log = createLogger({ write: (level, tag, message) => void lines.push(`${level} ${tag} ${message}`) }, "bridge");
let deviceClient: MqttClient;
let ha: Watcher;
const running: { bridge: Bridge; client: MqttClient }[] = [];
let seq = 0;
/** The bridge's wall clock: one second after the device's capture time below. */
let bridgeNow = Date.UTC(2026, 9, 1, 8, 0, 1);
/** The bridges' timers (burst logs, birth delay), fired by hand. */
const timerQueue: (() => void)[] = [];
const fireTimers = () => {
  for (const fn of timerQueue.splice(0)) fn();
};

const seal = (header: Record<string, unknown>, jpeg?: Uint8Array, at = ++seq) =>
  sealEnvelope({
    crypto,
    senderPrivateKey: deviceSecret,
    recipientPublicKey: crypto.x25519(ownerSecret),
    deviceId: "frontdoor",
    topic: EVENT,
    seq: at,
    header: { v: 1, device: "frontdoor", atMs: Date.UTC(2026, 9, 1, 8, 0, 0), seq: at, ...header },
    jpeg,
  });
const send = (bytes: Uint8Array) => deviceClient.publishAsync(EVENT, Buffer.from(bytes), { qos: 1 });

async function boot(extra: Partial<BridgeOptions> = {}) {
  const client = await mqtt.connectAsync(url, { clientId: `bridge-${running.length}`, reconnectPeriod: 0 });
  const bridge = startBridge({
    client,
    crypto,
    ownerSecret,
    signCommand: createCommandSigner(ownerSigning),
    devices: [device],
    log,
    discoveryPrefix: "homeassistant",
    motionOffDelayS: 30,
    state: createDeviceStateStore(join(dir, "state")),
    snapshots: createSnapshotStore({
      dir: join(dir, "snapshots"),
      keepDays: 30,
      maxMB: 100,
      log,
      now: () => bridgeNow,
    }),
    random01: () => 0,
    now: () => bridgeNow,
    // The picture's bytes on the snapshot topic (ha.pictures = mqtt); the default, links, is video-broker-traffic's.
    pictures: { mode: "mqtt" },
    timers: { set: (fn) => timerQueue.push(fn), clear: () => undefined },
    ...extra,
  });
  running.push({ bridge, client });
  return { bridge, client };
}

before(async () => {
  broker = await startEmbeddedBroker({ port: 0 });
  url = `mqtt://127.0.0.1:${broker.port}`;
  deviceClient = await mqtt.connectAsync(url, { clientId: "frontdoor" });
  ha = await watch(
    url,
    [
      "homeassistant/#",
      "doorbell/frontdoor/+",
      "doorbell/frontdoor/sealed/cmd",
      "doorbell/frontdoor/motion/attributes",
    ],
    {
      clientId: "homeassistant",
    },
  );
});
after(async () => {
  for (const r of running) {
    r.bridge.close();
    await r.client.endAsync(true);
  }
  await deviceClient.endAsync(true);
  await ha.close();
  await broker.close();
});

describe("bridge: discovery and opened events", () => {
  test("publishes retained device discovery on connect", async () => {
    await boot();
    const discovery = await ha.nth("homeassistant/device/esp32db_frontdoor/config", 1);
    const payload = JSON.parse(discovery.payload.toString());
    assert.deepEqual(payload.cmps.ring.evt_typ, ["ring", "long_press"]);
    const late = await watch(url, ["homeassistant/device/+/config"]);
    try {
      const retained = await late.nth("homeassistant/device/esp32db_frontdoor/config", 1);
      assert.equal(retained.retain, true, "retained for a Home Assistant that starts later");
    } finally {
      await late.close();
    }
  });

  test("a ring: the picture first (retained), then the event with both times (not retained); the JPEG kept on disk", async () => {
    await send(seal({ type: "ring", id: "00000000000000a1", frameAgeMs: 40 }, JPEG));
    const event = await ha.nth("doorbell/frontdoor/event", 1);
    const order = ha.seen
      .filter((s) => s.topic === "doorbell/frontdoor/snapshot" || s.topic === "doorbell/frontdoor/event")
      .map((s) => s.topic);
    assert.deepEqual(order, ["doorbell/frontdoor/snapshot", "doorbell/frontdoor/event"]);
    const picture = ha.on("doorbell/frontdoor/snapshot")[0];
    assert.deepEqual(new Uint8Array(picture.payload), JPEG, "raw JPEG bytes (no base64)");
    assert.equal(event.retain, false);
    assert.deepEqual(JSON.parse(event.payload.toString()), {
      event_type: "ring",
      id: "00000000000000a1",
      seq,
      at: "2026-10-01T08:00:00.000Z",
      received_at: "2026-10-01T08:00:01.000Z",
      delay_s: 1,
      late: false,
      has_snapshot: true,
      frame_age_ms: 40,
    });
    const day = join(dir, "snapshots", PACKS_DIR, "2026-10-01");
    const [file] = readdirSync(day);
    assert.match(file, /^080001\.000\.pack$/, "a pack named by the bridge's receive time");
    assert.equal(statSync(join(day, file)).mode & 0o777, 0o600);
    const [kept] = readPack(readFileSync(join(day, file)));
    assert.deepEqual(
      { device: kept.device, type: kept.type, id: kept.id, atMs: kept.atMs },
      { device: "frontdoor", type: "ring", id: "00000000000000a1", atMs: Date.UTC(2026, 9, 1, 8, 0, 1) },
    );
    assert.deepEqual(readFileSync(join(day, file)).subarray(kept.offset, kept.offset + kept.length), Buffer.from(JPEG));
  });
});

describe("bridge: redeliveries, replays and forgeries", () => {
  test("a redelivered envelope is a redelivery; a re-sealed event id is dropped: Home Assistant sees each event once", async () => {
    const envelope = seal({ type: "ring", id: "00000000000000b2" });
    await send(envelope);
    await send(envelope); // QoS 1 may deliver twice
    await send(seal({ type: "ring", id: "00000000000000b2" })); // the same event under a newer seq
    await send(seal({ type: "long_press", id: "00000000000000b3", heldMs: 2500 })); // a marker: everything before it has been handled
    await ha.nth("doorbell/frontdoor/event", 3);
    const events = ha.on("doorbell/frontdoor/event").map((s) => JSON.parse(s.payload.toString()));
    assert.deepEqual(
      events.map((e) => [e.event_type, e.id]),
      [
        ["ring", "00000000000000a1"],
        ["ring", "00000000000000b2"],
        ["long_press", "00000000000000b3"],
      ],
    );
    assert.equal(events[2].held_ms, 2500);
    const { bridge } = running[0];
    assert.equal(bridge.stats.redelivered, 1, "the same bytes as the last accepted envelope: a QoS 1 redelivery");
    assert.equal(bridge.stats.refused.replayed, undefined, "not counted as a replay");
    assert.equal(bridge.stats.duplicates, 1);
    assert.ok(lines.some((l) => l.startsWith("info bridge duplicate delivery of the last accepted event ignored")));
    assert.ok(!lines.some((l) => l.includes("replayed event refused")));
  });

  test("an older envelope is a replay: a warning with a count, replays_refused on the info topic; a redelivery is not", async () => {
    const old = seal({ type: "ring", id: "00000000000000b4" });
    await send(old);
    const marker = seal({ type: "long_press", id: "00000000000000b5", heldMs: 2000 });
    await send(marker);
    await ha.nth("doorbell/frontdoor/event", 5);
    const { bridge } = running[0];
    const before = bridge.stats.refused.replayed ?? 0;
    for (let i = 0; i < 5; i++) await send(old); // an attacker re-sends a captured envelope
    await send(marker); // and the last accepted one: a redelivery
    await until(
      () => bridge.stats.refused.replayed === before + 5 && bridge.stats.redelivered === 2,
      "5 replays, 1 redelivery",
    );
    const warnings = lines.filter((l) => l.startsWith("warn bridge replayed event refused"));
    assert.equal(warnings.length, 1, "logged once per burst, not once per message");
    assert.match(warnings[0], /seq=\d+ lastAccepted=\d+ .*count=1/);
    const info = await ha.nth("doorbell/frontdoor/info", 1);
    assert.equal(JSON.parse(info.payload.toString()).replays_refused, 1, "published on the first replay of a burst");
    fireTimers(); // the burst's window ends: its total is logged and published
    assert.ok(
      lines.some((l) => l.startsWith("warn bridge replayed event refused") && /\(burst ended\).*count=5/.test(l)),
    );
    const total = await ha.nth("doorbell/frontdoor/info", 2);
    assert.equal(JSON.parse(total.payload.toString()).replays_refused, 5);
  });

  test("an envelope sealed by any other key is refused and logged; nothing reaches Home Assistant", async () => {
    const stranger = crypto.randomBytes(32);
    const forged = sealEnvelope({
      crypto,
      senderPrivateKey: stranger,
      recipientPublicKey: crypto.x25519(ownerSecret),
      deviceId: "frontdoor",
      topic: EVENT,
      seq: ++seq,
      header: { v: 1, type: "ring", id: "00000000000000f0", atMs: 0 },
    });
    await send(forged);
    await send(seal({ type: "long_press", id: "00000000000000c1", heldMs: 2000 }));
    await ha.nth("doorbell/frontdoor/event", 6);
    assert.ok(!ha.on("doorbell/frontdoor/event").some((s) => s.payload.toString().includes("00000000000000f0")));
    assert.equal(running[0].bridge.stats.refused["wrong-sender"], 1);
    assert.ok(lines.some((l) => l.startsWith("warn bridge event refused") && l.includes("reason=wrong-sender")));
  });
});

describe("bridge: states and commands", () => {
  test("a status event becomes the retained info state, and discovery follows the firmware version", async () => {
    const atMs = Date.UTC(2026, 9, 1, 9, 0, 0);
    await send(
      seal({
        type: "status",
        id: "00000000000000d1",
        atMs,
        stats: { fw: "1.4.2", uptimeS: 3600, rssiDbm: -61, outboxQueued: 0, outboxDropped: 2, videoFramesDropped: 4 },
      }),
    );
    const info = JSON.parse((await ha.nth("doorbell/frontdoor/info", 3)).payload.toString());
    assert.deepEqual(info, {
      fw: "1.4.2",
      rssi: -61,
      uptime_s: 3600,
      boot: "2026-10-01T08:00:00.000Z",
      outbox_queued: 0,
      outbox_dropped: 2,
      video_frames_dropped: 4,
      replays_refused: 5,
    });
    assert.equal(ha.on("doorbell/frontdoor/info")[2].retain, false, "live delivery; the broker keeps it retained");
    const discovery = await ha.nth("homeassistant/device/esp32db_frontdoor/config", 2);
    assert.equal(JSON.parse(discovery.payload.toString()).dev.sw, "1.4.2");
  });
});

describe("bridge: why motion fired, and why a picture is missing", () => {
  test("motion start and end set the retained binary sensor ON and OFF, each after its reason on the attributes topic", async () => {
    const why = { cells: 14, areaPct: 1.2, light: "step", gain: 1.42 };
    await send(seal({ type: "motion_start", id: "00000000000000e1", box: [1, 2, 3, 4], motion: why }));
    // Malformed fields are left out, not passed on: a lighting state with a newline, a count that is text.
    const odd = { cells: "14", areaPct: 0.4, light: "a\nb", gain: 1 };
    await send(seal({ type: "motion_end", id: "00000000000000e2", motion: odd, box: [1, 2] }));
    await ha.nth("doorbell/frontdoor/motion", 2);
    assert.deepEqual(
      ha.on("doorbell/frontdoor/motion").map((s) => s.payload.toString()),
      ["ON", "OFF"],
    );
    const order = ha.seen.filter((s) => s.topic.startsWith("doorbell/frontdoor/motion")).map((s) => s.topic.slice(19));
    assert.deepEqual(order, ["motion/attributes", "motion", "motion/attributes", "motion"]);
    const [start, end] = ha.on("doorbell/frontdoor/motion/attributes");
    assert.equal(start.retain, false, "live delivery; the broker keeps it retained");
    const at = { at: "2026-10-01T08:00:00.000Z", received_at: "2026-10-01T08:00:01.000Z" };
    assert.deepEqual(JSON.parse(start.payload.toString()), {
      event_type: "motion_start",
      id: "00000000000000e1",
      seq: seq - 1,
      ...at,
      cells: 14,
      area_pct: 1.2,
      light: "step",
      gain: 1.42,
      box: [1, 2, 3, 4],
    });
    assert.deepEqual(JSON.parse(end.payload.toString()), {
      event_type: "motion_end",
      id: "00000000000000e2",
      seq,
      ...at,
      area_pct: 0.4,
      gain: 1,
    });
  });

  test("a ring whose picture was withheld for the privacy zones says so, with the redactor's code", async () => {
    await send(seal({ type: "ring", id: "00000000000000e3", pictureWithheld: "unsupported" }));
    const withheld = () => ha.on("doorbell/frontdoor/event").map((e) => JSON.parse(e.payload.toString()));
    await until(() => withheld().some((e) => e.id === "00000000000000e3"), "the ring on Home Assistant's side");
    const attributes = withheld().find((e) => e.id === "00000000000000e3");
    assert.equal(attributes.has_snapshot, false);
    assert.equal(attributes.picture_withheld, "unsupported");
  });
});

describe("bridge: commands", () => {
  test("Take snapshot becomes a command the owner sealed, numbered above the last; a retained press is ignored", async () => {
    await ha.client.publishAsync("doorbell/frontdoor/cmd/snapshot", "snapshot", { qos: 1 });
    await ha.client.publishAsync("doorbell/frontdoor/cmd/snapshot", "snapshot", { qos: 1 });
    await ha.nth("doorbell/frontdoor/sealed/cmd", 2);
    let last = 0;
    for (const s of ha.on("doorbell/frontdoor/sealed/cmd")) {
      // What the device checks first: the owner's P-256 signature over topic, device id and envelope.
      const signed = verifyCommandSignature(
        crypto,
        signingPublicPoint(ownerSigning),
        "frontdoor",
        "doorbell/frontdoor/sealed/cmd",
        new Uint8Array(s.payload),
      );
      assert.ok(signed.ok, "carries the owner's signature");
      if (!signed.ok) continue;
      const r = openEnvelope({
        crypto,
        recipientPrivateKey: deviceSecret,
        senderPublicKey: crypto.x25519(ownerSecret),
        deviceId: "frontdoor",
        topic: "doorbell/frontdoor/sealed/cmd",
        lastAcceptedSeq: last,
        bytes: signed.envelope,
      });
      assert.ok(r.ok, "opens with the device key, from the owner, in order");
      if (r.ok) {
        last = r.seq;
        const command = parseCommand(r.header);
        assert.ok(command.ok && command.command.cmd === "snapshot");
      }
      assert.equal(s.retain, false);
    }
    assert.equal(running[0].bridge.stats.commands, 2);
    // A press someone retained by mistake would replay on every reconnect (§1.7); a bridge that
    // subscribes later gets it flagged retained [MQTT-3.3.1-8] and ignores it.
    await ha.client.publishAsync("doorbell/frontdoor/cmd/snapshot", "snapshot", { qos: 1, retain: true });
    await ha.nth("doorbell/frontdoor/sealed/cmd", 3); // the live bridge took it as a press [MQTT-3.3.1-9]
    running[0].bridge.close();
    const { bridge } = await boot();
    await until(() => lines.some((l) => l.includes("retained command ignored")), "the retained press to be refused");
    assert.equal(bridge.stats.commands, 0);
    await ha.client.publishAsync("doorbell/frontdoor/cmd/snapshot", "", { qos: 1, retain: true }); // clear it
  });
});

describe("bridge: restarts, clocks and floods", () => {
  test("Home Assistant's birth (homeassistant/status online) re-publishes discovery and states within 5 s (§1.6)", async () => {
    const scheduled: { fn: () => void; ms: number }[] = [];
    for (const r of running) r.bridge.close();
    const infos = ha.on("doorbell/frontdoor/info").length;
    const { bridge } = await boot({
      random01: () => 0.999,
      timers: { set: (fn, ms) => scheduled.push({ fn, ms }), clear: () => undefined },
    });
    await until(() => ha.on("doorbell/frontdoor/info").length === infos + 1, "discovery and states on connect");
    assert.equal(bridge.stats.discoveryPublished, 1);
    await ha.client.publishAsync("homeassistant/status", "online");
    await until(() => scheduled.length === 1, "the birth delay to be scheduled");
    assert.ok(scheduled[0].ms >= 0 && scheduled[0].ms <= 5000, `delay ${scheduled[0].ms} ms`);
    assert.equal(scheduled[0].ms, 4995);
    assert.equal(bridge.stats.discoveryPublished, 1, "nothing before the delay");
    scheduled[0].fn();
    await until(() => ha.on("doorbell/frontdoor/info").length === infos + 2, "the info state re-published");
    assert.equal(bridge.stats.discoveryPublished, 2);
  });

  test("the last accepted sequence number survives a bridge restart: an older envelope never seen is still refused", async () => {
    const stale = seal({ type: "ring", id: "0000000000000a01" }); // sealed, never delivered
    const fresh = seal({ type: "ring", id: "0000000000000a02" });
    const first = running[running.length - 1].bridge;
    const opened = first.stats.opened;
    await send(fresh);
    await until(() => first.stats.opened === opened + 1, "the fresh ring before the restart");
    for (const r of running) r.bridge.close();
    const { bridge } = await boot(); // a new process, the same state directory
    await send(stale);
    await until(() => bridge.stats.refused.replayed === 1, "the stale envelope refused after the restart");
    assert.equal(bridge.stats.opened, 0);
    const rings = ha.on("doorbell/frontdoor/event").map((s) => JSON.parse(s.payload.toString()).id);
    assert.ok(rings.includes("0000000000000a02") && !rings.includes("0000000000000a01"));
    assert.equal(statSync(join(dir, "state", "frontdoor.json")).mode & 0o777, 0o600);
  });
  test("a late event (device clock unset before SNTP): both times and late: true; the picture dated by the bridge", async () => {
    bridgeNow = Date.UTC(2026, 9, 2, 9, 30, 0);
    const before = ha.on("doorbell/frontdoor/event").length;
    await send(seal({ type: "ring", id: "0000000000000a03", atMs: 5000 }, JPEG));
    const event = JSON.parse((await ha.nth("doorbell/frontdoor/event", before + 1)).payload.toString());
    assert.equal(event.at, "1970-01-01T00:00:05.000Z", "the device's capture time, as it sent it");
    assert.equal(event.received_at, "2026-10-02T09:30:00.000Z");
    assert.equal(event.late, true, `more than ${LATE_AFTER_S} s between capture and receipt`);
    assert.equal(event.delay_s, (bridgeNow - 5000) / 1000);
    const day = join(dir, "snapshots", PACKS_DIR, "2026-10-02");
    assert.deepEqual(readdirSync(day), ["093000.000.pack"], "kept, not pruned as 56 years old");
    assert.deepEqual(
      readPack(readFileSync(join(day, "093000.000.pack"))).map((p) => [p.id, p.atMs]),
      [["0000000000000a03", bridgeNow]],
      "dated by the bridge",
    );
  });

  test("a flood of 300 Take snapshot presses seals only the burst (3), logged once per burst with its count", async () => {
    const { bridge } = running[running.length - 1];
    const sealedBefore = ha.on("doorbell/frontdoor/sealed/cmd").length;
    const refusedLines = () => lines.filter((l) => l.startsWith("warn bridge snapshot press refused: rate limit"));
    fireTimers();
    for (let i = 0; i < 300; i++) void ha.client.publish("doorbell/frontdoor/cmd/snapshot", "snapshot", { qos: 1 });
    await until(() => bridge.stats.commands + bridge.stats.rateLimited === 300, "all 300 presses handled");
    assert.equal(bridge.stats.commands, SNAPSHOT_BURST);
    assert.equal(bridge.stats.rateLimited, 300 - SNAPSHOT_BURST);
    await ha.nth("doorbell/frontdoor/sealed/cmd", sealedBefore + SNAPSHOT_BURST);
    assert.equal(refusedLines().length, 1, "one line for the burst so far");
    assert.match(refusedLines()[0], /device=frontdoor .*count=1/);
    fireTimers(); // the burst's window ends
    assert.equal(refusedLines().length, 2);
    assert.match(refusedLines()[1], /\(burst ended\).*count=297/);
    bridgeNow += SNAPSHOT_REFILL_MS; // one token comes back
    await ha.client.publishAsync("doorbell/frontdoor/cmd/snapshot", "snapshot", { qos: 1 });
    await ha.client.publishAsync("doorbell/frontdoor/cmd/snapshot", "snapshot", { qos: 1 });
    await until(() => bridge.stats.commands + bridge.stats.rateLimited === 302, "two more presses handled");
    assert.equal(bridge.stats.commands, SNAPSHOT_BURST + 1);
    await ha.nth("doorbell/frontdoor/sealed/cmd", sealedBefore + SNAPSHOT_BURST + 1);
  });
});
