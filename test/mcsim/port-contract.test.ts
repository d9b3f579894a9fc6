// SPDX-License-Identifier: MIT
// The mcsim host's ports held to the port contract of modules/ports.ts, inside XS on the Moddable fakes: the
// ESP32 clock, timers and MQTT client as the mcsim host composes them (its MQTT wrapped for the status LED),
// and its storage over the outbox folder, with the auto-answering broker of test/esp32/broker.ts.
import { createMcsimHost } from "../../hosts/mcsim/host.js";
import { createMcsimStorage } from "../../hosts/mcsim/storage.js";
import { createAutoBroker } from "../esp32/broker.js";
import { portContract } from "../support/port-contract.js";
import { rebootDevice } from "../xs/moddable-fakes/reset.js";
import { fakeScreen } from "../xs/moddable-fakes/screen.js";
import { frameBytes, freshDesktop, writeFolder } from "./rig.js";

portContract("mcsim host on the Moddable fakes", () => {
  const log = freshDesktop();
  writeFolder("/frames", { "a.jpg": frameBytes(1) });
  const broker = createAutoBroker();
  const host = createMcsimHost({
    mqtt: {
      host: "127.0.0.1",
      port: 8883,
      tls: { ca: new ArrayBuffer(1), certificate: new ArrayBuffer(1), key: new ArrayBuffer(1) },
    },
    frames: { dir: "/frames" },
    outboxDir: "/outbox",
    screen: fakeScreen,
  });
  return {
    clock: host.clock,
    timers: host.timers,
    storage: host.storage,
    mqtt: host.mqtt,
    async run(ms) {
      const step = Math.max(1, Math.min(10, ms));
      for (let t = 0; t < ms; t += step) broker.step(step);
    },
    reopenStorage() {
      rebootDevice();
      return createMcsimStorage({ outboxDir: "/outbox", log });
    },
    async close() {
      host.close();
    },
  };
});
