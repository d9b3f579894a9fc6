// SPDX-License-Identifier: MIT
// The Node host's ports: file storage that survives a reopen, and the MQTT port against a real broker
// (the embedded aedes on loopback): will, QoS 1 acknowledgement, and failed acks when the session drops.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { Socket } from "node:net";
import { join } from "node:path";
import { describe, test } from "node:test";
import mqtt from "mqtt";
import { fromUtf8, utf8 } from "../../modules/bytes.js";
import { createFileStorage } from "../../hosts/node/file-storage.js";
import { createNodeMqtt } from "../../hosts/node/mqtt.js";
import { startEmbeddedBroker } from "../../simulator/embedded-broker.js";

/** Resolves when `predicate` holds, polling; rejects after `limitMs` (a bound, not a timing assertion). */
async function until(predicate: () => boolean, limitMs = 10_000, what = "condition"): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("file storage", () => {
  test("key-value entries and log records survive reopening; ids are never reused", () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-storage-"));
    const a = createFileStorage(dir);
    a.kv.set("seq.reserved", Uint8Array.of(1, 2, 3));
    const first = a.log.append(utf8("one"));
    const second = a.log.append(utf8("two"));
    a.log.remove(first);
    const b = createFileStorage(dir);
    assert.deepEqual(b.kv.get("seq.reserved"), Uint8Array.of(1, 2, 3));
    assert.equal(b.kv.get("missing"), undefined);
    assert.deepEqual(
      b.log.records().map((r) => [r.id, fromUtf8(r.bytes)]),
      [[second, "two"]],
    );
    assert.ok(b.log.append(utf8("three")) > second);
    b.kv.delete("seq.reserved");
    assert.equal(createFileStorage(dir).kv.get("seq.reserved"), undefined);
  });

  test("files are private to the user and keys follow the NVS rules", () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-storage-"));
    const s = createFileStorage(dir);
    s.kv.set("device.key", new Uint8Array(32));
    assert.equal(statSync(join(dir, "kv", "device.key")).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, "kv")).mode & 0o777, 0o700);
    assert.throws(() => s.kv.set("a-key-longer-than-15", new Uint8Array(1)), /1-15/);
    assert.throws(() => s.kv.get("../escape"), /1-15/);
    assert.deepEqual(readdirSync(join(dir, "kv")), ["device.key"], "no temporary files left behind");
  });
});

describe("MQTT port over MQTT.js", () => {
  test("connects with a will, acknowledges QoS 1, fails pending acks on a drop and does not reconnect by itself", async () => {
    const broker = await startEmbeddedBroker({ port: 0 });
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const watcher = await mqtt.connectAsync(url);
    const seen: [string, string, boolean][] = [];
    watcher.on("message", (t, p, packet) => seen.push([t, p.toString(), packet.retain]));
    await watcher.subscribeAsync("t/#", { qos: 1 });
    try {
      const port = createNodeMqtt({ url });
      const events: string[] = [];
      port.connect({
        clientId: "probe",
        keepAliveS: 30,
        will: { topic: "t/status", payload: utf8("offline"), qos: 1, retain: true },
        onConnect: () => events.push("connect"),
        onDisconnect: (reason) => events.push(`down: ${reason}`),
        onMessage: () => undefined,
      });
      await until(() => port.connected, 10_000, "CONNACK");
      const acks: (string | undefined)[] = [];
      port.publish("t/event", Uint8Array.of(1, 2, 3), { qos: 1, retain: false }, (e) => acks.push(e ?? "ok"));
      await until(() => acks.length === 1, 10_000, "PUBACK");
      assert.deepEqual(acks, ["ok"]);
      // Kill the device's session at the broker: the will goes out and the port reports the drop.
      for (const client of Object.values(
        (broker.broker as unknown as { clients: Record<string, { conn: { destroy(): void } }> }).clients,
      )) {
        if ((client as unknown as { id: string }).id === "probe") client.conn.destroy();
      }
      await until(() => events.some((e) => e.startsWith("down")), 10_000, "disconnect");
      await until(() => seen.some(([t]) => t === "t/status"), 10_000, "will");
      assert.deepEqual(
        seen.find(([t]) => t === "t/status"),
        ["t/status", "offline", false],
      );
      assert.equal(port.connected, false);
      const late: (string | undefined)[] = [];
      port.publish("t/event", Uint8Array.of(4), { qos: 1, retain: false }, (e) => late.push(e));
      assert.deepEqual(late, [], "never inside publish() (ports.ts)");
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(late, ["not connected"]);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(
        events.filter((e) => e === "connect"),
        ["connect"],
        "the port leaves reconnecting to the firmware",
      );
      port.close();
    } finally {
      await watcher.endAsync();
      await broker.close();
    }
  });
  test("the port's socket runs with TCP_NODELAY once connected (the next event must not wait behind Nagle)", async () => {
    const broker = await startEmbeddedBroker({ port: 0 });
    const calls: { socket: Socket; noDelay: boolean | undefined }[] = [];
    const original = Socket.prototype.setNoDelay;
    Socket.prototype.setNoDelay = function (this: Socket, noDelay?: boolean) {
      calls.push({ socket: this, noDelay });
      return original.call(this, noDelay);
    };
    const port = createNodeMqtt({ url: `mqtt://127.0.0.1:${broker.port}` });
    try {
      port.connect({
        clientId: "nodelay",
        keepAliveS: 30,
        will: { topic: "t/status", payload: utf8("offline"), qos: 1, retain: true },
        onConnect: () => undefined,
        onDisconnect: () => undefined,
        onMessage: () => undefined,
      });
      await until(() => port.connected, 10_000, "CONNACK");
      const client = [...calls].reverse().find((c) => c.noDelay === true && c.socket.localPort !== broker.port);
      assert.ok(client, "setNoDelay(true) on the port's socket");
      assert.equal(client.socket.remotePort, broker.port);
    } finally {
      Socket.prototype.setNoDelay = original;
      port.close();
      await broker.close();
    }
  });
});
