// SPDX-License-Identifier: MIT
// Issue 15 point 5, on the device: a flood of valid, signed snapshot commands cannot fill the outbox ahead of a
// ring (modules/snapshot-gate.ts). Asserts on the outbox's stored records and the publish order, never on time.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { toHex } from "../../modules/bytes.js";
import { sealCommand } from "../../modules/commands.js";
import { startFirmware } from "../../modules/firmware.js";
import { decodeOutboxRecord, recordChecksum } from "../../modules/outbox-record.js";
import { MAX_COMMAND_SNAPSHOTS_QUEUED } from "../../modules/snapshot-gate.js";
import { createFakeHost, type FakeHost } from "../support/fake-host.js";
import { openEventForTest, testOwnerKeys } from "../support/owner.js";
import { testCrypto } from "../support/test-crypto.js";

const owner = testOwnerKeys();
const CMD_TOPIC = "doorbell/frontdoor/sealed/cmd";
const EVENT_TOPIC = "doorbell/frontdoor/sealed/event";
const FLOOD = 300;

function boot() {
  const host = createFakeHost();
  const fw = startFirmware(host, {
    firmwareVersion: "test",
    config: { deviceId: "frontdoor", keys: owner.keysConfig, camera: { followUpMs: 0 } },
  });
  host.mqtt.accept();
  host.mqtt.published.length = 0; // the connect-time status event
  return { host, fw };
}

type Booted = ReturnType<typeof boot>;

/** Delivers `count` valid signed snapshot commands, seq `from`, `from + 1`, ... */
function flood({ host, fw }: Booted, count: number, from = 1): void {
  const crypto = testCrypto();
  for (let i = 0; i < count; i++) {
    const bytes = sealCommand({
      crypto,
      ownerSecret: owner.secret,
      sign: owner.sign,
      devicePublicKey: fw.devicePublicKey,
      deviceId: "frontdoor",
      topic: CMD_TOPIC,
      seq: from + i,
      command: { v: 1, cmd: "snapshot", id: toHex(crypto.randomBytes(8)), atMs: host.clock.wallMs() },
    });
    host.mqtt.options!.onMessage(CMD_TOPIC, bytes);
  }
}

const open = (fw: Booted["fw"], envelope: Uint8Array) =>
  openEventForTest(owner, toHex(fw.devicePublicKey), "frontdoor", EVENT_TOPIC, envelope).header;

/** The events stored in the outbox, oldest first, as "type/reason". */
function outboxContents(host: FakeHost, fw: Booted["fw"]): string[] {
  const checksum = recordChecksum(testCrypto());
  return host.storage.log.records().map((r) => {
    const h = open(fw, decodeOutboxRecord(r.bytes, checksum)!.envelope);
    return h.reason ? `${h.type}/${h.reason}` : h.type;
  });
}

const gateLines = (host: FakeHost) =>
  host.lines.filter((l) => l.tag === "command" && l.message.startsWith("snapshot command"));

describe("snapshot command flood (issue 15 point 5)", () => {
  test(`${FLOOD} signed snapshot commands without PUBACKs leave the outbox room; a later ring is queued and goes out next`, () => {
    const booted = boot();
    const { host, fw } = booted;
    host.clock.advance(1000);
    const publishedBefore = fw.delivery.stats.published; // the connect-time status event, acknowledged by now
    host.camera.capture(1000);
    host.mqtt.autoAck = false; // the broker stops acknowledging: nothing leaves the outbox
    flood(booted, FLOOD);

    const shots = Array(MAX_COMMAND_SNAPSHOTS_QUEUED).fill("snapshot/command");
    assert.deepEqual(outboxContents(host, fw), shots);
    assert.equal(fw.delivery.stats.dropped, 0);
    assert.equal(gateLines(host).length, 1, "refusals are logged once per burst, not per message");

    host.button.edge(1, 1010);
    host.clock.advance(100);
    host.button.edge(0, host.clock.nowMs);
    assert.deepEqual(outboxContents(host, fw), [...shots, "ring"]);
    assert.equal(fw.delivery.stats.dropped, 0);

    // The broker acknowledges again: the ring goes out right behind the two command snapshots.
    host.mqtt.autoAck = true;
    for (const p of host.mqtt.published.splice(0)) p.ack?.();
    host.clock.advance(0); // the PUBACKs of what goes out next, each on a later turn
    const sent = [
      fw.delivery.stats.published - publishedBefore,
      host.mqtt.published.map((p) => open(fw, p.payload).type),
    ];
    assert.deepEqual(sent, [MAX_COMMAND_SNAPSHOTS_QUEUED + 1, ["snapshot", "ring"]]);
    assert.deepEqual(outboxContents(host, fw), []);

    // Drained: snapshot commands are taken again, and the burst's count is logged when it ends.
    flood(booted, 1, FLOOD + 1);
    assert.deepEqual(
      host.mqtt.published.map((p) => open(fw, p.payload).type),
      ["snapshot", "ring", "snapshot"],
    );
    const lines = gateLines(host);
    assert.equal(lines.length, 2);
    assert.match(lines[1].message, new RegExp(` count=${FLOOD - MAX_COMMAND_SNAPSHOTS_QUEUED}$`));
  });

  test("snapshot commands still waiting for a frame count too: a flood before the first frame queues only the limit", () => {
    const booted = boot();
    const { host, fw } = booted;
    host.mqtt.autoAck = false;
    flood(booted, 10);
    host.clock.advance(5000); // no frame came: each snapshot that was taken goes out without one
    assert.deepEqual(outboxContents(host, fw), Array(MAX_COMMAND_SNAPSHOTS_QUEUED).fill("snapshot/command"));
    assert.equal(fw.ring.stats.snapshotsMissing, MAX_COMMAND_SNAPSHOTS_QUEUED);
  });
});
