// SPDX-License-Identifier: MIT
// The Node host (hosts/node: performance.now clock, setTimeout timers, file storage, MQTT.js) held to the
// port contract of modules/ports.ts, against the embedded aedes broker on loopback. `run` lets real time
// pass and then waits (bounded) for a connect or acknowledgement still on the wire, so a slow machine
// does not fail the suite: no assertion here is about how long anything took.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNodeHost } from "../../hosts/node/host.js";
import { createFileStorage } from "../../hosts/node/file-storage.js";
import type { MqttPort } from "../../modules/ports.js";
import { startEmbeddedBroker } from "../../simulator/embedded-broker.js";
import { portContract } from "../support/port-contract.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Passes every call through, counting connects and acknowledgements still outstanding. */
function tracked(inner: MqttPort): { port: MqttPort; outstanding(): number } {
  let connecting = 0;
  let acks = 0;
  const port: MqttPort = {
    connect(options) {
      connecting++;
      let settled = false;
      const settle = () => {
        if (!settled) connecting--;
        settled = true;
      };
      inner.connect({
        ...options,
        onConnect: () => (settle(), options.onConnect()),
        onDisconnect: (reason) => (settle(), options.onDisconnect(reason)),
      });
    },
    publish(topic, payload, options, onAck) {
      acks++;
      inner.publish(topic, payload, options, (error) => {
        acks--;
        onAck?.(error);
      });
    },
    subscribe: (topic, qos) => inner.subscribe(topic, qos),
    get connected() {
      return inner.connected;
    },
    close: () => inner.close(),
  };
  return { port, outstanding: () => connecting + acks };
}

portContract("Node host", async () => {
  const broker = await startEmbeddedBroker({ port: 0 });
  const dir = mkdtempSync(join(tmpdir(), "doorbell-contract-"));
  const host = createNodeHost({
    storageDir: dir,
    mqtt: { url: `mqtt://127.0.0.1:${broker.port}` },
    log: { write() {} },
  });
  const mqtt = tracked(host.mqtt);
  return {
    clock: host.clock,
    timers: host.timers,
    storage: host.storage,
    mqtt: mqtt.port,
    async run(ms) {
      await sleep(ms);
      for (let waited = 0; mqtt.outstanding() > 0 && waited < 10_000; waited += 10) await sleep(10);
    },
    reopenStorage: () => createFileStorage(dir),
    async close() {
      host.mqtt.close();
      await broker.close();
    },
  };
});
