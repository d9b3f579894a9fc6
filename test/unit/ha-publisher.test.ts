// SPDX-License-Identifier: MIT
// The bridge's Home Assistant publisher: in order, never more unacknowledged than the broker admits
// (Mosquitto 2.0 discards an MQTT 3.1.1 client's QoS 2 publishes past `max_inflight_messages`).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { MqttClient } from "mqtt";
import { createHaPublisher, HA_MAX_IN_FLIGHT, HA_MAX_IN_FLIGHT_QOS1 } from "../../bridge/ha-publisher.js";
import { createLogger } from "../../modules/logger.js";

function fakeClient() {
  const sent: { topic: string; qos: number; ack(error?: Error): void }[] = [];
  const client = {
    publish(topic: string, _payload: unknown, opts: { qos: number }, callback: (error?: Error) => void) {
      sent.push({ topic, qos: opts.qos, ack: (error) => callback(error) });
    },
  } as unknown as MqttClient;
  return { client, sent };
}

test("at most maxInFlight publishes unacknowledged, sent in the order given", () => {
  const { client, sent } = fakeClient();
  const warnings: string[] = [];
  const p = createHaPublisher({
    client,
    log: createLogger({ write: (level, _tag, m) => void (level === "warn" && warnings.push(m)) }, "bridge"),
  });
  for (let i = 0; i < 25; i++) p.publish({ topic: `t/${i}`, payload: "x", qos: 2, retain: false });
  assert.equal(sent.length, HA_MAX_IN_FLIGHT);
  assert.equal(p.queued, 25 - HA_MAX_IN_FLIGHT);
  sent[0].ack();
  assert.equal(sent.length, HA_MAX_IN_FLIGHT + 1, "one acknowledged, one more sent");
  for (let i = 1; i < 25 && i < sent.length; i++) sent[i].ack(i === 3 ? new Error("client ended") : undefined);
  assert.deepEqual(
    sent.map((s) => s.topic),
    Array.from({ length: 25 }, (_, i) => `t/${i}`),
  );
  assert.equal(p.inFlight, 0);
  assert.deepEqual(warnings, [`state not published topic=t/3 reason="client ended"`]);
});

test("QoS 1 publishes have their own bound and hold no QoS 2 place; the order is kept across both", () => {
  const { client, sent } = fakeClient();
  const p = createHaPublisher({ client, log: createLogger({ write: () => {} }, "bridge") });
  // A ring's picture (QoS 1) then the ring (QoS 2), 30 times: with one shared bound of 10, 10 would go out.
  for (let i = 0; i < 30; i++) {
    p.publish({ topic: `picture/${i}`, payload: "x", qos: 1, retain: true });
    p.publish({ topic: `ring/${i}`, payload: "x", qos: 2, retain: false });
  }
  assert.equal(sent.filter((s) => s.qos === 2).length, HA_MAX_IN_FLIGHT, "QoS 2 up to its bound");
  assert.equal(sent.length, 2 * HA_MAX_IN_FLIGHT + 1, "and the picture queued before the first ring that waits");
  const ring0 = sent.findIndex((s) => s.topic === "ring/0");
  sent[ring0].ack();
  assert.deepEqual(
    sent.slice(-2).map((s) => s.topic),
    [`ring/${HA_MAX_IN_FLIGHT}`, `picture/${HA_MAX_IN_FLIGHT + 1}`],
    "one QoS 2 place freed: the next ring, then the picture behind it",
  );
  for (let i = 0; i < sent.length; i++) if (i !== ring0) sent[i].ack();
  assert.deepEqual(
    sent.map((s) => s.topic),
    Array.from({ length: 30 }, (_, i) => [`picture/${i}`, `ring/${i}`]).flat(),
  );
  assert.equal(p.inFlight, 0);
});

test("QoS 1 publishes wait once their own bound is reached", () => {
  const { client, sent } = fakeClient();
  const p = createHaPublisher({ client, log: createLogger({ write: () => {} }, "bridge") });
  for (let i = 0; i < HA_MAX_IN_FLIGHT_QOS1 + 5; i++)
    p.publish({ topic: `s/${i}`, payload: "x", qos: 1, retain: true });
  assert.equal(sent.length, HA_MAX_IN_FLIGHT_QOS1);
  assert.equal(p.queued, 5);
});

test("maxInFlight below 1 is refused with the accepted range", () => {
  assert.throws(
    () =>
      createHaPublisher({
        client: fakeClient().client,
        log: createLogger({ write: () => {} }, "bridge"),
        maxInFlight: 0,
      }),
    /maxInFlight: 0 .*1 or more/,
  );
});
