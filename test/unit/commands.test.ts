// SPDX-License-Identifier: MIT
// Owner-to-device commands: only the owner's signature and key, never twice, never stale, no seq that locks the
// owner out, identity changed only by a signed set-identity, and a bad config changes nothing.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { toHex } from "../../modules/bytes.js";
import { signCommandEnvelope } from "../../modules/command-signature.js";
import { COMMAND_SEQ_CEILING } from "../../modules/command-handler.js";
import { parseCommand, sealCommand, type Command } from "../../modules/commands.js";
import { DEVICE_KEY_KEY } from "../../modules/device-key.js";
import { startFirmware } from "../../modules/firmware.js";
import { keyFingerprint } from "../../modules/identity.js";
import { countingCrypto } from "../support/counting-crypto.js";
import { createFakeHost, type FakeHost } from "../support/fake-host.js";
import { forgeOwnerEnvelope } from "../support/kci-forge.js";
import { openEventForTest, testOwnerKeys, type OwnerKeys } from "../support/owner.js";
import { testSigningKey } from "../support/p256-sign.js";
import { testCrypto } from "../support/test-crypto.js";

const owner = testOwnerKeys();
const TOPIC = "doorbell/frontdoor/sealed/cmd";

function boot(host: FakeHost = createFakeHost(), deviceKey?: Uint8Array, config: Record<string, unknown> = {}) {
  const fw = startFirmware(host, {
    firmwareVersion: "test",
    config: { deviceId: "frontdoor", keys: owner.keysConfig, ...config },
    deviceKey,
  });
  host.mqtt.accept();
  return { host, fw };
}

function command(host: FakeHost, cmd: Omit<Command, "v" | "id" | "atMs">, extra: Partial<Command> = {}): Command {
  return { v: 1, id: toHex(testCrypto().randomBytes(8)), atMs: host.clock.wallMs(), ...cmd, ...extra } as Command;
}

function seal(
  fw: ReturnType<typeof boot>["fw"],
  c: Command,
  seq: number,
  from: OwnerKeys = owner,
  topic = TOPIC,
  sign: (message: Uint8Array) => Uint8Array = from.sign,
) {
  return sealCommand({
    crypto: testCrypto(),
    ownerSecret: from.secret,
    sign,
    devicePublicKey: fw.devicePublicKey,
    deviceId: "frontdoor",
    topic,
    seq,
    command: c,
  });
}

/** Delivers a command, then lets the turn end: PUBACKs arrive on a later turn (ports.ts), so queued events go out. */
const deliver = (host: FakeHost, bytes: Uint8Array, topic = TOPIC) => {
  host.mqtt.options!.onMessage(topic, bytes);
  host.clock.advance(0);
};
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

  test("a command sealed by any X25519 key but the owner's (though signed by the owner) is refused as wrong-sender", () => {
    const { host, fw } = boot();
    deliver(host, seal(fw, command(host, { cmd: "reboot" }), 1, testOwnerKeys(), TOPIC, owner.sign));
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
});

describe("sealed commands: age, topic and config", () => {
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
          config: { deviceId: "frontdoor", keys: owner.keysConfig, button: { cooldownS: 999 } },
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
          config: { deviceId: "frontdoor", keys: owner.keysConfig, button: { cooldownS: 30 } },
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

/** RFC 9180 §9.1.1: a set-config "from the owner" made with only the device key, handing the owner key to an attacker. */
const forgedSetConfig = (host: FakeHost, fw: ReturnType<typeof boot>["fw"], deviceKey: Uint8Array) =>
  forgeOwnerEnvelope({
    crypto: testCrypto(),
    devicePrivateKey: deviceKey,
    devicePublicKey: fw.devicePublicKey,
    ownerPublicKey: owner.publicKey,
    deviceId: "frontdoor",
    topic: TOPIC,
    seq: host.clock.wallMs(),
    header: command(host, {
      cmd: "set-config",
      config: { deviceId: "frontdoor", keys: { ...owner.keysConfig, ownerPublic: testOwnerKeys().publicHex } },
    } as never),
  });

describe("signed commands (RFC 9180 §9.1.1: mode_auth alone lets the device's key impersonate the owner)", () => {
  test("KCI: a set-config forged with only the device's key, replacing keys.ownerPublic, is refused", () => {
    const deviceKey = testCrypto().randomBytes(32);
    const { host, fw } = boot(createFakeHost(), deviceKey);
    deliver(host, forgedSetConfig(host, fw, deviceKey));
    host.clock.advance(1000);
    assert.deepEqual(host.restarts, []);
    assert.equal(fw.config.current.keys.ownerPublic, owner.publicHex, "events stay sealed to the owner");
    assert.match(refusals(host)[0], /^command refused: unsigned/);
    const after = boot(createFakeHost(host.storage), deviceKey);
    assert.equal(after.fw.config.current.keys.ownerPublic, owner.publicHex, "nothing was persisted");
  });

  test("KCI: the same forgery signed with the attacker's own P-256 key is refused as bad-signature", () => {
    const deviceKey = testCrypto().randomBytes(32);
    const { host, fw } = boot(createFakeHost(), deviceKey);
    const attacker = testSigningKey(testCrypto());
    deliver(host, signCommandEnvelope(attacker.sign, "frontdoor", TOPIC, forgedSetConfig(host, fw, deviceKey)));
    host.clock.advance(1000);
    assert.deepEqual(host.restarts, []);
    assert.equal(fw.config.current.keys.ownerPublic, owner.publicHex);
    assert.match(refusals(host)[0], /^command refused: bad-signature/);
  });

  test("a command from the owner's X25519 key but signed by another P-256 key is refused", () => {
    const { host, fw } = boot();
    const other = testSigningKey(testCrypto());
    deliver(host, seal(fw, command(host, { cmd: "reboot" }), 1, owner, TOPIC, other.sign));
    host.clock.advance(1000);
    assert.deepEqual(host.restarts, []);
    assert.match(refusals(host)[0], /^command refused: bad-signature/);
  });

  test("a flipped signature bit, or the owner's signature made for another device id, is refused", () => {
    const { host, fw } = boot();
    const bytes = seal(fw, command(host, { cmd: "reboot" }), 1);
    const flipped = bytes.slice();
    flipped[flipped.length - 1] ^= 1;
    deliver(host, flipped);
    assert.match(refusals(host)[0], /bad-signature/);
    const resigned = signCommandEnvelope(owner.sign, "backdoor", TOPIC, bytes.subarray(0, bytes.length - 64));
    deliver(host, resigned);
    assert.match(refusals(host)[1], /bad-signature/, "signed for another device id");
  });
});

describe("identity changes: only set-identity, signed by the current owner key", () => {
  test("set-config cannot change an identity field, even signed by the owner; one that omits them keeps them", () => {
    const { host, fw } = boot();
    const newOwner = testOwnerKeys();
    deliver(
      host,
      seal(fw, command(host, { cmd: "set-config", config: { keys: { ownerPublic: newOwner.publicHex } } } as never), 1),
    );
    host.clock.advance(1000);
    assert.deepEqual(host.restarts, []);
    assert.equal(fw.config.current.keys.ownerPublic, owner.publicHex);
    assert.ok(
      host.lines.some((l) => /keys.ownerPublic cannot change with set-config; send a set-identity/.test(l.message)),
    );
    deliver(host, seal(fw, command(host, { cmd: "set-config", config: { button: { cooldownS: 9 } } } as never), 2));
    host.clock.advance(1000);
    assert.deepEqual(host.restarts, ["config changed"]);
    const after = boot(createFakeHost(host.storage));
    assert.equal(after.fw.config.current.button.cooldownS, 9);
    assert.deepEqual(after.fw.config.current.keys, owner.keysConfig, "the identity was kept, not reset to defaults");
  });

  test("re-key with set-identity: refused unless signed by the current key; then the new key works and the old does not", () => {
    const { host, fw } = boot();
    const next = testOwnerKeys();
    const rekey = (from: OwnerKeys, seq: number) =>
      seal(fw, command(host, { cmd: "set-identity", identity: { keys: next.keysConfig } } as never), seq, from);
    deliver(host, rekey(next, 1)); // sealed and signed by the new keys alone: not the owner
    host.clock.advance(1000);
    assert.deepEqual(host.restarts, []);
    assert.match(refusals(host)[0], /bad-signature/);
    deliver(host, rekey(owner, 2));
    host.clock.advance(1000);
    assert.deepEqual(host.restarts, ["identity changed"]);
    assert.deepEqual(fw.config.current.keys, next.keysConfig);
    const changed = host.lines.filter((l) => l.level === "warn" && l.message.startsWith("identity changed"));
    assert.equal(changed.length, 2, "both keys logged at warn");
    const crypto = testCrypto();
    assert.ok(changed[0].message.includes(keyFingerprint(crypto, owner.publicHex)));
    assert.ok(changed[0].message.includes(keyFingerprint(crypto, next.publicHex)));
    const all = host.lines.map((l) => l.message).join("\n");
    for (const hex of [owner.publicHex, next.publicHex, owner.signingPublicHex, next.signingPublicHex])
      assert.ok(!all.includes(hex), "no key bytes in the log");

    const after = boot(createFakeHost(host.storage));
    host.camera.capture(0);
    after.host.camera.capture(0);
    deliver(after.host, seal(after.fw, command(after.host, { cmd: "reboot" }), 3, owner));
    after.host.clock.advance(1000);
    assert.deepEqual(after.host.restarts, [], "the old owner key is refused after the re-key");
    assert.match(refusals(after.host)[0], /bad-signature/);
    deliver(after.host, seal(after.fw, command(after.host, { cmd: "reboot" }), 4, next));
    after.host.clock.advance(1000);
    assert.deepEqual(after.host.restarts, ["owner command"], "the new owner key works");
  });

  test("a re-key takes effect at once, before the restart: the old key's next command is refused", () => {
    const { host, fw } = boot();
    const next = testOwnerKeys();
    deliver(host, seal(fw, command(host, { cmd: "set-identity", identity: { keys: next.keysConfig } } as never), 1));
    deliver(host, seal(fw, command(host, { cmd: "reboot" }), 2, owner));
    host.clock.advance(1000);
    assert.deepEqual(host.restarts, ["identity changed"]);
    assert.match(refusals(host)[0], /bad-signature/);
  });
});

describe("a re-key and the seal's precomputed secrets (issue 17, modules/seal-ahead.ts)", () => {
  test("a re-key wipes the seal's cached DH(skS, pkR) for the old key before the restart; events go to the new key", () => {
    const host = createFakeHost();
    const crypto = countingCrypto(host.crypto);
    host.crypto = crypto;
    const { fw } = boot(host);
    host.clock.advance(10); // the idle precomputation at boot (issue 17)
    const deviceSecret = toHex(host.storage.kv.get(DEVICE_KEY_KEY)!);
    const staticDhs = (ownerHex: string) =>
      crypto.x25519Calls.filter(
        (c) => c.publicKey && toHex(c.publicKey) === ownerHex && toHex(c.secret) === deviceSecret,
      );
    const [oldStatic] = staticDhs(owner.publicHex);
    assert.ok(oldStatic.output.some((b) => b !== 0));
    const next = testOwnerKeys();
    deliver(host, seal(fw, command(host, { cmd: "set-identity", identity: { keys: next.keysConfig } } as never), 1));
    host.clock.advance(0);
    assert.deepEqual(host.restarts, [], "still before the restart");
    assert.ok(
      oldStatic.output.every((b) => b === 0),
      "zero-filled at the re-key",
    );
    assert.equal(staticDhs(next.publicHex).length, 1, "made ahead for the new key");
    host.camera.capture(host.clock.nowMs);
    const id = fw.ring.snapshotNow("command");
    const event = host.mqtt.published.filter((p) => p.topic.endsWith("/sealed/event")).at(-1)!;
    const opened = openEventForTest(next, toHex(fw.devicePublicKey), "frontdoor", event.topic, event.payload);
    assert.equal(opened.header.id, id);
    assert.throws(() => openEventForTest(owner, toHex(fw.devicePublicKey), "frontdoor", event.topic, event.payload));
  });
});

describe("command seq: no number locks the owner out", () => {
  test("seq 2^53 - 1, even signed by the owner, does not become the floor: the owner's next command still works", () => {
    const { host, fw } = boot();
    host.camera.capture(0);
    deliver(host, seal(fw, command(host, { cmd: "snapshot" }), Number.MAX_SAFE_INTEGER));
    assert.match(refusals(host)[0], /^command refused: seq-ahead: above the ceiling/);
    const aheadOfClock = host.clock.wallMs() + 301_000; // more than commands.maxAgeS ahead
    deliver(host, seal(fw, command(host, { cmd: "snapshot" }), aheadOfClock));
    assert.match(refusals(host)[1], /seq-ahead: more than commands.maxAgeS ahead/);
    deliver(host, seal(fw, command(host, { cmd: "snapshot" }), host.clock.wallMs()));
    assert.equal(snapshots(host, fw).length, 1, "the bridge's clock-based seq is accepted");
  });

  test("with the device clock unset, only the ceiling applies", () => {
    const host = createFakeHost();
    host.clock.wallOriginMs = 0; // no SNTP yet
    const { fw } = boot(host);
    host.camera.capture(0);
    deliver(host, seal(fw, command(host, { cmd: "snapshot" }), COMMAND_SEQ_CEILING + 1));
    assert.match(refusals(host)[0], /above the ceiling/);
    deliver(host, seal(fw, command(host, { cmd: "snapshot" }), COMMAND_SEQ_CEILING));
    assert.equal(snapshots(host, fw).length, 1);
  });
});

describe("command parser", () => {
  const base = { v: 1, id: "0123456789abcdef", atMs: 1 };
  test("accepts the four commands", () => {
    for (const cmd of ["snapshot", "reboot"]) assert.equal(parseCommand({ ...base, cmd }).ok, true);
    assert.equal(parseCommand({ ...base, cmd: "set-config", config: {} }).ok, true);
    assert.equal(parseCommand({ ...base, cmd: "set-identity", identity: { mqtt: { port: 8884 } } }).ok, true);
  });
  test("names what is wrong", () => {
    const cases: [unknown, RegExp][] = [
      [null, /JSON object/],
      [{ ...base, v: 2, cmd: "reboot" }, /command v/],
      [{ ...base, cmd: "format-flash" }, /expected one of snapshot, set-config, set-identity, reboot, live-view/],
      [{ ...base, cmd: "reboot", id: "xyz" }, /command id/],
      [{ ...base, cmd: "reboot", atMs: -1 }, /atMs/],
      [{ ...base, cmd: "reboot", extra: 1 }, /unknown field extra/],
      [{ ...base, cmd: "set-config", config: [1] }, /config must be a JSON object/],
      [{ ...base, cmd: "set-identity", identity: {} }, /identity names no field/],
      [
        { ...base, cmd: "set-identity", identity: { button: { cooldownS: 1 } } },
        /button.cooldownS is not an identity field/,
      ],
      [{ ...base, cmd: "set-identity", identity: { keys: { ownerSigningPublic: "" } } }, /cannot be emptied/],
    ];
    for (const [raw, pattern] of cases) {
      const r = parseCommand(raw);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.error, pattern);
    }
  });
});

describe("command parser: live-view (issue 10 point 3)", () => {
  const base = { v: 1, cmd: "live-view", id: "0123456789abcdef", atMs: 1 };
  test("start with seconds 1..300 (default 60), and stop", () => {
    const start = (live: unknown) => parseCommand({ ...base, live });
    assert.deepEqual(start({ action: "start", seconds: 1 }), {
      ok: true,
      command: { ...base, live: { action: "start", seconds: 1 } },
    });
    assert.deepEqual(start({ action: "start", seconds: 300 }).ok, true);
    assert.deepEqual(start({ action: "start" }), {
      ok: true,
      command: { ...base, live: { action: "start", seconds: 60 } },
    });
    assert.deepEqual(start({ action: "stop" }), { ok: true, command: { ...base, live: { action: "stop" } } });
  });
  test("names what is wrong: action, seconds out of range or not an integer, seconds with stop, unknown fields", () => {
    const cases: [unknown, RegExp][] = [
      [{ ...base }, /live must be a JSON object/],
      [{ ...base, live: [] }, /live must be a JSON object/],
      [{ ...base, live: { action: "pause" } }, /live.action "pause" is not accepted; expected "start" or "stop"/],
      [{ ...base, live: { seconds: 5 } }, /live.action undefined is not accepted/],
      [
        { ...base, live: { action: "start", seconds: 0 } },
        /live.seconds 0 is not accepted; expected an integer 1..300/,
      ],
      [{ ...base, live: { action: "start", seconds: 301 } }, /live.seconds 301/],
      [{ ...base, live: { action: "start", seconds: 2.5 } }, /live.seconds 2.5/],
      [{ ...base, live: { action: "start", seconds: "60" } }, /live.seconds "60"/],
      [{ ...base, live: { action: "stop", seconds: 5 } }, /live.seconds goes with start only/],
      [{ ...base, live: { action: "start", fps: 30 } }, /unknown field live.fps/],
      [{ ...base, live: { action: "start" }, extra: 1 }, /unknown field extra/],
    ];
    for (const [raw, pattern] of cases) {
      const r = parseCommand(raw);
      assert.equal(r.ok, false, JSON.stringify(raw));
      if (!r.ok) assert.match(r.error, pattern);
    }
  });
  test("a live-view command that does not parse is refused with its reason logged, and starts nothing", () => {
    const { host, fw } = boot();
    const crypto = testCrypto();
    const bytes = sealCommand({
      crypto,
      ownerSecret: owner.secret,
      sign: owner.sign,
      devicePublicKey: fw.devicePublicKey,
      deviceId: "frontdoor",
      topic: TOPIC,
      seq: 7,
      command: { ...base, atMs: host.clock.wallMs(), live: { action: "start", seconds: 9999 } } as unknown as Command,
    });
    host.mqtt.options!.onMessage(TOPIC, bytes);
    assert.equal(fw.video.live.running, false);
    assert.ok(host.lines.some((l) => l.message.startsWith("command refused: command live-view: live.seconds 9999")));
  });
});

describe("sync: the device's delivery floor for a bridge that lost its state (issue 17 point 2)", () => {
  const events = (host: FakeHost, fw: ReturnType<typeof boot>["fw"]) =>
    host.mqtt.published
      .filter((p) => p.topic.endsWith("/sealed/event"))
      .map((p) => openEventForTest(owner, toHex(fw.devicePublicKey), "frontdoor", p.topic, p.payload).header);

  test("with outbox.confirm, every event carries the resync mark and a sync command is answered at once", () => {
    const { host, fw } = boot(createFakeHost(), undefined, { outbox: { confirm: true } });
    host.clock.advance(1000);
    host.camera.capture(1000);
    deliver(host, seal(fw, command(host, { cmd: "snapshot" }), 1));
    const queued = events(host, fw);
    assert.ok(queued.length >= 1 && queued.every((h) => h.resync === true), "the resync mark on every event");
    const waiting = fw.delivery.stats.queued;
    assert.ok(waiting >= 1, "kept: no bridge confirmed them");
    const ask = command(host, { cmd: "sync" });
    deliver(host, seal(fw, ask, 2));
    const answers = events(host, fw).filter((h) => h.type === "sync");
    assert.equal(answers.length, 1, "answered outside the outbox, while its events wait for their confirmations");
    const [answer] = answers;
    assert.equal(answer.of, ask.id);
    const lowest = Math.min(...queued.map((h) => h.seq));
    assert.equal(answer.done, lowest - 1, "the floor: everything below the oldest event still queued");
    assert.ok(answer.seq > Math.max(...queued.map((h) => h.seq)), "a fresh sequence number");
    assert.equal(fw.delivery.stats.queued, waiting, "the answer is not queued");
  });

  test("without outbox.confirm, sync is refused with its reason, nothing is sent, and events carry no mark", () => {
    const { host, fw } = boot();
    deliver(host, seal(fw, command(host, { cmd: "sync" }), 1));
    assert.ok(
      host.lines.some((l) => l.message === "command refused: sync: delivery confirmations are off (outbox.confirm)"),
    );
    const sent = events(host, fw);
    assert.equal(sent.filter((h) => h.type === "sync").length, 0);
    assert.ok(sent.every((h) => h.resync === undefined));
  });

  test("command parser: sync takes no body", () => {
    const base = { v: 1, cmd: "sync", id: "0123456789abcdef", atMs: 1 };
    assert.deepEqual(parseCommand(base), { ok: true, command: base });
    const r = parseCommand({ ...base, done: 5 });
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error, /command sync: unknown field done/);
  });
});
