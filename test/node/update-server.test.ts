// SPDX-License-Identifier: MIT
// The bridge's update server (bridge/update/update-server.ts) on a recording MQTT client: an update folder is
// offered in the `update` entity's state (installed_version, latest_version: reference/home-assistant.md §2
// update), Install publishes the manifest retained, each `want` gets that chunk, and bad input is ignored.
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { MqttClient } from "mqtt";
import { createLogger } from "../../modules/logger.js";
import { packUpdate } from "../../bridge/update/pack-update.js";
import { startUpdateServer, statusFirmware } from "../../bridge/update/update-server.js";
import { parseConfig } from "../../modules/config.js";
import { testOwnerKeys } from "../support/owner.js";
import { testCrypto } from "../support/test-crypto.js";
import { testImage } from "../support/update-owner.js";

class RecordingClient extends EventEmitter {
  connected = true;
  published: { topic: string; payload: Buffer; retain: boolean; qos: number }[] = [];
  subscribed: string[] = [];
  publish(topic: string, payload: string | Buffer, o: { qos: number; retain?: boolean }) {
    this.published.push({ topic, payload: Buffer.from(payload), retain: o.retain === true, qos: o.qos });
  }
  subscribe(topics: string[]) {
    this.subscribed.push(...topics);
  }
  deliver(topic: string, payload: string | Buffer) {
    this.emit("message", topic, Buffer.from(payload), {});
  }
}

const owner = testOwnerKeys();
const crypto = testCrypto();
const deviceSecret = crypto.randomBytes(32);

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "update-server-"));
  const parsed = parseConfig({ deviceId: "frontdoor", keys: owner.keysConfig });
  assert.ok(parsed.ok);
  const info = packUpdate({
    crypto,
    ownerSecret: owner.secret,
    sign: owner.sign,
    image: testImage("1.1.0", 10_000),
    version: "1.1.0",
    targets: [{ config: parsed.config, devicePublicKey: crypto.x25519(deviceSecret) }],
    out: join(dir, "u1"),
  });
  const client = new RecordingClient();
  const lines: string[] = [];
  const server = startUpdateServer({
    client: client as unknown as MqttClient,
    devices: [{ id: "frontdoor", topicRoot: "doorbell" }],
    dir,
    log: createLogger({ write: (_l, _t, m) => void lines.push(m) }, "update"),
    scanMs: 0,
  });
  const states = () =>
    client.published
      .filter((p) => p.topic === "doorbell/frontdoor/firmware")
      .map((p) => JSON.parse(p.payload.toString()));
  return { dir, info, client, server, lines, states };
}

describe("bridge update server", () => {
  test("offers the folder's version as latest_version; the installed one comes from the status events", () => {
    const s = setup();
    assert.ok(s.client.subscribed.includes("doorbell/frontdoor/update/progress"));
    assert.ok(s.client.subscribed.includes("doorbell/frontdoor/cmd/update"));
    assert.deepEqual(Object.keys(s.states().at(-1)).sort(), [
      "installed_version",
      "latest_version",
      "release_summary",
      "title",
    ]);
    assert.equal(s.states().at(-1).latest_version, "1.1.0");
    s.server.statusSeen("frontdoor", "1.0.0");
    assert.equal(s.states().at(-1).installed_version, "1.0.0");
    assert.ok(
      s.client.published.every((p) => p.topic !== "doorbell/frontdoor/sealed/update"),
      "offered, not published",
    );
    s.server.close();
  });

  test("Install publishes the manifest retained; each want gets its chunk (QoS 1); progress shows in the summary", () => {
    const s = setup();
    s.client.deliver("doorbell/frontdoor/cmd/update", "install");
    const manifest = s.client.published.find((p) => p.topic === "doorbell/frontdoor/sealed/update");
    assert.ok(manifest?.retain && manifest.qos === 1);
    const half = Math.floor(s.info.chunks / 2);
    s.client.deliver(
      "doorbell/frontdoor/update/progress",
      JSON.stringify({ state: "want", id: s.info.updateId, next: half, chunks: s.info.chunks }),
    );
    const chunk = s.client.published.find((p) => p.topic === "doorbell/frontdoor/update/chunk");
    assert.ok(chunk && !chunk.retain && chunk.qos === 1);
    assert.equal(chunk.payload.readUInt32BE(9), half);
    assert.match(s.states().at(-1).release_summary, /installing 1\.1\.0: \d+ %/);
    s.client.deliver("doorbell/frontdoor/update/progress", JSON.stringify({ state: "refused", reason: "chunk-hash" }));
    assert.match(s.states().at(-1).release_summary, /refused by the doorbell: chunk-hash/);
    s.server.close();
  });

  test("an install file publishes at once; a chunk no folder holds and malformed progress are ignored with a log line", () => {
    const s = setup();
    mkdirSync(join(s.dir, "u2"));
    writeFileSync(join(s.dir, "u2", "update.json"), "{}");
    s.server.scan();
    assert.ok(s.lines.some((l) => l.startsWith("update folder refused")));
    s.client.deliver(
      "doorbell/frontdoor/update/progress",
      JSON.stringify({ state: "want", id: "00".repeat(8), next: 0 }),
    );
    s.client.deliver("doorbell/frontdoor/update/progress", "not json");
    assert.ok(s.client.published.every((p) => p.topic !== "doorbell/frontdoor/update/chunk"));
    assert.ok(s.lines.some((l) => l.startsWith("chunk asked that no update folder holds")));
    assert.ok(s.lines.some((l) => l.startsWith("progress message ignored")));
    s.server.close();
    writeFileSync(join(s.dir, "u1", "install"), "");
    const again = startUpdateServer({
      client: s.client as unknown as MqttClient,
      devices: [{ id: "frontdoor", topicRoot: "doorbell" }],
      dir: s.dir,
      log: createLogger({ write() {} }, "update"),
      scanMs: 0,
    });
    assert.ok(s.client.published.some((p) => p.topic === "doorbell/frontdoor/sealed/update"));
    again.close();
  });

  test("the installed version is read from a status event's stats.fw", () => {
    assert.equal(statusFirmware({ type: "status", stats: { fw: "1.2.3" } }), "1.2.3");
    assert.equal(statusFirmware({ type: "ring", stats: { fw: "1.2.3" } }), undefined);
  });
});
