// SPDX-License-Identifier: MIT
// The bridge's Home Assistant publisher: in order, never more unacknowledged than the broker admits
// (Mosquitto 2.0 discards an MQTT 3.1.1 client's QoS 2 publishes past `max_inflight_messages`).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { MqttClient } from "mqtt";
import { createHaPublisher, HA_MAX_IN_FLIGHT } from "../../bridge/ha-publisher.js";
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
