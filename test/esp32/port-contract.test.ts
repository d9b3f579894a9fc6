// SPDX-License-Identifier: MIT
// The ESP32 host's ports (hosts/esp32 clock, timers, storage and MQTT) held to the port contract of
// modules/ports.ts, inside XS on the Moddable fakes, with the auto-answering broker of broker.ts.
import { createEsp32Clock } from "../../hosts/esp32/clock.js";
import { createEsp32Mqtt } from "../../hosts/esp32/mqtt.js";
import { createEsp32Storage } from "../../hosts/esp32/storage.js";
import { createEsp32Timers } from "../../hosts/esp32/timers.js";
import { portContract } from "../support/port-contract.js";
import { rebootDevice } from "../xs/moddable-fakes/reset.js";
import { dnsAnswer } from "../xs/moddable-fakes/sockets.js";
import { createAutoBroker } from "./broker.js";
import { freshBoard } from "./device.js";

portContract("ESP32 host on the Moddable fakes", () => {
  const log = freshBoard();
  dnsAnswer("broker.home.arpa", "192.168.1.10");
  const broker = createAutoBroker();
  const clock = createEsp32Clock();
  const mqtt = createEsp32Mqtt({
    host: "broker.home.arpa",
    port: 8883,
    tls: { ca: new ArrayBuffer(1), certificate: new ArrayBuffer(1), key: new ArrayBuffer(1) },
    dnsServers: () => ["192.168.1.1"],
    log,
  });
  return {
    clock,
    timers: createEsp32Timers(log),
    storage: createEsp32Storage({ log }),
    mqtt,
    async run(ms) {
      const step = Math.max(1, Math.min(10, ms));
      for (let t = 0; t < ms; t += step) broker.step(step);
    },
    reopenStorage() {
      rebootDevice();
      return createEsp32Storage({ log });
    },
    async close() {
      mqtt.close();
      clock.close();
    },
  };
});
