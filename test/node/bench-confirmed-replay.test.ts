// SPDX-License-Identifier: MIT
// The bridge bench's replay with delivery confirmations (bench/load/confirmed-replay.ts): a device's next event goes
// only once fewer than the outbox's CONFIRM_WINDOW wait for their confirmation, and only a confirmation with a valid
// MAC under the event's own key (envelope/confirmation.ts) releases it, as on the device (modules/outbox.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { type ConfirmableMessage, createConfirmedReplay } from "../../bench/load/confirmed-replay.js";
import { readFrames } from "../../bench/load/mqtt-frames.js";
import { publishPacket } from "../../bench/load/raw-publisher.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { confirmationMac, encodeConfirmations } from "../../modules/envelope/confirmation.js";
import { CONFIRM_WINDOW } from "../../modules/outbox.js";

const crypto = createNodeCrypto();
const DEVICES = ["d1", "d2", "d3"];
const PER_DEVICE = CONFIRM_WINDOW + 2;

function setup() {
  const messages: ConfirmableMessage[] = [];
  for (let seq = 1; seq <= PER_DEVICE; seq++)
    for (const device of DEVICES)
      messages.push({
        topic: `doorbell/${device}/sealed/event`,
        payload: Uint8Array.from([seq]),
        device,
        seq,
        confirmKey: crypto.randomBytes(32),
      });
  const written: { device: string; seq: number; id: number }[] = [];
  const replay = createConfirmedReplay({
    messages,
    packets: messages.map((m) => publishPacket(m, 1)),
    window: 1000,
    crypto,
    write(bytes) {
      for (const f of readFrames(bytes).frames) {
        if (f.type !== 3) continue;
        const topicLength = f.body.readUInt16BE(0);
        const device = f.body.toString("utf8", 2, 2 + topicLength).split("/")[1];
        written.push({ device, seq: f.body[2 + topicLength + 2], id: f.body.readUInt16BE(2 + topicLength) });
      }
    },
  });
  /** The broker's QoS 1 PUBLISH of a confirmation message on `device`'s ack topic. */
  const deliver = (device: string, items: { seq: number; mac: Uint8Array }[]) => {
    const packet = publishPacket({ topic: `doorbell/${device}/sealed/ack`, payload: encodeConfirmations(items) }, 7);
    for (const f of readFrames(packet).frames) replay.onFrame(f);
    replay.fill();
  };
  const mac = (device: string, seq: number) => {
    const m = messages.find((x) => x.device === device && x.seq === seq) as ConfirmableMessage;
    return confirmationMac(crypto, m.confirmKey, device, seq);
  };
  const puback = () => replay.onFrame({ type: 4, flags: 0, body: Buffer.from([0, 1]) });
  return { replay, written, deliver, mac, puback, messages };
}

test("each device sends CONFIRM_WINDOW events, then the next only after a valid confirmation", () => {
  const { replay, written, deliver, mac } = setup();
  replay.fill();
  assert.equal(written.length, DEVICES.length * CONFIRM_WINDOW, "the window of every device, nothing more");
  replay.fill();
  assert.equal(written.length, DEVICES.length * CONFIRM_WINDOW, "a PUBACK-free fill sends no more");
  deliver("d2", [{ seq: 1, mac: mac("d2", 1) }]);
  assert.deepEqual(written.at(-1), { device: "d2", seq: CONFIRM_WINDOW + 1, id: written.length });
  assert.equal(replay.result.confirmed, 1);
  assert.equal(replay.result.mostWaiting, CONFIRM_WINDOW);
});

test("a forged MAC, a MAC of another device's event and an unknown seq release nothing", () => {
  const { replay, written, deliver, mac } = setup();
  replay.fill();
  const before = written.length;
  const forged = mac("d1", 1).slice();
  forged[0] ^= 1;
  deliver("d1", [{ seq: 1, mac: forged }]);
  deliver("d1", [{ seq: 1, mac: mac("d3", 1) }]);
  deliver("d1", [{ seq: PER_DEVICE, mac: mac("d1", PER_DEVICE) }]);
  assert.equal(written.length, before);
  assert.equal(replay.result.confirmed, 0);
  assert.equal(replay.result.refused, 3);
});

test("done only once every event is acknowledged by the broker and confirmed, each device in order", () => {
  const { replay, written, deliver, mac, puback, messages } = setup();
  replay.fill();
  for (let round = 0; round < 100 && !(replay.result.confirmed === messages.length); round++) {
    const waiting = [...written].slice(replay.result.confirmed);
    for (const w of waiting) deliver(w.device, [{ seq: w.seq, mac: mac(w.device, w.seq) }]);
  }
  assert.equal(replay.result.confirmed, messages.length);
  assert.equal(replay.done(), false, "PUBACKs still missing");
  for (let i = 0; i < messages.length; i++) puback();
  assert.equal(replay.done(), true);
  for (const device of DEVICES)
    assert.deepEqual(
      written.filter((w) => w.device === device).map((w) => w.seq),
      Array.from({ length: PER_DEVICE }, (_, i) => i + 1),
    );
});
