// SPDX-License-Identifier: MIT
// No X25519 at ring time (modules/seal-ahead.ts, modules/sealer.ts): the crypto calls a seal makes with and
// without a precomputed encapsulation, the envelope still opening with the unchanged opener, and the secrets
// made ahead being used once and zero-filled (after use, after a failed seal, on a re-key and on close).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { toHex } from "../../modules/bytes.js";
import { openEnvelope } from "../../modules/envelope/open-envelope.js";
import { OFFSET } from "../../modules/envelope/layout.js";
import type { EventHeader } from "../../modules/events.js";
import { type Encapsulation, encap } from "../../modules/hpke/dhkem-x25519.js";
import { createLogger } from "../../modules/logger.js";
import { createSealAhead } from "../../modules/seal-ahead.js";
import { createEventSealer } from "../../modules/sealer.js";
import { countingCrypto, type CountingCrypto } from "../support/counting-crypto.js";
import { FakeClock } from "../support/fake-clock.js";
import { testOwnerKeys, type OwnerKeys } from "../support/owner.js";
import { testCrypto } from "../support/test-crypto.js";

const TOPIC = "doorbell/frontdoor/sealed/event";
const isZero = (bytes: Uint8Array) => bytes.every((b) => b === 0);

function header(seq: number): EventHeader {
  return { v: 1, type: "ring", id: `ring-${seq}`, seq, device: "frontdoor", atMs: 1_790_000_000_000, frameAgeMs: 40 };
}

function jpeg(bytes = 2048): Uint8Array {
  const out = new Uint8Array(bytes).map((_, i) => (i * 7) & 255);
  out.set([0xff, 0xd8]);
  out.set([0xff, 0xd9], bytes - 2);
  return out;
}

/** A sealer on a counting crypto port and a fake clock, sealing to `owner()`'s key; every encapsulation handed out is kept. */
function rig(owner: () => OwnerKeys, timers = true) {
  const crypto = countingCrypto(testCrypto());
  const clock = new FakeClock();
  const secret = testCrypto().randomBytes(32);
  const deviceKey = { secret, publicKey: testCrypto().x25519(secret) };
  const lines: string[] = [];
  const log = createLogger({ write: (_level, tag, message) => void lines.push(`${tag} ${message}`) }, "seal");
  const config = { deviceId: "frontdoor", keys: { ownerPublic: owner().publicHex } } as never;
  const sealer = createEventSealer({
    crypto,
    deviceKey,
    config,
    topic: TOPIC,
    log,
    timers: timers ? clock : undefined,
    ownerPublicHex: () => owner().publicHex,
  });
  const handed: { encapsulation: Encapsulation; secretWas: string }[] = [];
  if (sealer.ahead) {
    const take = sealer.ahead.take;
    sealer.ahead.take = (key) => {
      const encapsulation = take(key);
      handed.push({ encapsulation, secretWas: toHex(encapsulation.sharedSecret) });
      return encapsulation;
    };
  }
  const open = (bytes: Uint8Array, to: OwnerKeys = owner()) =>
    openEnvelope({
      crypto: testCrypto(),
      recipientPrivateKey: to.secret,
      recipientPublicKey: to.publicKey,
      senderPublicKey: deviceKey.publicKey,
      deviceId: "frontdoor",
      topic: TOPIC,
      bytes,
    });
  return { crypto, clock, deviceKey, sealer, handed, open, lines };
}

/** The sealer's X25519 work as `rig` sees it: the static DH is the one with the device secret and the owner key. */
function staticDhCalls(crypto: CountingCrypto, deviceSecret: Uint8Array) {
  return crypto.x25519Calls.filter((c) => c.publicKey && c.secret === deviceSecret);
}

describe("sealing a ring with the KEM made ahead (issue 17, RFC 9180 §4.1 AuthEncap)", () => {
  test("with a precomputed encapsulation ready, a ring's seal makes no X25519; the owner opens it", () => {
    const owner = testOwnerKeys();
    const { crypto, clock, sealer, open } = rig(() => owner);
    assert.equal(sealer.ahead?.ready, false, "nothing is computed on the boot's own path");
    clock.advance(0); // the idle run scheduled at start
    assert.equal(sealer.ahead?.ready, true);
    crypto.reset();
    const sealed = sealer(header(1), jpeg());
    assert.ok(sealed);
    assert.equal(crypto.counts.x25519, 0, "no scalar multiplication at ring time");
    assert.equal(crypto.counts.randomBytes, 0);
    assert.equal(crypto.counts.chacha20Poly1305Seal, 1);
    assert.equal(crypto.counts.hmacSha256, 8, "key id, topic tag and the RFC 9180 §5.1 key schedule only");
    const opened = open(sealed);
    assert.ok(opened.ok, opened.ok ? "" : opened.reason);
    assert.equal(opened.header.id, "ring-1");
    assert.deepEqual(sealer.ahead?.stats, { precomputed: 1, taken: 1, fallbacks: 0, rekeys: 0 });
  });

  test("the idle run after a seal makes the next one: 2 X25519, the static DH(skS, pkR) staying cached", () => {
    const owner = testOwnerKeys();
    const { crypto, clock, deviceKey, sealer } = rig(() => owner);
    clock.advance(0);
    assert.equal(staticDhCalls(crypto, deviceKey.secret).length, 1);
    assert.ok(sealer(header(1), jpeg()));
    crypto.reset();
    clock.advance(0);
    assert.equal(crypto.counts.x25519, 2, "the ephemeral key and DH(skE, pkR)");
    assert.equal(staticDhCalls(crypto, deviceKey.secret).length, 0);
    crypto.reset();
    assert.ok(sealer(header(2), jpeg()));
    assert.equal(crypto.counts.x25519, 0);
  });

  test("a ring before the idle run falls back to making its own: 3 X25519 cold, 2 with the static DH cached", () => {
    const owner = testOwnerKeys();
    const { crypto, clock, sealer, open } = rig(() => owner);
    crypto.reset();
    const first = sealer(header(1), jpeg());
    assert.ok(first && open(first).ok);
    assert.equal(crypto.counts.x25519, 3, "ephemeral key, DH(skE, pkR), DH(skS, pkR)");
    crypto.reset();
    const second = sealer(header(2), jpeg());
    assert.ok(second && open(second).ok);
    assert.equal(crypto.counts.x25519, 2, "ephemeral key, DH(skE, pkR)");
    assert.deepEqual(sealer.ahead?.stats, { precomputed: 0, taken: 0, fallbacks: 2, rekeys: 0 });
    clock.advance(0);
    crypto.reset();
    assert.ok(sealer(header(3), jpeg()));
    assert.equal(crypto.counts.x25519, 0);
    assert.equal(sealer.ahead?.stats.taken, 1);
  });

  test("without the timers port every seal makes its own KEM, as before, and opens", () => {
    const owner = testOwnerKeys();
    const { crypto, sealer, open } = rig(() => owner, false);
    assert.equal(sealer.ahead, undefined);
    crypto.reset();
    const sealed = sealer(header(1), jpeg());
    assert.ok(sealed && open(sealed).ok);
    assert.equal(crypto.counts.x25519, 3);
  });
});

describe("secrets made ahead are used once and wiped (docs/security.md)", () => {
  test("after a seal its encapsulation is no longer held and its shared secret is zero-filled", () => {
    const owner = testOwnerKeys();
    const { clock, sealer, handed } = rig(() => owner);
    clock.advance(0);
    assert.ok(sealer(header(1), jpeg()));
    assert.equal(handed.length, 1);
    assert.notEqual(handed[0].secretWas, "00".repeat(32), "it held a secret when taken");
    assert.ok(isZero(handed[0].encapsulation.sharedSecret), "shared secret zero-filled after the seal");
    assert.equal(sealer.ahead?.ready, false, "no reference kept until the next idle run");
  });

  test("the ephemeral private key and DH(skE, pkR) are zero-filled as soon as the precomputation ends", () => {
    const owner = testOwnerKeys();
    const { crypto, clock, deviceKey } = rig(() => owner);
    crypto.reset();
    clock.advance(0);
    const keyGeneration = crypto.x25519Calls.filter((c) => !c.publicKey);
    const ephemeralDh = crypto.x25519Calls.filter((c) => c.publicKey && c.secret !== deviceKey.secret);
    assert.equal(keyGeneration.length, 1);
    assert.equal(ephemeralDh.length, 1);
    assert.ok(isZero(keyGeneration[0].secret), "skE");
    assert.ok(isZero(ephemeralDh[0].output), "DH(skE, pkR)");
    assert.ok(!isZero(keyGeneration[0].output), "the public enc stays");
  });

  test("two seals never share an ephemeral key, even across a failed seal", () => {
    const owner = testOwnerKeys();
    const { crypto, clock, sealer, handed, open } = rig(() => owner);
    clock.advance(0);
    const envelopes: Uint8Array[] = [];
    envelopes.push(sealer(header(1), jpeg())!);
    clock.advance(0);
    crypto.failNextAeadSeal(new Error("AEAD fault"));
    envelopes.push(sealer(header(2), jpeg())!); // the first try fails after taking; the retry (no snapshot) succeeds
    assert.equal(handed.length, 3);
    assert.ok(isZero(handed[1].encapsulation.sharedSecret), "the failed seal's secret is wiped too");
    clock.advance(0);
    envelopes.push(sealer(header(3), jpeg())!);
    for (const e of envelopes) assert.ok(open(e).ok);
    const encs = handed.map((h) => toHex(h.encapsulation.enc));
    assert.equal(new Set(encs).size, encs.length, "every encapsulation handed out is distinct");
    const wire = envelopes.map((e) => toHex(e.subarray(OFFSET.enc, OFFSET.enc + 32)));
    assert.deepEqual(wire, [encs[0], encs[2], encs[3]]);
  });

  test("a new owner key (set-identity) wipes what was made for the old one; the next seal opens with the new", () => {
    const owners = [testOwnerKeys(), testOwnerKeys()];
    let current = owners[0];
    const { crypto, clock, deviceKey, sealer, handed, open } = rig(() => current);
    clock.advance(0);
    const oldStaticDh = staticDhCalls(crypto, deviceKey.secret)[0].output;
    assert.ok(!isZero(oldStaticDh));
    current = owners[1];
    sealer.ahead?.precompute(); // what the firmware schedules after a set-identity
    assert.ok(isZero(oldStaticDh), "the cached DH(skS, pkR_old) is zero-filled");
    assert.equal(sealer.ahead?.stats.rekeys, 1);
    crypto.reset();
    const sealed = sealer(header(1), jpeg())!;
    assert.equal(crypto.counts.x25519, 0, "already made for the new key");
    assert.ok(open(sealed, owners[1]).ok);
    assert.equal(open(sealed, owners[0]).ok, false);
    assert.equal(handed.length, 1);
  });

  test("a re-key between idle runs is followed at the seal itself, never sealing with the old key's secret", () => {
    const owners = [testOwnerKeys(), testOwnerKeys()];
    let current = owners[0];
    const { crypto, clock, sealer, open } = rig(() => current);
    assert.ok(sealer.ahead);
    clock.advance(0);
    assert.equal(sealer.ahead.ready, true);
    current = owners[1];
    crypto.reset();
    const sealed = sealer(header(1), jpeg())!;
    assert.equal(crypto.counts.x25519, 3, "a fallback for the new key: the old one is not used");
    assert.ok(open(sealed, owners[1]).ok);
    assert.equal(sealer.ahead.stats.rekeys, 1);
  });
});

describe("seal-ahead's own state (modules/seal-ahead.ts)", () => {
  test("close cancels the idle run and zero-fills the cached static DH and the ready encapsulation", () => {
    const owner = testOwnerKeys();
    const made: Encapsulation[] = [];
    const crypto = countingCrypto(testCrypto());
    const clock = new FakeClock();
    const secret = testCrypto().randomBytes(32);
    const ahead = createSealAhead({
      crypto,
      timers: clock,
      sender: { privateKey: secret, publicKey: testCrypto().x25519(secret) },
      recipientPublicKey: () => owner.publicKey,
      log: createLogger({ write: () => undefined }, "seal"),
      encap: (...args) => {
        const e = encap(...args);
        made.push(e);
        return e;
      },
    });
    ahead.soon();
    clock.advance(0);
    assert.equal(made.length, 1);
    assert.ok(!isZero(made[0].sharedSecret));
    const cachedDh = crypto.x25519Calls.filter((c) => c.secret === secret)[0].output;
    ahead.soon();
    ahead.close();
    assert.ok(isZero(made[0].sharedSecret), "ready shared secret wiped");
    assert.ok(isZero(cachedDh), "cached static DH wiped");
    assert.equal(ahead.ready, false);
    clock.advance(1000);
    assert.equal(made.length, 1, "no idle run after close");
  });

  test("a ready encapsulation made for an old owner key is wiped at the re-key, never handed out", () => {
    const owners = [testOwnerKeys(), testOwnerKeys()];
    let current = owners[0];
    const made: Encapsulation[] = [];
    const clock = new FakeClock();
    const secret = testCrypto().randomBytes(32);
    const ahead = createSealAhead({
      crypto: testCrypto(),
      timers: clock,
      sender: { privateKey: secret, publicKey: testCrypto().x25519(secret) },
      recipientPublicKey: () => current.publicKey,
      log: createLogger({ write: () => undefined }, "seal"),
      encap: (...args) => {
        const e = encap(...args);
        made.push(e);
        return e;
      },
    });
    ahead.precompute();
    current = owners[1];
    const taken = ahead.take(owners[1].publicKey);
    assert.equal(made.length, 2);
    assert.ok(isZero(made[0].sharedSecret), "the old key's encapsulation is zero-filled");
    assert.equal(taken, made[1]);
    assert.notEqual(toHex(taken.enc), toHex(made[0].enc));
  });
});
