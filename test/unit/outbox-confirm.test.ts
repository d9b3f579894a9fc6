// SPDX-License-Identifier: MIT
// The owner confirms delivery (docs/delivery.md): with outbox.confirm, an event leaves the device's outbox only on a
// confirmation whose MAC checks under the key exported from the event's own HPKE context, not on its PUBACK; with
// none, it is sent again with backoff; forged confirmations change nothing and are logged with their reason; and the
// key survives a reboot in the record's tag.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fromHex, readUintBE, toHex } from "../../modules/bytes.js";
import {
  CONFIRM_KEY_BYTES,
  type Confirmation,
  confirmationMac,
  encodeConfirmations,
} from "../../modules/envelope/confirmation.js";
import { openEnvelope } from "../../modules/envelope/open-envelope.js";
import { startFirmware } from "../../modules/firmware.js";
import { createLogger } from "../../modules/logger.js";
import { createOutbox } from "../../modules/outbox.js";
import { decodeOutboxRecord, recordChecksum } from "../../modules/outbox-record.js";
import { createFakeHost, type FakeHost } from "../support/fake-host.js";
import { type OwnerKeys, testOwnerKeys } from "../support/owner.js";
import { testCrypto } from "../support/test-crypto.js";

const DEVICE = "frontdoor";
const TOPIC = `doorbell/${DEVICE}/sealed/event`;
const ACK_TOPIC = `doorbell/${DEVICE}/sealed/ack`;
const TIMEOUT_S = 10;

const seqOf = (payload: Uint8Array) => readUintBE(payload, 5, 8);
const events = (host: FakeHost) => host.mqtt.published.filter((p) => p.topic === TOPIC);

/** What the owner's bridge does: opens the envelope and exports its confirmation key. */
function ownerOpens(owner: OwnerKeys, devicePublicKey: Uint8Array, bytes: Uint8Array, deviceId = DEVICE) {
  const r = openEnvelope({
    crypto: testCrypto(),
    recipientPrivateKey: owner.secret,
    senderPublicKey: devicePublicKey,
    deviceId,
    topic: `doorbell/${deviceId}/sealed/event`,
    bytes,
  });
  if (!r.ok) throw new Error(`envelope rejected: ${r.reason}`);
  return { seq: r.seq, key: r.confirmKey, header: r.header };
}

function confirmation(key: Uint8Array, seq: number, deviceId = DEVICE): Confirmation {
  return { seq, mac: confirmationMac(testCrypto(), key, deviceId, seq).slice() };
}

/** Firmware with confirmations on; the connect-time status event is confirmed so that only what a test sends is left. */
function confirmingDevice(owner: OwnerKeys, host = createFakeHost()) {
  const config = {
    deviceId: DEVICE,
    keys: { ownerPublic: owner.publicHex },
    status: { intervalS: 0 },
    outbox: { confirm: true, confirmTimeoutS: TIMEOUT_S },
  };
  const fw = startFirmware(host, { firmwareVersion: "test", config });
  host.mqtt.accept();
  host.clock.advance(0); // the status event's PUBACK
  return {
    host,
    fw,
    confirm: (items: Confirmation[]) => host.mqtt.options!.onMessage(ACK_TOPIC, encodeConfirmations(items)),
  };
}

/** A press, with a frame for its snapshot, as outbox.test.ts makes one. */
function ring(host: FakeHost) {
  host.clock.advance(10_000);
  host.camera.capture(host.clock.nowMs);
  host.button.edge(1, host.clock.nowMs + 10);
  host.clock.advance(50);
  host.button.edge(0, host.clock.nowMs);
  host.clock.advance(0);
}

describe("outbox.confirm: the owner's confirmation ends an event, not its PUBACK", () => {
  test("the device subscribes to its confirmation topic; PUBACK alone keeps the event, the bridge's confirmation removes it", () => {
    const owner = testOwnerKeys();
    const { host, fw, confirm } = confirmingDevice(owner);
    assert.ok(host.mqtt.subscriptions.some((s) => s.topic === ACK_TOPIC && s.qos === 1));
    const status = ownerOpens(owner, fw.devicePublicKey, events(host)[0].payload);
    assert.equal(status.header.type, "status");
    assert.equal(fw.delivery.stats.published, 1, "PUBACKed");
    assert.equal(fw.delivery.stats.queued, 1, "but still queued: PUBACK alone does not end it");
    assert.equal(host.storage.log.records().length, 1, "and still stored");
    confirm([confirmation(status.key, status.seq)]);
    assert.equal(fw.delivery.stats.queued, 0);
    assert.equal(fw.delivery.stats.confirmed, 1);
    assert.equal(host.storage.log.records().length, 0, "removed from storage on the confirmation");
    fw.close();
  });

  test("forged confirmations leave the event queued, each logged with its reason", () => {
    const owner = testOwnerKeys();
    const { host, fw, confirm } = confirmingDevice(owner);
    const status = ownerOpens(owner, fw.devicePublicKey, events(host)[0].payload);
    confirm([confirmation(status.key, status.seq)]);
    ring(host);
    const rung = ownerOpens(owner, fw.devicePublicKey, events(host)[1].payload);
    assert.equal(rung.header.type, "ring");
    const good = confirmation(rung.key, rung.seq);
    const refusedBefore = fw.delivery.stats.refusedConfirmations;
    confirm([confirmation(new Uint8Array(CONFIRM_KEY_BYTES).fill(7), rung.seq)]); // a wrong key
    confirm([confirmation(rung.key, rung.seq, "backdoor")]); // made for another device
    confirm([{ seq: rung.seq, mac: confirmation(rung.key, rung.seq + 1).mac }]); // the MAC of another seq
    confirm([confirmation(status.key, status.seq)]); // an old, valid confirmation replayed
    confirm([confirmation(status.key, rung.seq)]); // an old event's key for the new seq
    const truncated = encodeConfirmations([good]).subarray(0, 20);
    host.mqtt.options!.onMessage(ACK_TOPIC, truncated);
    assert.equal(fw.delivery.stats.queued, 1, "the ring is still queued");
    assert.equal(host.storage.log.records().length, 1);
    assert.equal(fw.delivery.stats.refusedConfirmations - refusedBefore, 6);
    const refusals = host.lines.filter((l) => l.tag === "outbox" && l.message.startsWith("confirmation refused"));
    assert.deepEqual(
      refusals.map((l) => /reason=([\w-]+)/.exec(l.message)?.[1]),
      ["bad-mac", "bad-mac", "bad-mac", "not-queued", "bad-mac", "truncated"],
    );
    assert.ok(!host.lines.some((l) => l.message.includes(toHex(rung.key))), "no key in the logs");
    confirm([good]);
    assert.equal(fw.delivery.stats.queued, 0, "the genuine confirmation removes it");
    fw.close();
  });
});

describe("outbox.confirm: sent again until confirmed, across reconnects and reboots", () => {
  test("with no confirmation the event is sent again, the wait doubling each round; the next waits its turn", () => {
    const owner = testOwnerKeys();
    const { host, fw, confirm } = confirmingDevice(owner);
    const status = ownerOpens(owner, fw.devicePublicKey, events(host)[0].payload);
    let roundStart = host.clock.nowMs; // the PUBACK: the wait for a confirmation starts
    const copies = () => events(host).filter((p) => seqOf(p.payload) === status.seq).length;
    const waits = [TIMEOUT_S * 1000, TIMEOUT_S * 2000, TIMEOUT_S * 4000];
    for (const [round, waitMs] of waits.entries()) {
      host.clock.advance(roundStart + waitMs - 1 - host.clock.nowMs);
      assert.equal(copies(), round + 1, `round ${round}: not before ${waitMs} ms`);
      host.clock.advance(1);
      assert.equal(copies(), round + 2, `round ${round}: sent again after ${waitMs} ms`);
      roundStart = host.clock.nowMs;
      if (round === 0) {
        ring(host);
        assert.equal(events(host).length, 2, "the ring waits until the status event is confirmed");
      }
    }
    const again = events(host).filter((p) => seqOf(p.payload) === status.seq);
    assert.ok(again.slice(1).every((p) => p.options.dup));
    assert.deepEqual(again[3].payload, again[0].payload, "the very same envelope");
    assert.ok(host.lines.some((l) => l.message.startsWith("no confirmation from the owner in time")));
    confirm([confirmation(status.key, status.seq)]);
    const next = events(host).at(-1)!;
    assert.equal(ownerOpens(owner, fw.devicePublicKey, next.payload).header.type, "ring", "then the ring goes");
    fw.close();
  });

  test("a reconnect sends the PUBACKed, unconfirmed event again (a broker that lost it)", () => {
    const owner = testOwnerKeys();
    const { host, fw } = confirmingDevice(owner);
    assert.equal(events(host).length, 1);
    host.mqtt.drop("broker crashed");
    host.clock.advance(60_000);
    host.mqtt.accept();
    host.clock.advance(0);
    assert.equal(events(host).length, 2);
    assert.deepEqual(events(host)[1].payload, events(host)[0].payload);
    fw.close();
  });

  test("after a reboot, the key read back from flash still checks the bridge's confirmation", () => {
    const owner = testOwnerKeys();
    const before = confirmingDevice(owner);
    const sent = events(before.host)[0].payload;
    const opened = ownerOpens(owner, before.fw.devicePublicKey, sent);
    const [record] = before.host.storage.log.records();
    const decoded = decodeOutboxRecord(record.bytes, recordChecksum(testCrypto()));
    assert.equal(decoded?.tag.length, CONFIRM_KEY_BYTES, "the key is stored in the record's tag");
    before.fw.close();
    // Power cut: a new boot on the same storage.
    const after = createFakeHost(before.host.storage);
    const { fw, confirm } = confirmingDevice(owner, after);
    assert.equal(fw.delivery.stats.queued, 2, "the old event, and this boot's status event");
    assert.ok(
      events(after).some((p) => seqOf(p.payload) === opened.seq),
      "the old event is sent again first",
    );
    confirm([{ seq: opened.seq, mac: confirmation(opened.key, opened.seq).mac.map((b) => b ^ 1) }]);
    assert.equal(fw.delivery.stats.queued, 2, "a wrong MAC still changes nothing after the reboot");
    confirm([confirmation(opened.key, opened.seq)]);
    assert.equal(fw.delivery.stats.queued, 1, "the old event confirmed with the key read from flash");
    fw.close();
  });
});

describe("outbox.confirm off: the PUBACK ends an event, as before", () => {
  test("without confirm, a PUBACK removes the event and no confirmation topic is subscribed", () => {
    const owner = testOwnerKeys();
    const host = createFakeHost();
    const fw = startFirmware(host, {
      firmwareVersion: "test",
      config: { deviceId: DEVICE, keys: { ownerPublic: owner.publicHex }, status: { intervalS: 0 } },
    });
    host.mqtt.accept();
    host.clock.advance(0);
    assert.equal(fw.delivery.stats.queued, 0);
    assert.ok(!host.mqtt.subscriptions.some((s) => s.topic === ACK_TOPIC));
    fw.close();
  });

  test("with confirm, an event stored without a key (an older record) still ends on its PUBACK", () => {
    const host = createFakeHost();
    const outbox = createOutbox({
      mqtt: host.mqtt,
      store: host.storage.log,
      timers: host.timers,
      log: createLogger(host.log, "outbox"),
      topic: TOPIC,
      maxEvents: 8,
      maxBytes: 1 << 20,
      ackTimeoutMs: 10_000,
      checksum: recordChecksum(host.crypto),
      confirm: { timeoutMs: 1000, crypto: host.crypto, deviceId: DEVICE },
    });
    host.mqtt.connected = true;
    outbox.resume();
    const envelope = new Uint8Array(100).fill(0xa5);
    envelope.set(fromHex("0100000064000000000000000a"), 0);
    outbox.send(envelope, { id: "old", seq: 10, type: "ring" });
    host.clock.advance(0);
    assert.equal(outbox.stats.queued, 0);
    outbox.close();
  });
});
