// SPDX-License-Identifier: MIT
// Size bounds against a real Mosquitto 2.0 and the real `doorbell-bridge` process: the generated config
// refuses a 100 MB publish on its header (max_packet_size) and drops a payload one byte over the largest
// sealed event (message_size_limit); the bridge, behind a broker without those limits, refuses the same
// packet on its header. Peak resident memory (VmHWM) is read from /proc; bounds are wide, nothing is timed.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import mqtt, { type IClientOptions } from "mqtt";
import { addDevice } from "../../bridge/provision/add-device.js";
import { MAX_PACKET_BYTES, MAX_PAYLOAD_BYTES } from "../../bridge/provision/broker-limits.js";
import { createOwnerHome } from "../support/owner-home.js";
import { homeLayout } from "../../bridge/provision/home-layout.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { loadNodeDeviceBundle } from "../../hosts/node/device-bundle.js";
import { freePort, residentBytes, startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { until, watch } from "../support/mqtt-watch.js";

const crypto = createNodeCrypto();
const ATTACK_BYTES = 100 * 1024 * 1024;
const MIB = 1024 * 1024;
const TOPIC = "doorbell/frontdoor/sealed/event";
const BRIDGE_CLI = fileURLToPath(new URL("../../bridge/cli/doorbell-bridge.js", import.meta.url));

// bounded sizes: a 100 MB publish against the generated broker config and the bridge
const dir = mkdtempSync(join(tmpdir(), "doorbell-limits-"));
const home = join(dir, "home");
const layout = homeLayout(home);
const brokers: Mosquitto[] = [];
let bridge: ChildProcess | undefined;
let deviceClient: IClientOptions;
const tlsAs = (cert: string, key: string) => ({
  ca: [readFileSync(layout.caCert)],
  cert: readFileSync(cert),
  key: readFileSync(key),
  rejectUnauthorized: true,
});

/** Publishes 100 MB as the device (MQTT 3.1.1, QoS 0) and resolves when the broker has closed the connection, or the write is done. */
async function attack(url: string): Promise<{ closed: boolean }> {
  const attacker = await mqtt.connectAsync(url, { ...deviceClient, clientId: "attacker", reconnectPeriod: 0 });
  let closed = false;
  attacker.on("close", () => {
    closed = true;
  });
  attacker.on("error", () => {}); // EPIPE or ECONNRESET while the rest of the 100 MB is being written
  const sent = new Promise<void>((resolve) =>
    attacker.publish(TOPIC, Buffer.alloc(ATTACK_BYTES, 0x41), { qos: 0 }, () => resolve()),
  );
  await Promise.race([sent, until(() => closed, "the attacker's connection to close", 60_000)]);
  if (!closed) await attacker.endAsync();
  return { closed };
}

before(async () => {
  createOwnerHome(home, crypto);
  mkdirSync(join(dir, "a"));
  mkdirSync(join(dir, "b"));
  addDevice({ home, name: "frontdoor", brokerHost: "127.0.0.1", brokerPort: await freePort(), crypto });
  deviceClient = loadNodeDeviceBundle(layout.deviceDir("frontdoor")).mqtt.client as IClientOptions;
});

after(async () => {
  if (bridge?.pid && bridge.exitCode === null) bridge.kill("SIGTERM");
  for (const b of brokers) await b.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("the generated config refuses a 100 MB publish on its header (max_packet_size): the broker's peak RSS stays bounded", async (t) => {
  const port = await freePort();
  const broker = await startMosquitto({ dir: join(dir, "a"), listenerConf: layout.mosquittoConf, port });
  brokers.push(broker);
  const url = `mqtts://127.0.0.1:${port}`;
  const before = residentBytes(broker.pid()!).peak;
  const { closed } = await attack(url);
  assert.ok(closed, "the broker closed the attacker's connection");
  const peak = residentBytes(broker.pid()!).peak;
  t.diagnostic(
    `mosquitto VmHWM ${(before / MIB).toFixed(1)} MiB before, ${(peak / MIB).toFixed(1)} MiB after a 100 MB publish`,
  );
  assert.ok(peak - before < 16 * MIB, `the broker grew by ${((peak - before) / MIB).toFixed(1)} MiB`);
});

test("[message_size_limit] a sealed event at MAX_PAYLOAD_BYTES is delivered; one byte more is dropped (MQTT 3.1.1)", async () => {
  const url = `mqtts://127.0.0.1:${brokers[0].port}`;
  const reader = await watch(url, [TOPIC], { clientId: "reader", ...tlsAs(layout.bridgeCert, layout.bridgeKey) });
  const device = await mqtt.connectAsync(url, { ...deviceClient, protocolVersion: 4, reconnectPeriod: 0 });
  try {
    // Mosquitto completes the QoS 1 flow for a payload over message_size_limit and forwards nothing.
    await device.publishAsync(TOPIC, Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 1), { qos: 1 });
    await device.publishAsync(TOPIC, Buffer.alloc(MAX_PAYLOAD_BYTES, 2), { qos: 1 });
    const first = await reader.nth(TOPIC, 1);
    assert.equal(
      first.payload.length,
      MAX_PAYLOAD_BYTES,
      "the one over the limit never arrived; the largest legitimate one did",
    );
    assert.equal(first.payload[0], 2);
    assert.ok(MAX_PACKET_BYTES > MAX_PAYLOAD_BYTES + TOPIC.length + 8, "max_packet_size leaves room for the header");
  } finally {
    await device.endAsync();
    await reader.close();
  }
});

test("the bridge refuses the packet on its header behind a broker without limits: bounded peak RSS, then reconnects", async (t) => {
  const port = await freePort();
  const unlimited = join(dir, "unlimited.conf");
  const generated = readFileSync(layout.mosquittoConf, "utf8");
  writeFileSync(unlimited, generated.replace(/^(max_packet_size|message_size_limit) .*$/gm, "# $& (removed)"));
  const broker = await startMosquitto({ dir: join(dir, "b"), listenerConf: unlimited, port });
  brokers.push(broker);
  const url = `mqtts://127.0.0.1:${port}`;
  let output = "";
  bridge = spawn(process.execPath, [BRIDGE_CLI, "--home", home, "--broker-url", url], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  bridge.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  bridge.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const connects = () => output.split("connected; serving").length - 1;
  await until(() => connects() === 1, "the bridge to connect", 60_000);
  const pid = bridge.pid!;
  const before = residentBytes(pid).peak;
  const brokerBefore = residentBytes(broker.pid()!).peak;
  await attack(url);
  await until(() => output.includes("packet from the broker refused"), "the bridge's refusal", 60_000);
  const peak = residentBytes(pid).peak;
  const brokerPeak = residentBytes(broker.pid()!).peak;
  t.diagnostic(
    `bridge VmHWM ${(before / MIB).toFixed(1)} MiB before, ${(peak / MIB).toFixed(1)} MiB after; ` +
      `the unlimited broker ${(brokerBefore / MIB).toFixed(1)} -> ${(brokerPeak / MIB).toFixed(1)} MiB`,
  );
  assert.match(output, new RegExp(`bytes=${ATTACK_BYTES + 5 + TOPIC.length + 2}\\b.*reason=too-large`));
  assert.ok(peak - before < 32 * MIB, `the bridge grew by ${((peak - before) / MIB).toFixed(1)} MiB`);
  assert.ok(brokerPeak - brokerBefore > 90 * MIB, "without the limits the broker itself held the 100 MB");
  await until(() => connects() === 2, "the bridge to reconnect", 30_000);
});
