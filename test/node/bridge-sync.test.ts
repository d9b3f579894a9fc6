// SPDX-License-Identifier: MIT
// The bridge's recovery of a device's replay floor (bridge/device-sync.ts, docs/delivery.md "A bridge that lost its
// state"), with a real state store on disk and hand-driven timers: which events are held, when the device is asked,
// which answers count, and what the answer changes. Through Mosquitto and the firmware: broker-restore.test.ts.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import type { OwnerCommand } from "../../bridge/command-sender.js";
import { createDeviceStateStore, type DeviceStateStore } from "../../bridge/device-state.js";
import {
  createDeviceSync,
  type DeviceSync,
  type HeldEnvelope,
  SYNC_REASK_MS,
  SYNC_RETRY_MS,
} from "../../bridge/device-sync.js";
import { serveDevice, type ServedDevice } from "../../bridge/served-device.js";
import { createLogger } from "../../modules/logger.js";

const TOPIC = "doorbell/frontdoor/sealed/event";

interface Rig {
  sync: DeviceSync;
  state: DeviceStateStore;
  served: ServedDevice;
  asked: { id: string; command: OwnerCommand }[];
  released: HeldEnvelope[][];
  lines: string[];
  /** Runs the timers due within `ms` from now. */
  advance(ms: number): void;
}

let dir: string;
let rig: Rig;

function makeRig(): Rig {
  const state = createDeviceStateStore(join(dir, "state"));
  const served = serveDevice({
    id: "frontdoor",
    name: "Front door",
    topicRoot: "doorbell",
    publicKey: new Uint8Array(32).fill(9),
  } as Parameters<typeof serveDevice>[0]);
  const asked: Rig["asked"] = [];
  const released: HeldEnvelope[][] = [];
  const lines: string[] = [];
  let nowMs = 0;
  let timers: { at: number; run: () => void; live: boolean }[] = [];
  let n = 0;
  const sync = createDeviceSync({
    publish: (_s, command) => {
      const id = `c${++n}`.padEnd(16, "0");
      asked.push({ id, command });
      return { id, seq: n };
    },
    state,
    log: createLogger({ write: (level, tag, message) => void lines.push(`${level} ${tag} ${message}`) }, "bridge"),
    release: (_s, held) => void released.push(held),
    timers: {
      set: (run, ms) => {
        const t = { at: nowMs + ms, run, live: true };
        timers.push(t);
        return t;
      },
      clear: (t) => void ((t as { live: boolean }).live = false),
    },
    now: () => nowMs,
  });
  return {
    sync,
    state,
    served,
    asked,
    released,
    lines,
    advance(ms) {
      const end = nowMs + ms;
      for (let i = 0; i < 100; i++) {
        const due = timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        nowMs = due.at;
        due.live = false;
        due.run();
      }
      timers = timers.filter((t) => t.live);
      nowMs = end;
    },
  };
}

const env = (b: number): HeldEnvelope => ({ topic: TOPIC, bytes: new Uint8Array([b]) });
const marked = (seq: number) => ({ v: 1, type: "ring", id: `r${seq}`, seq, resync: true });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "doorbell-sync-"));
  rig = makeRig();
});
afterEach(() => {
  rig.sync.close();
  rig.state.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("bridge device sync: the replay floor comes from the device after a start", () => {
  test("an event without the resync mark (outbox.confirm off) is delivered at once, and nothing is asked", () => {
    assert.equal(rig.sync.check(rig.served, { type: "ring", seq: 5 }, env(1)), "deliver");
    assert.deepEqual(rig.asked, []);
  });

  test("a marked event is held and the device asked; the answer raises the floor durably and hands back the held, in order", () => {
    assert.equal(rig.sync.check(rig.served, marked(10), env(1)), "held");
    assert.deepEqual(
      rig.asked.map((a) => a.command),
      [{ cmd: "sync" }],
    );
    assert.equal(rig.sync.check(rig.served, marked(11), env(2)), "held");
    assert.equal(rig.asked.length, 1, "a second event at once does not ask again");
    const answer = { type: "sync", of: rig.asked[0].id, done: 12 };
    assert.equal(rig.sync.check(rig.served, answer, env(3)), "answer");
    assert.equal(rig.sync.synced("frontdoor"), true);
    assert.deepEqual(
      rig.released.map((h) => h.map((e) => e.bytes[0])),
      [[1, 2]],
    );
    rig.state.close();
    assert.equal(createDeviceStateStore(join(dir, "state")).get("frontdoor").lastEventSeq, 12, "durable");
    assert.equal(rig.sync.check(rig.served, marked(13), env(4)), "deliver");
  });

  test("an answer never lowers the floor the bridge has", () => {
    rig.state.update("frontdoor", (s) => void (s.lastEventSeq = 40));
    rig.sync.check(rig.served, marked(41), env(1));
    rig.sync.check(rig.served, { type: "sync", of: rig.asked[0].id, done: 7 }, env(2));
    assert.equal(rig.state.get("frontdoor").lastEventSeq, 40);
  });

  test("an answer to no question of this process, a repeated one, or one without a floor changes nothing", () => {
    rig.sync.check(rig.served, marked(10), env(1));
    assert.equal(rig.sync.check(rig.served, { type: "sync", of: "0123456789abcdef", done: 99 }, env(2)), "answer");
    assert.equal(rig.sync.check(rig.served, { type: "sync", of: rig.asked[0].id }, env(3)), "answer");
    assert.equal(rig.sync.synced("frontdoor"), false);
    assert.equal(rig.state.get("frontdoor").lastEventSeq, undefined);
    assert.deepEqual(rig.released, []);
    assert.ok(rig.lines.some((l) => l.includes("sync answer ignored: not the one asked for")));
    assert.ok(rig.lines.some((l) => l.includes("sync answer ignored: no valid floor")));
    rig.sync.check(rig.served, { type: "sync", of: rig.asked[0].id, done: 9 }, env(4));
    assert.equal(rig.sync.synced("frontdoor"), true);
    // Replayed later, an answer is still never delivered, and changes nothing.
    assert.equal(rig.sync.check(rig.served, { type: "sync", of: rig.asked[0].id, done: 50 }, env(5)), "answer");
    assert.equal(rig.state.get("frontdoor").lastEventSeq, 9);
  });

  test("unanswered, the bridge asks again with a doubling wait; a held event a while later asks at once", () => {
    rig.sync.check(rig.served, marked(10), env(1));
    rig.advance(SYNC_RETRY_MS - 1);
    assert.equal(rig.asked.length, 1);
    rig.advance(1);
    assert.equal(rig.asked.length, 2);
    rig.advance(SYNC_RETRY_MS * 2);
    assert.equal(rig.asked.length, 3);
    rig.advance(SYNC_REASK_MS);
    rig.sync.check(rig.served, marked(10), env(2));
    assert.equal(rig.asked.length, 4, "the device is sending: asked at once");
    // An answer to any of the recent questions counts.
    rig.sync.check(rig.served, { type: "sync", of: rig.asked[2].id, done: 9 }, env(3));
    assert.equal(rig.sync.synced("frontdoor"), true);
    rig.advance(SYNC_RETRY_MS * 100);
    assert.equal(rig.asked.length, 4, "no question after the answer");
  });

  test("at most 64 envelopes are held per device; beyond, the oldest goes (the device sends it again)", () => {
    for (let i = 0; i < 70; i++) rig.sync.check(rig.served, marked(10 + i), env(i));
    rig.sync.check(rig.served, { type: "sync", of: rig.asked[0].id, done: 9 }, env(99));
    assert.equal(rig.released[0].length, 64);
    assert.equal(rig.released[0][0].bytes[0], 6);
  });
});
