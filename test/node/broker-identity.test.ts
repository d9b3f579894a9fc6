// SPDX-License-Identifier: MIT
// The generated Mosquitto config against a real Mosquitto 2.0: a certificate is its own client (the CN is the
// user name and the client id), so it cannot throw another client off or fire its will; and revoked or
// replaced certificates are refused through the CRL. Each check orders on a message, never on a delay.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { addBridge } from "../../bridge/provision/add-bridge.js";
import { addDevice } from "../../bridge/provision/add-device.js";
import { createOwnerHome } from "../support/owner-home.js";
import { homeLayout } from "../../bridge/provision/home-layout.js";
import { revokeDevice } from "../../bridge/provision/revoke-device.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { loadNodeDeviceBundle } from "../../hosts/node/device-bundle.js";
import { freePort, startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { until, watch, type Watcher } from "../support/mqtt-watch.js";

const crypto = createNodeCrypto();

/** A client that records whether its connection was ever closed; it never reconnects. */
async function connectOnce(url: string, options: IClientOptions): Promise<{ client: MqttClient; closed(): boolean }> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  let closed = false;
  client.on("close", () => {
    closed = true;
  });
  return { client, closed: () => closed };
}

// the broker binds each client id to its certificate, and refuses revoked certificates (real Mosquitto)
const dir = mkdtempSync(join(tmpdir(), "doorbell-identity-"));
const home = join(dir, "home");
const layout = homeLayout(home);
let broker: Mosquitto;
let url: string;
let ha: Watcher;
const open: MqttClient[] = [];
const pem = (path: string) => readFileSync(path);
const tlsAs = (cert: string | Buffer, key: string | Buffer) => ({
  ca: [pem(layout.caCert)],
  cert: typeof cert === "string" ? pem(cert) : cert,
  key: typeof key === "string" ? pem(key) : key,
  rejectUnauthorized: true,
});
const deviceTls = (name: string) => loadNodeDeviceBundle(layout.deviceDir(name)).mqtt.client as IClientOptions;

before(async () => {
  createOwnerHome(home, crypto);
  const port = await freePort();
  for (const name of ["frontdoor", "backdoor", "garage"])
    addDevice({ home, name, brokerHost: "127.0.0.1", brokerPort: port, crypto });
  addBridge({ home, name: "second" });
  broker = await startMosquitto({ dir, listenerConf: layout.mosquittoConf, port });
  url = `mqtts://127.0.0.1:${port}`;
  ha = await watch(url, ["doorbell/+/status", "doorbell/+/event"], {
    clientId: "homeassistant",
    ...tlsAs(layout.homeAssistantCert, layout.homeAssistantKey),
  });
});

after(async () => {
  await Promise.all(open.map((c) => c.endAsync(true)));
  await ha?.close();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("a device's certificate asking for client id doorbell-bridge does not throw the bridge off (use_username_as_clientid)", async () => {
  const bridge = await connectOnce(url, {
    clientId: "doorbell-bridge",
    clean: false,
    ...tlsAs(layout.bridgeCert, layout.bridgeKey),
  });
  open.push(bridge.client);
  const got: string[] = [];
  bridge.client.on("message", (topic) => got.push(topic));
  await bridge.client.subscribeAsync("doorbell/+/sealed/event", { qos: 1 });
  const impostor = await connectOnce(url, { clientId: "doorbell-bridge", ...deviceTls("backdoor") });
  open.push(impostor.client);
  // The broker handled the impostor's CONNECT before this PUBLISH: had it taken the bridge's session over,
  // the bridge (which never reconnects) would be closed and could not receive it.
  await impostor.client.publishAsync("doorbell/backdoor/sealed/event", Buffer.alloc(80), { qos: 1 });
  await until(() => got.includes("doorbell/backdoor/sealed/event"), "the impostor's own event at the bridge");
  assert.equal(bridge.closed(), false, "the bridge was not thrown off");
  await impostor.client.endAsync();
});

test("another bridge of the group has its own identity: both stay connected with the same requested client id", async () => {
  const first = open[0];
  const second = await connectOnce(url, {
    clientId: "doorbell-bridge",
    clean: false,
    ...tlsAs(join(layout.bridgesDir, "second", "bridge.pem"), join(layout.bridgesDir, "second", "bridge.key")),
  });
  open.push(second.client);
  const got: string[] = [];
  second.client.on("message", (topic) => got.push(topic));
  // The ACL gives doorbell-bridge-second the bridge's rights: it reads sealed events.
  await second.client.subscribeAsync("doorbell/+/sealed/event", { qos: 1 });
  const garage = await connectOnce(url, { clientId: "garage", ...deviceTls("garage") });
  await garage.client.publishAsync("doorbell/garage/sealed/event", Buffer.alloc(80), { qos: 1 });
  await until(() => got.includes("doorbell/garage/sealed/event"), "the event at the second bridge");
  assert.equal(first.connected, true, "the first bridge is still connected");
  await garage.client.endAsync();
});

test("a device's certificate asking for another device's client id neither throws it off nor fires its will", async () => {
  const will = { topic: "doorbell/frontdoor/status", payload: Buffer.from("offline"), qos: 1 as const, retain: true };
  const frontdoor = await connectOnce(url, { clientId: "frontdoor", will, ...deviceTls("frontdoor") });
  open.push(frontdoor.client);
  await frontdoor.client.publishAsync("doorbell/frontdoor/status", "online", { qos: 1, retain: true });
  await until(() => ha.on("doorbell/frontdoor/status").at(-1)?.payload.toString() === "online", "frontdoor online");
  const statuses = ha.on("doorbell/frontdoor/status").length;
  const impostor = await connectOnce(url, { clientId: "frontdoor", ...deviceTls("backdoor") });
  await impostor.client.publishAsync("doorbell/backdoor/status", "online", { qos: 1, retain: true });
  await until(() => ha.on("doorbell/backdoor/status").length > 0, "the impostor's own status at Home Assistant");
  assert.equal(ha.on("doorbell/frontdoor/status").length, statuses, "no will: frontdoor's availability unchanged");
  assert.equal(frontdoor.closed(), false, "frontdoor was not thrown off");
  await impostor.client.endAsync();
});

test("a re-provisioned device's old certificate is refused (CRL), the new one is accepted; so is a revoked one", async () => {
  const oldBundle = loadNodeDeviceBundle(layout.deviceDir("frontdoor")).mqtt.client as IClientOptions;
  const backdoor = deviceTls("backdoor");
  addDevice({ home, name: "frontdoor", brokerHost: "127.0.0.1", brokerPort: broker.port, crypto, replace: true });
  revokeDevice({ home, name: "backdoor" });
  await Promise.all(open.splice(0).map((c) => c.endAsync(true)));
  await broker.stop();
  await broker.start(); // Mosquitto reads the CRL when it starts
  const refused = /certificate revoked/; // TLS alert 44, certificate_revoked (RFC 8446 §6.2)
  await assert.rejects(
    mqtt.connectAsync(url, { ...oldBundle, clientId: "old", reconnectPeriod: 0, connectTimeout: 5000 }),
    refused,
  );
  await assert.rejects(
    mqtt.connectAsync(url, { ...backdoor, clientId: "revoked", reconnectPeriod: 0, connectTimeout: 5000 }),
    refused,
  );
  const fresh = await connectOnce(url, { clientId: "frontdoor", ...deviceTls("frontdoor") });
  assert.equal(fresh.client.connected, true, "the re-provisioned device's new certificate is accepted");
  const garage = await connectOnce(url, { clientId: "garage", ...deviceTls("garage") });
  assert.equal(garage.client.connected, true, "a device that was not revoked still connects");
  await Promise.all([fresh.client.endAsync(), garage.client.endAsync()]);
});
