// SPDX-License-Identifier: MIT
// Inside XS: the port-contract suite against the XS host (hosts/xs/guest-host.ts), whose ports are host
// calls to a Node parent serving the test fake. `run(ms)` asks the parent to advance the fake's clock a step,
// then waits for the parent to deliver the events that caused and to send "resume" (each a crank of its own,
// as on the device's event loop), step after step. Driven by port-contract-xs.test.ts.
import { createGuestHost } from "../../hosts/xs/guest-host.js";
import { runAll } from "../../hosts/xs/test-shim/node-test.js";
import { decodeWire, encodeWire } from "../../hosts/xs/wire.js";
import { portContract } from "../support/port-contract.js";

const guest = createGuestHost();
let resume: (() => void) | undefined;
let results: unknown;

function advance(ms: number): Promise<void> {
  const answer = decodeWire(issueCommand(encodeWire({ op: "contract.advance", ms })));
  if (typeof answer.fields.error === "string") throw new Error(answer.fields.error);
  return new Promise<void>((resolve) => {
    resume = resolve;
  });
}

portContract("XS host bridged to the test fake", () => {
  const { host } = guest;
  return {
    clock: host.clock,
    timers: host.timers,
    storage: host.storage,
    mqtt: host.mqtt,
    async run(ms) {
      // In steps, with the events of each step delivered before the next: a timer set from a callback is due then.
      const step = Math.max(1, Math.ceil(ms / 200));
      for (let t = 0; t < ms || t === 0; t += step) await advance(step);
    },
    reopenStorage: () => host.storage,
    async close() {
      host.mqtt.close();
      await advance(1_000); // what the closed session still had in flight is delivered before the next test
    },
  };
});

globalThis.handleCommand = (command: ArrayBuffer): ArrayBuffer => {
  const message = decodeWire(command);
  if (guest.dispatch(message)) return encodeWire({});
  switch (message.fields.kind) {
    case "run":
      void runAll().then((r) => {
        results = r;
      });
      return encodeWire({});
    case "resume": {
      const next = resume;
      resume = undefined;
      next?.();
      return encodeWire({});
    }
    case "results":
      return encodeWire({ results: JSON.stringify(results ?? null) });
  }
  throw new Error(`unknown command ${String(message.fields.kind)}`);
};
