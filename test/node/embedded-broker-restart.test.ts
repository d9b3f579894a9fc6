// SPDX-License-Identifier: MIT
// The simulator's broker restarts even while a client is half connected: a socket accepted before its CONNECT is
// no aedes client, and it used to keep the server from closing, so the "restart the broker" fault never came back.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startRestartableBroker } from "../../simulator/restartable-broker.js";

const open = (port: number) =>
  new Promise<Socket>((resolve, reject) => {
    const s = connect(port, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });

test("a restart completes with a socket that never sent CONNECT, and the broker takes connections again", {
  timeout: 20_000,
}, async () => {
  const states: boolean[] = [];
  const broker = await startRestartableBroker({
    port: 0,
    host: "127.0.0.1",
    fallbackWhenBusy: true,
    dataDir: mkdtempSync(join(tmpdir(), "broker-restart-")),
    onState: (up) => states.push(up),
  });
  try {
    const silent = await open(broker.port);
    const closed = new Promise((resolve) => silent.once("close", resolve));
    // Bounded by the test's timeout: before the fix this await never resolved.
    await broker.restart(10);
    await closed;
    assert.deepEqual(states, [false, true]);
    assert.equal(broker.up, true);
    const again = await open(broker.port);
    again.destroy();
  } finally {
    await broker.close();
  }
});
