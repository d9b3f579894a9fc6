// SPDX-License-Identifier: MIT
// The bridge's events opened on worker threads (bridge/open-threads.ts): the same acceptance as on the event
// loop (replays, forgeries, tampering and repeated ids refused), each device's events acted on in order although
// batches go to two threads, and a flush takes back what the threads have not answered, so nothing is acted on twice.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { createBridgeStats } from "../../bridge/bridge-stats.js";
import { createBurstLog } from "../../bridge/burst-log.js";
import { createDeviceStateStore } from "../../bridge/device-state.js";
import type { BridgeDevice } from "../../bridge/devices.js";
import { createEventReceiver, type DeliveredEvent } from "../../bridge/event-receiver.js";
import type { HaPublish } from "../../bridge/ha-states.js";
import type { HaSync } from "../../bridge/ha-sync.js";
import { serveDevice } from "../../bridge/served-device.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { sealEnvelope } from "../../modules/envelope/seal-envelope.js";
import { createLogger } from "../../modules/logger.js";
import { until } from "../support/mqtt-watch.js";

const crypto = createNodeCrypto();
const ownerSecret = crypto.randomBytes(32);
const ownerPublic = crypto.x25519(ownerSecret);
const secrets = { front: crypto.randomBytes(32), back: crypto.randomBytes(32) };
const devices: BridgeDevice[] = (["front", "back"] as const).map((id) => ({
  id,
  name: id,
  topicRoot: "doorbell",
  statusIntervalS: 300,
  publicKey: crypto.x25519(secrets[id]),
}));
const served = devices.map(serveDevice);
const topic = (id: string) => `doorbell/${id}/sealed/event`;

function seal(id: "front" | "back", seq: number, o: { eventId?: string; senderSecret?: Uint8Array } = {}) {
  return sealEnvelope({
    crypto,
    senderPrivateKey: o.senderSecret ?? secrets[id],
    recipientPublicKey: ownerPublic,
    deviceId: id,
    topic: topic(id),
    seq,
    header: { v: 1, type: "ring", id: o.eventId ?? `${id}-${seq}`, device: id, atMs: 0, seq },
  });
}

function receiverWithThreads() {
  const published: { device: string; seq: number }[] = [];
  const delivered: DeliveredEvent[] = [];
  const ha: HaSync = {
    publish(p: HaPublish, onDone) {
      if (p.qos === 2) {
        const s = JSON.parse(String(p.payload)) as { seq: number };
        published.push({ device: p.topic.split("/")[1], seq: s.seq });
      }
      onDone?.();
    },
    publishDiscovery() {},
    publishInfo() {},
    republish() {},
    onBirth() {},
    close() {},
  };
  const errors: string[] = [];
  const log = createLogger({ write: (level, _tag, line) => void (level === "error" && errors.push(line)) }, "bridge");
  const timers = { set: () => 0, clear() {} };
  const stats = createBridgeStats();
  const state = createDeviceStateStore(join(mkdtempSync(join(tmpdir(), "doorbell-threads-")), "state"));
  const receiver = createEventReceiver({
    crypto,
    ownerSecret,
    state,
    ha,
    stats,
    log,
    burstLog: createBurstLog({ log, timers }),
    now: () => 0,
    onDelivered: (e) => void delivered.push(e),
    openThreads: 2,
    devices,
  });
  const send = (s: (typeof served)[number], bytes: Uint8Array) => receiver.receive(s, topic(s.device.id), bytes);
  return { receiver, stats, published, delivered, state, send, errors };
}

describe("bridge: opening on worker threads", () => {
  test("every event once, in order per device; replays, forgeries, tampering and repeated ids refused", async () => {
    const r = receiverWithThreads();
    const [front, back] = served;
    // Many turns of the event loop apart, so the batches alternate between the two threads.
    for (let seq = 1; seq <= 30; seq++) {
      r.send(front, seal("front", seq));
      r.send(back, seal("back", seq));
      if (seq % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    r.send(front, seal("front", 12)); // older than the last accepted: replayed
    r.send(front, seal("front", 31, { senderSecret: crypto.randomBytes(32) })); // not front's key: wrong-sender
    const tampered = seal("back", 31);
    tampered[tampered.length - 1] ^= 1;
    r.send(back, tampered); // auth-failed
    r.send(back, seal("back", 32, { eventId: "back-30" })); // a new seq with an id already delivered: duplicate
    await until(() => r.delivered.length === 61, "61 events delivered (60 rings and the repeated id)");
    const seqs = (id: string) => r.published.filter((p) => p.device === id).map((p) => p.seq);
    const oneToThirty = Array.from({ length: 30 }, (_, i) => i + 1);
    assert.deepEqual(seqs("front"), oneToThirty);
    assert.deepEqual(seqs("back"), oneToThirty);
    assert.equal(r.stats.opened, 60);
    assert.equal(r.stats.duplicates, 1);
    assert.deepEqual(r.stats.refused, { replayed: 1, "wrong-sender": 1, "auth-failed": 1 });
    assert.equal(r.state.peek("back").lastEventSeq, 32);
    assert.deepEqual(r.errors, [], "the threads opened them: none failed over to the event loop");
    r.receiver.close();
    r.state.close();
  });

  test("flush takes back the batches a thread has not answered: each event acted on once", async () => {
    const r = receiverWithThreads();
    const [front] = served;
    for (let seq = 1; seq <= 20; seq++) r.send(front, seal("front", seq));
    await new Promise((resolve) => setImmediate(resolve)); // the batch is posted to a thread, not yet answered
    r.receiver.flush(); // opened on the event loop, committed and acted on before it returns
    assert.deepEqual(
      r.published.map((p) => p.seq),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // the thread's late answer is ignored
    assert.equal(r.published.length, 20);
    assert.equal(r.stats.opened, 20);
    assert.deepEqual(r.errors, []);
    r.receiver.close();
    r.state.close();
  });
});
