// SPDX-License-Identifier: MIT
// Owner-to-device commands: only the owner's key, never twice, never stale, and a bad config changes nothing.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { toHex } from "../../modules/bytes.js";
import { parseCommand, sealCommand, type Command } from "../../modules/commands.js";
import { startFirmware } from "../../modules/firmware.js";
import { createFakeHost, type FakeHost } from "../support/fake-host.js";
import { openEventForTest, testOwnerKeys, type OwnerKeys } from "../support/owner.js";
import { testCrypto } from "../support/test-crypto.js";

const owner = testOwnerKeys();
const TOPIC = "doorbell/frontdoor/sealed/cmd";

function boot(host: FakeHost = createFakeHost()) {
  const fw = startFirmware(host, {
    firmwareVersion: "test",
    config: { deviceId: "frontdoor", keys: { ownerPublic: owner.publicHex } },
  });
  host.mqtt.accept();
  return { host, fw };
}

function command(host: FakeHost, cmd: Omit<Command, "v" | "id" | "atMs">, extra: Partial<Command> = {}): Command {
  return { v: 1, id: toHex(testCrypto().randomBytes(8)), atMs: host.clock.wallMs(), ...cmd, ...extra } as Command;
}

function seal(fw: ReturnType<typeof boot>["fw"], c: Command, seq: number, from: OwnerKeys = owner, topic = TOPIC) {
  return sealCommand({
    crypto: testCrypto(),
    ownerSecret: from.secret,
    devicePublicKey: fw.devicePublicKey,
    deviceId: "frontdoor",
    topic,
    seq,
    command: c,
  });
}

const deliver = (host: FakeHost, bytes: Uint8Array, topic = TOPIC) => host.mqtt.options!.onMessage(topic, bytes);
const refusals = (host: FakeHost) =>
  host.lines.filter((l) => l.tag === "command" && l.message.startsWith("command refused")).map((l) => l.message);
const snapshots = (host: FakeHost, fw: ReturnType<typeof boot>["fw"]) =>
  host.mqtt.published
    .filter((p) => p.topic.endsWith("/sealed/event"))
    .map((p) => openEventForTest(owner, toHex(fw.devicePublicKey), "frontdoor", p.topic, p.payload).header)
    .filter((h) => h.type === "snapshot");

describe("sealed commands", () => {
  test("snapshot now: the owner's command produces a snapshot event of the newest frame", () => {
    const { host, fw } = boot();
    host.clock.advance(1000);
    host.camera.capture(1000);
    deliver(host, seal(fw, command(host, { cmd: "snapshot" }), 1));
    const shots = snapshots(host, fw);
    assert.equal(shots.length, 1);
    assert.equal(shots[0].reason, "command");
    assert.equal(fw.ring.stats.snapshotsMissing, 0);
  });

  test("a command sealed by any key but the owner's is refused and logged as wrong-sender", () => {
    const { host, fw } = boot();
    deliver(host, seal(fw, command(host, { cmd: "reboot" }), 1, testOwnerKeys()));
    assert.deepEqual(host.restarts, []);
    assert.equal(refusals(host).length, 1);
    assert.match(refusals(host)[0], /wrong-sender/);
  });

  test("a replayed command and an older one are refused; the accepted seq survives a reboot", () => {
    const { host, fw } = boot();
    host.camera.capture(0);
    const first = seal(fw, command(host, { cmd: "snapshot" }), 5);
    const older = seal(fw, command(host, { cmd: "snapshot" }), 4);
    deliver(host, first);
    deliver(host, first);
    deliver(host, older);
    assert.equal(snapshots(host, fw).length, 1);
    assert.equal(refusals(host).filter((r) => r.includes("replayed")).length, 2);
    const again = boot(createFakeHost(host.storage));
    deliver(again.host, first);
    assert.match(refusals(again.host)[0], /replayed/);
  });

  test("a reboot command restarts once, and its redelivery after the reboot does not", () => {
    const { host, fw } = boot();
    const bytes = seal(fw, command(host, { cmd: "reboot" }), 1);
    deliver(host, bytes);
    host.clock.advance(1000);
    assert.deepEqual(host.restarts, ["owner command"]);
    const after = boot(createFakeHost(host.storage));
    deliver(after.host, bytes);
    after.host.clock.advance(1000);
    assert.deepEqual(after.host.restarts, []);
  });

  test("a stale command (sealed longer ago than commands.maxAgeS) is refused", () => {
    const { host, fw } = boot();
    deliver(host, seal(fw, command(host, { cmd: "reboot" }, { atMs: host.clock.wallMs() - 301_000 }), 1));
    host.clock.advance(1000);
    assert.deepEqual(host.restarts, []);
    assert.match(refusals(host)[0], /stale/);
  });

  test("a command moved to another topic is refused as wrong-topic", () => {
    const { host, fw } = boot();
    deliver(host, seal(fw, command(host, { cmd: "reboot" }), 1, owner, "doorbell/backdoor/sealed/cmd"));
    assert.match(refusals(host)[0], /wrong-topic/);
  });

  test("set-config with a bad value is refused field by field and changes nothing; a good one is persisted and restarts", () => {
    const { host, fw } = boot();
    deliver(
      host,
      seal(
        fw,
        command(host, {
          cmd: "set-config",
          config: { deviceId: "frontdoor", keys: { ownerPublic: owner.publicHex }, button: { cooldownS: 999 } },
        } as never),
        1,
      ),
    );
    host.clock.advance(1000);
    assert.deepEqual(host.restarts, []);
    assert.equal(fw.config.current.button.cooldownS, 5);
    assert.ok(host.lines.some((l) => l.message.includes("button.cooldownS") && l.message.includes("0 to 300")));
    deliver(
      host,
      seal(
        fw,
        command(host, {
          cmd: "set-config",
          config: { deviceId: "frontdoor", keys: { ownerPublic: owner.publicHex }, button: { cooldownS: 30 } },
        } as never),
        2,
      ),
    );
    host.clock.advance(1000);
    assert.deepEqual(host.restarts, ["config changed"]);
    const after = boot(createFakeHost(host.storage));
    assert.equal(after.fw.config.current.button.cooldownS, 30);
  });
});

describe("command parser", () => {
  const base = { v: 1, id: "0123456789abcdef", atMs: 1 };
  test("accepts the three commands", () => {
    for (const cmd of ["snapshot", "reboot"]) assert.equal(parseCommand({ ...base, cmd }).ok, true);
    assert.equal(parseCommand({ ...base, cmd: "set-config", config: {} }).ok, true);
  });
  test("names what is wrong", () => {
    const cases: [unknown, RegExp][] = [
      [null, /JSON object/],
      [{ ...base, v: 2, cmd: "reboot" }, /command v/],
      [{ ...base, cmd: "format-flash" }, /expected one of snapshot, set-config, reboot/],
      [{ ...base, cmd: "reboot", id: "xyz" }, /command id/],
      [{ ...base, cmd: "reboot", atMs: -1 }, /atMs/],
      [{ ...base, cmd: "reboot", extra: 1 }, /unknown field extra/],
      [{ ...base, cmd: "set-config", config: [1] }, /config must be a JSON object/],
    ];
    for (const [raw, pattern] of cases) {
      const r = parseCommand(raw);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.error, pattern);
    }
  });
});
