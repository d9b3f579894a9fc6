// SPDX-License-Identifier: MIT
// The XS meter bounds every crank the tests run. It is a 32-bit count inside xsnap-worker, so a larger limit
// would silently wrap around to a smaller one (20 billion became 2.8 billion): XsWorker refuses it instead.
import assert from "node:assert/strict";
import { test } from "node:test";
import { XsWorker } from "../../hosts/xs/xsnap-worker.js";

const onRequest = () => new Uint8Array(0);

test("a meter limit beyond XS's 32-bit meter is refused, not wrapped", () => {
  for (const meterLimit of [20_000_000_000, 2 ** 32, 0, -1, Number.NaN])
    assert.throws(() => new XsWorker({ name: "meter-limit", meterLimit, onRequest }), RangeError, String(meterLimit));
});

test("a crank over its limit ends the worker: a runaway loop is stopped", { timeout: 60_000 }, async () => {
  const worker = new XsWorker({ name: "meter-runaway", meterLimit: 1_000_000, onRequest });
  try {
    await worker.evaluate(
      "globalThis.handleCommand = (c) => { if (new Uint8Array(c)[0] === 1) for (;;); return new ArrayBuffer(0); };",
    );
    const quiet = await worker.command(Uint8Array.of(0));
    assert.ok(quiet.meter.compute < 1_000_000);
    await assert.rejects(worker.command(Uint8Array.of(1)), /exited \(code 17/);
  } finally {
    await worker.close().catch(() => undefined);
  }
});
