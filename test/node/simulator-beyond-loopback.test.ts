// SPDX-License-Identifier: MIT
// The simulator when it listens beyond loopback (`--host`): the page keeps its Host check with an allow-list
// (loopback, this machine's addresses, the `--allow-host` names), and the embedded broker requires a user
// name and password made per run, written mode 0600 and given to the bridge and the firmware's MQTT port.
// Everything listens and connects on loopback; the "beyond loopback" decision is tested on its own.
import { createCommandSigner, generateSigningKey } from "../../bridge/key-files.js";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import mqtt from "mqtt";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { createNodeMqtt } from "../../hosts/node/mqtt.js";
import { parseArgs } from "../../simulator/args.js";
import { brokerCredentialsPath, isLoopbackHost } from "../../simulator/broker-credentials.js";
import { createBus } from "../../simulator/bus.js";
import { startOwnerSide } from "../../simulator/owner-side.js";
import { startRestartableBroker } from "../../simulator/restartable-broker.js";
import type { Simulation } from "../../simulator/simulation.js";
import { allowedHostHeaders, startWebServer } from "../../simulator/web-server.js";

function get(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/", headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("simulator page beyond loopback: a Host allow-list", () => {
  test("listening on every address allows loopback, this machine's addresses and --allow-host names, nothing else", () => {
    const allowed = allowedHostHeaders("0.0.0.0", 8480, ["sim.lan"]);
    for (const ok of ["127.0.0.1:8480", "localhost:8480", "[::1]:8480", "sim.lan:8480"]) assert.ok(allowed.has(ok), ok);
    for (const bad of ["rebind.attacker.example:8480", "sim.lan:8481", "sim.lan"]) assert.ok(!allowed.has(bad), bad);
    assert.deepEqual(parseArgs(["--host", "0.0.0.0", "--allow-host", "Sim.LAN"]).allowHosts, ["sim.lan"]);
    assert.throws(
      () => parseArgs(["--allow-host", "sim.lan:8480"]),
      /--allow-host sim\.lan:8480: expected a host name/,
    );
  });

  test("the page answers an allowed name and refuses any other Host with 421", async () => {
    const sim = { bus: createBus() } as unknown as Simulation;
    const web = await startWebServer({
      sim,
      host: "127.0.0.1",
      port: 0,
      fallbackWhenBusy: false,
      allowHosts: ["sim.lan"],
    });
    try {
      assert.equal(await get(web.port, `sim.lan:${web.port}`), 200);
      assert.equal(await get(web.port, `127.0.0.1:${web.port}`), 200);
      assert.equal(await get(web.port, `rebind.attacker.example:${web.port}`), 421);
    } finally {
      await web.close();
    }
  });
});

describe("simulator broker beyond loopback: credentials", () => {
  test("only loopback addresses count as loopback", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "::1", "localhost"]) assert.equal(isLoopbackHost(h), true, h);
    for (const h of ["0.0.0.0", "::", "192.168.1.20", "sim.lan"]) assert.equal(isLoopbackHost(h), false, h);
  });

  test("a broker that requires credentials writes them mode 0600 and refuses a client without them or with others", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "doorbell-sim-creds-"));
    const broker = await startRestartableBroker({
      port: 0,
      host: "127.0.0.1",
      fallbackWhenBusy: false,
      dataDir,
      requireCredentials: true,
    });
    try {
      const file = brokerCredentialsPath(dataDir);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const written: { username: string; password: string } = JSON.parse(readFileSync(file, "utf8"));
      assert.deepEqual(written, broker.credentials);
      assert.match(written.password, /^[0-9a-f]{32}$/);
      const refused = (options: mqtt.IClientOptions) =>
        mqtt.connectAsync(broker.url, { ...options, reconnectPeriod: 0, connectTimeout: 5000 }).then(
          async (c) => (await c.endAsync(true), "connected"),
          (error: Error & { code?: number }) => error.code,
        );
      assert.equal(await refused({}), 5, "no credentials: not authorized [MQTT-3.2.2.3]");
      assert.equal(await refused({ username: written.username, password: "0".repeat(32) }), 4, "bad password");
      assert.equal(await refused({ ...written }), "connected");

      // The firmware's MQTT port and the bridge connect with them.
      const port = createNodeMqtt({ url: broker.url, client: broker.credentials });
      const connected = new Promise<void>((resolve, reject) =>
        port.connect({
          clientId: "frontdoor",
          keepAliveS: 30,
          will: { topic: "doorbell/frontdoor/status", payload: new Uint8Array(), qos: 1, retain: true },
          onConnect: resolve,
          onDisconnect: reject,
          onMessage: () => undefined,
        }),
      );
      await connected;
      port.close();
      const crypto = createNodeCrypto();
      const owner = await startOwnerSide({
        url: broker.url,
        credentials: broker.credentials,
        crypto,
        ownerSecret: crypto.randomBytes(32),
        signCommand: createCommandSigner(generateSigningKey()),
        deviceId: "frontdoor",
        deviceName: "Front door",
        devicePublic: crypto.x25519(crypto.randomBytes(32)),
        topicRoot: "doorbell",
        dataDir: join(dataDir, "bridge"),
        log: { write: () => undefined },
        onEvent: () => undefined,
      });
      await owner.close();
    } finally {
      await broker.close();
    }
  });

  test("on loopback the broker asks for nothing and writes no file", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "doorbell-sim-creds-"));
    const broker = await startRestartableBroker({ port: 0, host: "127.0.0.1", fallbackWhenBusy: false, dataDir });
    try {
      assert.equal(broker.credentials, undefined);
      assert.throws(() => statSync(brokerCredentialsPath(dataDir)), /ENOENT/);
      const c = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
      await c.endAsync(true);
    } finally {
      await broker.close();
    }
  });
});
