// SPDX-License-Identifier: MIT
// The bridge between sealed device topics and Home Assistant, over a real MQTT broker (the embedded
// aedes, plain TCP on loopback; TLS and ACLs are the Mosquitto test's): opening, order of publishes,
// replay refusal and dedupe by id, persisted sequence numbers, states, birth re-publish, commands.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import mqtt, { type MqttClient } from "mqtt";
import { startBridge, type Bridge, type BridgeOptions } from "../../bridge/bridge.js";
import { createDeviceStateStore } from "../../bridge/device-state.js";
import { createCommandSigner, generateSigningKey, signingPublicPoint } from "../../bridge/key-files.js";
import type { BridgeDevice } from "../../bridge/devices.js";
import { createSnapshotStore } from "../../bridge/snapshot-store.js";
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

describe("doorbell bridge", () => {
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
      snapshots: createSnapshotStore({ dir: join(dir, "snapshots"), keepDays: 3650, maxMB: 100, log }),
      random01: () => 0,
      ...extra,
    });
    running.push({ bridge, client });
    return { bridge, client };
  }

  before(async () => {
    broker = await startEmbeddedBroker({ port: 0 });
    url = `mqtt://127.0.0.1:${broker.port}`;
    deviceClient = await mqtt.connectAsync(url, { clientId: "frontdoor" });
    ha = await watch(url, ["homeassistant/#", "doorbell/frontdoor/+", "doorbell/frontdoor/sealed/cmd"], {
      clientId: "homeassistant",
    });
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

  test("a ring: the picture on the image topic first (retained), then the event with its attributes (not retained); the JPEG is kept on disk", async () => {
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
      has_snapshot: true,
      frame_age_ms: 40,
    });
    const day = join(dir, "snapshots", "frontdoor", "2026-10-01");
    const [file] = readdirSync(day);
    assert.match(file, /^080000\.000-ring-00000000000000a1\.jpg$/);
    assert.equal(statSync(join(day, file)).mode & 0o777, 0o600);
  });

  test("a redelivered envelope is refused as replayed, and a re-sealed event id is dropped: Home Assistant sees each event once", async () => {
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
    assert.equal(bridge.stats.refused.replayed, 1);
    assert.equal(bridge.stats.duplicates, 1);
    assert.ok(lines.some((l) => l.startsWith("info bridge duplicate delivery ignored")));
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
    await ha.nth("doorbell/frontdoor/event", 4);
    assert.ok(!ha.on("doorbell/frontdoor/event").some((s) => s.payload.toString().includes("00000000000000f0")));
    assert.equal(running[0].bridge.stats.refused["wrong-sender"], 1);
    assert.ok(lines.some((l) => l.startsWith("warn bridge event refused") && l.includes("reason=wrong-sender")));
  });

  test("a status event becomes the retained info state, and discovery follows the firmware version", async () => {
    const atMs = Date.UTC(2026, 9, 1, 9, 0, 0);
    await send(
      seal({
        type: "status",
        id: "00000000000000d1",
        atMs,
        stats: { fw: "1.4.2", uptimeS: 3600, rssiDbm: -61, outboxQueued: 0, outboxDropped: 2 },
      }),
    );
    const info = JSON.parse((await ha.nth("doorbell/frontdoor/info", 1)).payload.toString());
    assert.deepEqual(info, {
      fw: "1.4.2",
      rssi: -61,
      uptime_s: 3600,
      boot: "2026-10-01T08:00:00.000Z",
      outbox_queued: 0,
      outbox_dropped: 2,
    });
    assert.equal(ha.on("doorbell/frontdoor/info")[0].retain, false, "live delivery; the broker keeps it retained");
    const discovery = await ha.nth("homeassistant/device/esp32db_frontdoor/config", 2);
    assert.equal(JSON.parse(discovery.payload.toString()).dev.sw, "1.4.2");
  });

  test("motion start and end set the retained binary sensor ON and OFF", async () => {
    await send(seal({ type: "motion_start", id: "00000000000000e1", box: [1, 2, 3, 4] }));
    await send(seal({ type: "motion_end", id: "00000000000000e2" }));
    await ha.nth("doorbell/frontdoor/motion", 2);
    assert.deepEqual(
      ha.on("doorbell/frontdoor/motion").map((s) => s.payload.toString()),
      ["ON", "OFF"],
    );
  });

  test("the Take snapshot button becomes a signed, sealed owner command numbered above the last; a retained press is ignored", async () => {
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

  test("Home Assistant's birth (homeassistant/status online) re-publishes discovery and states after a random delay of at most 5 s", async () => {
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
});
