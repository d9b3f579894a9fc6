// SPDX-License-Identifier: MIT
// The XS host (hosts/xs/guest-host.ts inside xsnap-worker, bridged by serve-host.ts) held to the port
// contract of modules/ports.ts. The parent serves the test fake (deferred acks) and plays the broker; every
// event reaches the guest in a crank of its own. The guest side is port-contract-guest.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bundleForXs, repoPath } from "../../hosts/xs/bundle.js";
import { serveHost } from "../../hosts/xs/serve-host.js";
import { decodeWire, encodeWire, type WireFields } from "../../hosts/xs/wire.js";
import { XsWorker } from "../../hosts/xs/xsnap-worker.js";
import { createFakeHost } from "../support/fake-host.js";

interface CaseResult {
  name: string;
  ok: boolean;
  error?: string;
}

test("XS host: the port contract", async (t) => {
  const host = createFakeHost();
  host.mqtt.deferAcks = true;
  let accepted: unknown;
  const queue: Uint8Array[] = [];
  const extra = {
    "contract.advance": ({ ms }: { ms: number }) => {
      host.clock.advance(0);
      if (host.mqtt.options && host.mqtt.options !== accepted) {
        accepted = host.mqtt.options; // one CONNACK per connect()
        host.mqtt.accept();
      }
      host.clock.advance(ms);
    },
  };
  const server = serveHost(
    host,
    (kind: string, fields: WireFields = {}, blobs: readonly Uint8Array[] = []) =>
      void queue.push(new Uint8Array(encodeWire({ kind, ...fields }, blobs))),
    extra as never,
  );
  const worker = new XsWorker({ name: "doorbell-contract", onRequest: (request) => server.answer(request) });
  const command = async (fields: WireFields) =>
    decodeWire((await worker.command(new Uint8Array(encodeWire(fields)))).bytes).fields;
  let results: CaseResult[] | null = null;
  try {
    await worker.evaluate(
      await bundleForXs(repoPath("test/xs/port-contract-guest.ts"), {
        replace: {
          "node:test": repoPath("hosts/xs/test-shim/node-test.ts"),
          "node:assert/strict": repoPath("hosts/xs/test-shim/node-assert.ts"),
        },
      }),
    );
    await command({ kind: "run" });
    for (let crank = 0; crank < 100_000 && !results; crank++) {
      while (queue.length) await worker.command(queue.shift() as Uint8Array);
      results = JSON.parse((await command({ kind: "results" })).results as string) as CaseResult[] | null;
      if (!results) await command({ kind: "resume" });
    }
  } finally {
    await worker.close();
    server.close();
  }
  assert.ok(results && results.length > 0, "the contract suite did not finish in XS");
  for (const r of results) {
    await t.test(`[xs host] ${r.name}`, () => {
      if (!r.ok) assert.fail(r.error ?? "failed");
    });
  }
});
