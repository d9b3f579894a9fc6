// SPDX-License-Identifier: MIT
// The test fake host (test/support/fake-host.ts) held to the port contract of modules/ports.ts, in Node and
// (through npm run test:xs) inside XS. Its broker acknowledges on a later turn here (deferAcks).
import { createFakeHost, type FakeHost } from "../support/fake-host.js";
import { portContract } from "../support/port-contract.js";

portContract("test fake", () => {
  let host: FakeHost = createFakeHost();
  host.mqtt.deferAcks = true;
  let accepted: unknown;
  const brokerAccepts = () => {
    if (host.mqtt.options === accepted) return; // one CONNACK per connect()
    accepted = host.mqtt.options;
    host.mqtt.accept();
  };
  return {
    clock: host.clock,
    timers: host.timers,
    storage: host.storage,
    get mqtt() {
      return host.mqtt;
    },
    async run(ms) {
      host.clock.advance(0);
      if (host.mqtt.options) brokerAccepts();
      host.clock.advance(ms);
    },
    reopenStorage() {
      host = createFakeHost(host.storage);
      return host.storage;
    },
    async close() {},
  };
});
