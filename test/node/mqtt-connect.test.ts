// SPDX-License-Identifier: MIT
// The bridge's MQTT connection (bridge/mqtt-connect.ts): Nagle's algorithm off on its socket, so a PUBREL, a
// PUBACK or a delivery confirmation is not held back until the broker acknowledges the previous write
// (docs/scaling.md: with it on, the bridge bench carried a third of the events at N = 100 with confirmations); and
// what it writes in one turn of the event loop leaves in one send.
import assert from "node:assert/strict";
import { createServer, Socket } from "node:net";
import { Writable } from "node:stream";
import { test } from "node:test";
import { coalesceWrites, connectBoundedMqtt } from "../../bridge/mqtt-connect.js";
import { until } from "../support/mqtt-watch.js";

test("the bridge's MQTT socket is connected with TCP_NODELAY", async () => {
  const calls: { socket: Socket; noDelay: boolean | undefined }[] = [];
  const original = Socket.prototype.setNoDelay;
  Socket.prototype.setNoDelay = function (this: Socket, noDelay?: boolean) {
    calls.push({ socket: this, noDelay });
    return original.call(this, noDelay);
  };
  const server = createServer((s) => s.on("error", () => undefined));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const client = connectBoundedMqtt({
    url: `mqtt://127.0.0.1:${port}`,
    mqtt: { clientId: "nodelay-test", reconnectPeriod: 0, connectTimeout: 2000 },
    maxPacketBytes: 1024,
    onRefused: () => undefined,
  });
  client.on("error", () => undefined); // the server never answers CONNECT
  try {
    await until(() => client.stream !== undefined, "the client made its socket", 5000);
    const stream = client.stream as unknown as Socket;
    assert.ok(
      calls.some((c) => c.socket === stream && c.noDelay === true),
      "setNoDelay(true) on the client's socket",
    );
  } finally {
    Socket.prototype.setNoDelay = original;
    client.end(true);
    server.close();
  }
});

test("writes made in one turn of the event loop leave together, in order, at its check phase; later ones apart", async () => {
  const sends: string[][] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      sends.push([chunk.toString()]);
      done();
    },
    writev(chunks, done) {
      sends.push(chunks.map((c) => String(c.chunk)));
      done();
    },
  });
  coalesceWrites(sink);
  sink.write("puback");
  sink.cork();
  sink.write("publish");
  process.nextTick(() => sink.uncork()); // as MQTT.js writes a packet: its own cork ends on the next tick
  await new Promise((r) => process.nextTick(r));
  await Promise.resolve();
  sink.write("pubrel");
  assert.deepEqual(sends, [], "nothing sent before the turn's check phase");
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(sends, [["puback", "publish", "pubrel"]], "one send, in write order");
  sink.write("confirmation");
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(sends, [["puback", "publish", "pubrel"], ["confirmation"]]);
});
