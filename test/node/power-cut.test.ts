// SPDX-License-Identifier: MIT
// Power cut at 1,000 seeded points during outbox and storage writes, with torn writes (truncated,
// erased tail, noise): on reboot the outbox opens, the owner opens every envelope ever published, each
// event reaches the owner's side once and in order, and at most the event being written is lost. And a
// cut that tears the write of the last accepted command seq never lets a recorded command run again.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { toHex } from "../../modules/bytes.js";
import { openEnvelope } from "../../modules/envelope/open-envelope.js";
import type { CryptoPort } from "../../modules/ports.js";
import { sealCommand, type Command } from "../../modules/commands.js";
import { startFirmware } from "../../modules/firmware.js";
import { decodeOutboxRecord, recordChecksum } from "../../modules/outbox-record.js";
import { createFakeHost, type FakeHost } from "../support/fake-host.js";
import { testOwnerKeys } from "../support/owner.js";
import { testCrypto } from "../support/test-crypto.js";
import { seededRandom } from "../support/seeded-random.js";
import { createTornStorage, PowerCut, PowerRail, type CutReport } from "../support/torn-storage.js";

const TOPIC = "doorbell/frontdoor/sealed/event";
const CMD_TOPIC = "doorbell/frontdoor/sealed/cmd";
const TRIALS = 1000;
/** Scripts of steps; each is cut at TRIALS / SCRIPTS seeded points. */
const SCRIPTS = 50;
const STEPS = 12;

const owner = testOwnerKeys();
const deviceKey = testCrypto().randomBytes(32);
const devicePublicKey = testCrypto().x25519(deviceKey);

/**
 * node:crypto with seeded random bytes and X25519 results remembered (a pure function), so the many
 * cuts of one script repeat the same seals instead of paying for them again.
 */
const memo = new Map<string, Uint8Array>();
function seededCrypto(seed: number): CryptoPort {
  const base = testCrypto();
  const random = seededRandom(seed);
  return {
    ...base,
    randomBytes: (length) => Uint8Array.from({ length }, () => Math.floor(random() * 256)),
    x25519(secret, publicKey) {
      const key = toHex(secret) + (publicKey ? toHex(publicKey) : "");
      let out = memo.get(key);
      if (!out) memo.set(key, (out = base.x25519(secret, publicKey)));
      return out.slice();
    },
  };
}
const crypto = testCrypto();
/** A fake host on `storage` whose randomness is seeded by `seed` (the same script draws the same keys and ids). */
function hostOn(storage: ReturnType<typeof createTornStorage>, seed: number): FakeHost {
  return Object.assign(createFakeHost(storage), { crypto: seededCrypto(seed) });
}
/** Opens an event as the bridge does (RFC 9180 mode_auth: it proves the sender), or throws why not. */
const opened = new Map<string, { seq: number; id: string }>();
function openEvent(payload: Uint8Array): { seq: number; id: string } {
  const key = toHex(payload);
  const known = opened.get(key);
  if (known) return known;
  const r = openEnvelope({
    crypto,
    recipientPrivateKey: owner.secret,
    recipientPublicKey: owner.publicKey,
    senderPublicKey: devicePublicKey,
    deviceId: "frontdoor",
    topic: TOPIC,
    bytes: payload,
  });
  if (!r.ok) throw new Error(`envelope rejected: ${r.reason}`);
  const header = r.header as unknown as { seq: number; id: string };
  opened.set(key, header);
  return header;
}

// A small sequence block so the reservation in the key-value store is written often, and cut too.
const config = {
  deviceId: "frontdoor",
  keys: { ownerPublic: owner.publicHex },
  status: { intervalS: 0 },
  seq: { blockSize: 3 },
  button: { cooldownS: 0 },
};

type Step = "press" | "wait" | "ack" | "ack-all" | "drop";
function script(seed: number): Step[] {
  const random = seededRandom(seed);
  const kinds: Step[] = ["press", "press", "wait", "ack", "ack", "ack-all", "drop"];
  return Array.from({ length: STEPS }, () => kinds[Math.floor(random() * kinds.length)]);
}

/** Runs the first boot's script until it ends or the power fails; returns what reached the broker before the cut. */
function firstBoot(host: FakeHost, rail: PowerRail, steps: Step[]): { published: Uint8Array[] } {
  const sent = () => host.mqtt.published.filter((p) => p.topic === TOPIC);
  let publishedAtCut: number | undefined;
  rail.onCut = () => {
    publishedAtCut = sent().length;
    host.mqtt.connected = false; // the radio dies with the power: nothing after this reaches the broker
  };
  host.mqtt.autoAck = false;
  let acked = 0;
  try {
    startFirmware(host, { firmwareVersion: "test", config, deviceKey });
    host.mqtt.accept();
    for (const step of steps) {
      if (rail.off) break;
      switch (step) {
        case "press":
          host.button.edge(1, host.clock.nowMs);
          host.clock.advance(120);
          host.button.edge(0, host.clock.nowMs);
          host.clock.advance(100);
          break;
        case "wait":
          host.clock.advance(1500); // the follow-up snapshot is taken
          break;
        case "ack":
          if (acked < host.mqtt.published.length) host.mqtt.published[acked++].ack?.();
          break;
        case "ack-all":
          while (acked < host.mqtt.published.length) host.mqtt.published[acked++].ack?.();
          break;
        case "drop":
          if (host.mqtt.connected) host.mqtt.drop("partition");
          host.clock.advance(70_000); // past the longest backoff
          if (!rail.off && !host.mqtt.connected) host.mqtt.accept();
          acked = host.mqtt.published.length; // the old session's PUBACKs never come
          break;
      }
    }
  } catch (error) {
    if (!(error instanceof PowerCut)) throw error;
  }
  const all = sent().map((p) => p.payload);
  return { published: all.slice(0, publishedAtCut ?? all.length) };
}

/**
 * The owner's side, as the bridge does it: open each, accept only a newer seq (RFC 9180 mode_auth proves the
 * sender; the seq refuses replays), so Home Assistant sees each event once, in order. Accepted seq to id.
 */
function ownerAccepts(published: Uint8Array[], trial: number): Map<number, string> {
  let last = 0;
  const accepted = new Map<number, string>();
  for (const payload of published) {
    const header = openEvent(payload); // throws on any corrupt envelope
    if (header.seq > last) {
      last = header.seq;
      accepted.set(header.seq, header.id);
    } else {
      assert.equal(
        accepted.get(header.seq),
        header.id,
        `trial ${trial}: seq ${header.seq} refused as old, and it is not a copy of an accepted event: a real event would be lost`,
      );
    }
  }
  return accepted;
}

/**
 * Every record written whole before the cut reached the owner, and nothing else but the one being written;
 * returns whether that one (if the cut was an append) was lost.
 */
function checkOnlyTheCutEventLost(
  storage: ReturnType<typeof createTornStorage>,
  cut: CutReport,
  accepted: Map<number, string>,
  trial: number,
): boolean {
  const written = [...storage.log.whole.values()].map(
    (bytes) => decodeOutboxRecord(bytes, recordChecksum(testCrypto()))!.seq,
  );
  for (const seq of written)
    assert.ok(
      accepted.has(seq),
      `trial ${trial}: event seq ${seq} was stored whole but never delivered (cut: ${JSON.stringify({ ...cut, bytes: undefined })})`,
    );
  const cutEvent = cut.op === "append" ? decodeOutboxRecord(cut.bytes!, recordChecksum(testCrypto()))!.seq : undefined;
  for (const seq of accepted.keys()) {
    if (seq <= Math.max(0, ...written, cutEvent ?? 0))
      assert.ok(written.includes(seq) || seq === cutEvent, `trial ${trial}: seq ${seq} came from nowhere`);
  }
  return cutEvent !== undefined && !accepted.has(cutEvent);
}

/** The cuts covered what they should: every kind of write and tear. */
function assertEveryKindOfCut(cuts: CutReport[]): void {
  const seen = new Set(cuts.map((c) => `${c.op}/${c.kind}`));
  for (const kind of [
    "append/truncated",
    "append/erased-tail",
    "append/noise-tail",
    "append/complete",
    "remove/done",
    "remove/not-done",
    "kv.set/truncated",
    "kv.set/noise-tail",
  ]) {
    assert.ok(seen.has(kind), `no cut of kind ${kind} among ${[...seen].join(", ")}`);
  }
}

/** One trial: the script cut at a seeded write, then the next boot on the same flash; what the broker got. */
function cutAndReboot(trial: number, scriptSeed: number, steps: Step[], writes: number) {
  const pick = seededRandom(0x5eed0000 + trial);
  const rail = new PowerRail(1 + Math.floor(pick() * writes), pick);
  const storage = createTornStorage(rail);
  const before = firstBoot(hostOn(storage, scriptSeed), rail, steps);
  assert.ok(rail.cut, `trial ${trial}: the cut at write ${rail.cutAtWrite} of ${writes} happened`);

  // Next boot on the same flash: the outbox must open, and everything left in it go out.
  rail.restore();
  const after = hostOn(storage, 1_000_000 + trial);
  startFirmware(after, { firmwareVersion: "test", config, deviceKey });
  after.mqtt.accept();
  after.clock.advance(5000);
  const published = [
    ...before.published,
    ...after.mqtt.published.filter((p) => p.topic === TOPIC).map((p) => p.payload),
  ];
  const tornRecordsRemoved = after.lines.filter((l) => l.message.startsWith("outbox record torn")).length;
  return { cut: rail.cut, storage, published, tornRecordsRemoved };
}

describe("power cut with torn writes", () => {
  const name =
    `${TRIALS.toLocaleString("en")} seeded cut points during outbox and storage writes: ` +
    "nothing corrupt published, at most the event being written lost";
  test(name, () => {
    const cuts: CutReport[] = [];
    let tornRecordsRemoved = 0;
    let lostEvents = 0;
    let steps: Step[] = [];
    const dry = new PowerRail();
    for (let trial = 0; trial < TRIALS; trial++) {
      const scriptSeed = 1 + Math.floor(trial / (TRIALS / SCRIPTS));
      if (trial % (TRIALS / SCRIPTS) === 0) {
        memo.clear();
        opened.clear();
        steps = script(scriptSeed);
        // A dry run counts the writes this script makes, so each cut lands on one of them.
        dry.writes = 0;
        firstBoot(hostOn(createTornStorage(dry), scriptSeed), dry, steps);
      }
      const run = cutAndReboot(trial, scriptSeed, steps, dry.writes);
      cuts.push(run.cut);
      tornRecordsRemoved += run.tornRecordsRemoved;
      const accepted = ownerAccepts(run.published, trial);
      if (checkOnlyTheCutEventLost(run.storage, run.cut, accepted, trial)) lostEvents++;
    }
    // Every kind of write and tear was cut, and torn records were met and refused.
    assertEveryKindOfCut(cuts);
    assert.ok(tornRecordsRemoved > 100, `torn outbox records met at boot: ${tornRecordsRemoved}`);
    assert.ok(lostEvents > 0, "some cuts do take the event being written");
  });
});

describe("power cut with torn writes: the last accepted command seq", () => {
  test("a power cut tearing the write of a command's seq: after the reboot an older recorded command is still refused as replayed", () => {
    const owner = testOwnerKeys();
    const config = { deviceId: "frontdoor", keys: owner.keysConfig };
    const kinds = new Set<string>();
    for (let trial = 0; trial < 24; trial++) {
      const rail = new PowerRail(Infinity, seededRandom(trial + 1));
      const storage = createTornStorage(rail);
      const deviceKey = testCrypto().randomBytes(32);
      const boot = (host: FakeHost) => {
        const fw = startFirmware(host, { firmwareVersion: "test", config, deviceKey });
        host.mqtt.accept();
        return fw;
      };
      const before = createFakeHost(storage);
      const fw = boot(before);
      const seal = (seq: number) =>
        sealCommand({
          crypto: testCrypto(),
          ownerSecret: owner.secret,
          sign: owner.sign,
          devicePublicKey: fw.devicePublicKey,
          deviceId: "frontdoor",
          topic: CMD_TOPIC,
          seq,
          command: {
            v: 1,
            cmd: "snapshot",
            id: toHex(testCrypto().randomBytes(8)),
            atMs: before.clock.wallMs(),
          } as Command,
        });
      const old = seal(5);
      const next = seal(6);
      before.mqtt.options!.onMessage(CMD_TOPIC, old);
      rail.cutAtWrite = rail.writes + 1; // the next write is command 6's seq, persisted before it acts
      assert.throws(() => before.mqtt.options!.onMessage(CMD_TOPIC, next), PowerCut);
      assert.equal(rail.cut?.op, "kv.set");
      kinds.add(rail.cut!.kind);

      rail.restore();
      const after = createFakeHost(storage);
      boot(after);
      const said = () => after.lines.filter((l) => l.tag === "command").map((l) => l.message);
      after.mqtt.options!.onMessage(CMD_TOPIC, old);
      assert.ok(
        said().at(-1)!.startsWith("command refused: replayed"),
        `trial ${trial} (${rail.cut!.kind}): the recorded command 5 is refused, not run again`,
      );
      after.mqtt.options!.onMessage(CMD_TOPIC, next); // the broker redelivers 6: it never ran, so it may run now, once
      const redelivered = said().at(-1)!;
      if (rail.cut!.kind === "complete")
        assert.ok(redelivered.startsWith("command refused: replayed"), "stored whole: it counts as accepted");
      else assert.ok(redelivered.startsWith("command accepted"), `trial ${trial} (${rail.cut!.kind}): ${redelivered}`);
      after.mqtt.options!.onMessage(CMD_TOPIC, next);
      assert.ok(said().at(-1)!.startsWith("command refused: replayed"), "and never twice");
    }
    assert.ok(kinds.has("truncated") && kinds.has("erased-tail") && kinds.has("noise-tail"), [...kinds].join(","));
  });
});
