// SPDX-License-Identifier: MIT
// The port contract of modules/ports.ts as one suite that every host runs: the test fake (test/unit, in
// Node and in XS), the Node host (test/node), the ESP32 host on the Moddable fakes (test/esp32, in XS).
// Each statement tested here is written in ports.ts; a host that fails one has a bug, not the suite.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ClockPort, MqttConnectOptions, MqttPort, StoragePort, TimerPort } from "../../modules/ports.js";

/** One host under test, with the means to run its event loop and to play the broker. */
export interface ContractHost {
  clock: ClockPort;
  timers: TimerPort;
  storage: StoragePort;
  mqtt: MqttPort;
  /** Lets the host's event loop (and its broker) run for `ms` of the host's time. */
  run(ms: number): Promise<void>;
  /** The host's storage as the next boot sees it. */
  reopenStorage(): StoragePort;
  close(): Promise<void>;
}

const bytes = (...values: number[]) => Uint8Array.from(values);

function session(events: string[]): MqttConnectOptions {
  return {
    clientId: "contract-1",
    will: { topic: "contract/status", payload: bytes(0x6f), qos: 1, retain: true },
    keepAliveS: 60,
    onConnect: () => void events.push("connect"),
    onDisconnect: (reason) => void events.push(`disconnect ${reason}`),
    onMessage: () => {},
  };
}

/** Registers the contract for `name`; `open` makes a fresh host for each test. */
export function portContract(name: string, open: () => Promise<ContractHost> | ContractHost): void {
  const withHost = (title: string, body: (h: ContractHost) => Promise<void> | void) =>
    test(title, async () => {
      const h = await open();
      try {
        await body(h);
      } finally {
        await h.close();
      }
    });

  describe(`port contract: timers and clock (${name})`, () => timerContract(withHost));
  describe(`port contract: storage (${name})`, () => storageContract(withHost));
  describe(`port contract: MQTT (${name})`, () => mqttContract(withHost));
}

type WithHost = (title: string, body: (h: ContractHost) => Promise<void> | void) => void;

function timerContract(withHost: WithHost): void {
  withHost("a timer never fires inside set(), fires once, and no earlier than its delay", async (h) => {
    const start = h.clock.monotonicMs();
    const fired: number[] = [];
    h.timers.set(() => void fired.push(h.clock.monotonicMs()), 20);
    assert.deepEqual(fired, []);
    await h.run(80);
    assert.equal(fired.length, 1);
    assert.ok(fired[0] - start >= 20, `fired after ${fired[0] - start} ms`);
  });

  withHost("timers set with the same delay fire in the order they were set", async (h) => {
    const order: string[] = [];
    for (const label of ["a", "b", "c", "d"]) h.timers.set(() => void order.push(label), 10);
    await h.run(60);
    assert.deepEqual(order, ["a", "b", "c", "d"]);
  });

  withHost("while the loop is idle, a shorter delay fires before a longer one set earlier", async (h) => {
    const order: string[] = [];
    h.timers.set(() => void order.push("long"), 40);
    h.timers.set(() => void order.push("short"), 5);
    await h.run(100);
    assert.deepEqual(order, ["short", "long"]);
  });

  withHost("a cleared timer never fires; clearing twice or after firing does nothing", async (h) => {
    let fired = 0;
    const a = h.timers.set(() => fired++, 10);
    const b = h.timers.set(() => fired++, 10);
    h.timers.clear(a);
    h.timers.clear(a);
    await h.run(50);
    h.timers.clear(b);
    assert.equal(fired, 1);
  });

  withHost("a 0 ms timer set inside a callback runs after that callback returns", async (h) => {
    const order: string[] = [];
    h.timers.set(() => {
      h.timers.set(() => void order.push("inner"), 0);
      order.push("outer done");
    }, 0);
    await h.run(30);
    assert.deepEqual(order, ["outer done", "inner"]);
  });

  withHost("monotonicMs never goes backwards", async (h) => {
    let last = h.clock.monotonicMs();
    for (let i = 0; i < 5; i++) {
      await h.run(3);
      const now = h.clock.monotonicMs();
      assert.ok(now >= last, `${now} after ${last}`);
      last = now;
    }
  });
}

function storageContract(withHost: WithHost): void {
  withHost("kv: get and set copy the bytes; a missing key reads undefined; delete of one does nothing", (h) => {
    const kv = h.storage.kv;
    const value = bytes(1, 2, 3);
    kv.set("contract.k", value);
    value[0] = 9;
    const read = kv.get("contract.k");
    assert.deepEqual(read, bytes(1, 2, 3));
    read?.fill(0);
    assert.deepEqual(kv.get("contract.k"), bytes(1, 2, 3));
    assert.equal(kv.get("contract.none"), undefined);
    kv.delete("contract.none");
    kv.delete("contract.k");
    assert.equal(kv.get("contract.k"), undefined);
  });

  withHost("kv: a value is durable once set() returns (the next boot reads it)", (h) => {
    h.storage.kv.set("contract.d", bytes(7));
    assert.deepEqual(h.reopenStorage().kv.get("contract.d"), bytes(7));
  });

  withHost("log: ids increase, records come oldest first as copies, remove of a missing id does nothing", (h) => {
    const log = h.storage.log;
    const ids = [log.append(bytes(1)), log.append(bytes(2)), log.append(bytes(3))];
    assert.ok(ids[0] < ids[1] && ids[1] < ids[2], `ids ${ids}`);
    log.remove(ids[1]);
    log.remove(ids[1]);
    log.remove(999_999);
    const records = log.records();
    assert.deepEqual(
      records.map((r) => [r.id, r.bytes[0]]),
      [
        [ids[0], 1],
        [ids[2], 3],
      ],
    );
    records[0].bytes[0] = 42;
    assert.equal(log.records()[0].bytes[0], 1);
  });

  withHost(
    "log: ids() lists records oldest first; read(id) returns a copy, undefined once removed or never written",
    (h) => {
      const log = h.storage.log;
      const before = log.ids(); // a host whose storage outlives one test may hold records of the previous one
      const a = log.append(bytes(1, 1));
      const b = log.append(bytes(2, 2, 2));
      const c = log.append(bytes(3));
      log.remove(b);
      assert.deepEqual(log.ids(), [...before, a, c]);
      const read = log.read(c);
      assert.deepEqual(read, bytes(3));
      read?.fill(9);
      assert.deepEqual(log.read(c), bytes(3), "a copy");
      assert.deepEqual(log.read(a), bytes(1, 1));
      assert.equal(log.read(b), undefined, "removed");
      assert.equal(log.read(c + 1000), undefined, "never written");
      assert.deepEqual(h.reopenStorage().log.read(a), bytes(1, 1), "durable: the next boot reads it by id");
    },
  );

  withHost("log: an id is never handed out again, even after the newest is removed and the device reboots", (h) => {
    const first = h.storage.log.append(bytes(1));
    h.storage.log.remove(first);
    const again = h.reopenStorage().log.append(bytes(2));
    assert.ok(again > first, `${again} after ${first}`);
  });
}

function mqttContract(withHost: WithHost): void {
  withHost("connect: onConnect never runs inside connect(); connected is true after it", async (h) => {
    const events: string[] = [];
    h.mqtt.connect(session(events));
    assert.deepEqual(events, []);
    await h.run(200);
    assert.deepEqual(events, ["connect"]);
    assert.equal(h.mqtt.connected, true);
  });

  withHost("publish while disconnected: onAck(error) on a later turn, never inside publish()", async (h) => {
    const acks: (string | undefined)[] = [];
    h.mqtt.publish("contract/t", bytes(1), { qos: 1, retain: false }, (error) => void acks.push(error));
    assert.deepEqual(acks, []);
    await h.run(20);
    assert.equal(acks.length, 1);
    assert.equal(typeof acks[0], "string");
  });

  withHost("a QoS 1 publish is acknowledged once, without error, and never inside publish()", async (h) => {
    const events: string[] = [];
    h.mqtt.connect(session(events));
    await h.run(200);
    const acks: (string | undefined)[] = [];
    h.mqtt.publish("contract/t", bytes(1, 2), { qos: 1, retain: false }, (error) => void acks.push(error));
    assert.deepEqual(acks, []);
    await h.run(200);
    assert.deepEqual(acks, [undefined]);
  });

  withHost(
    "close(): no onDisconnect, and unacknowledged publishes fail on a later turn, not inside close()",
    async (h) => {
      const events: string[] = [];
      h.mqtt.connect(session(events));
      await h.run(200);
      const acks: (string | undefined)[] = [];
      h.mqtt.publish("contract/t", bytes(1), { qos: 1, retain: false }, (error) => void acks.push(error));
      h.mqtt.close();
      assert.deepEqual(acks, [], "no onAck inside close()");
      assert.equal(h.mqtt.connected, false);
      await h.run(100);
      assert.deepEqual(events, ["connect"]);
      assert.ok(acks.length <= 1, "at most one onAck");
      if (acks.length) assert.equal(typeof acks[0], "string", "a publish cut short by close() fails");
    },
  );
}
