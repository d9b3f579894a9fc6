// SPDX-License-Identifier: MIT
// Owner updates on the device (docs/ota.md): only the owner's signed, sealed manifest starts one; every chunk is
// checked against the signed hash chain before it is written; the slot is activated only when the image's SHA-256
// matches; a transfer resumes after a power cut; a new firmware that never reaches its broker rolls back. Every
// refusal is logged with its reason, and the device keeps ringing.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { signCommandEnvelope } from "../../modules/command-signature.js";
import { startFirmware } from "../../modules/firmware.js";
import { deviceTopics } from "../../modules/topics.js";
import { DEFAULT_CONFIRM_S } from "../../modules/update/update-confirm.js";
import { createVirtualFlash, type VirtualFlash } from "../../hosts/node/virtual-flash.js";
import { createFakeHost, type FakeHost } from "../support/fake-host.js";
import { testOwnerKeys } from "../support/owner.js";
import { testSigningKey } from "../support/p256-sign.js";
import { testCrypto } from "../support/test-crypto.js";
import { packForTest, progressOf, serveChunks, testImage, TOPIC_ROOT } from "../support/update-owner.js";

const owner = testOwnerKeys();
const ID = "frontdoor";
const topics = deviceTopics(TOPIC_ROOT, ID);
const SLOT_BYTES = 64 * 1024;
const WALL_SEQ = 1_790_000_000_000;

interface Device {
  host: FakeHost;
  flash: VirtualFlash;
  fw: ReturnType<typeof startFirmware>;
}

/** Boots the firmware of the slot the virtual bootloader picks, on storage that survives the reboot. */
function boot(flash: VirtualFlash, previous?: FakeHost, connect = true): Device {
  const host = createFakeHost(previous?.storage);
  const { image } = flash.boot();
  const version = new TextDecoder().decode(image.subarray(12, 17));
  host.firmware = flash.port;
  const fw = startFirmware(host, {
    firmwareVersion: version,
    config: { deviceId: ID, keys: owner.keysConfig },
  });
  if (connect) {
    host.mqtt.accept();
    host.clock.advance(0);
  }
  return { host, flash, fw };
}

function newDevice(version = "1.0.0"): Device {
  const flash = createVirtualFlash({ slotBytes: SLOT_BYTES });
  flash.flashFactory(testImage(version, 20_000, 7));
  return boot(flash);
}

function deliverManifest(d: Device, bytes: Uint8Array) {
  d.host.mqtt.options?.onMessage(topics.update, bytes);
}

function pack(d: Device, o: Partial<Parameters<typeof packForTest>[0]> & { version: string; image?: Uint8Array }) {
  return packForTest({
    owner,
    devicePublicKey: d.fw.devicePublicKey,
    deviceId: ID,
    seq: WALL_SEQ,
    image: o.image ?? testImage(o.version, 10_000 + 333, 3),
    ...o,
  });
}

const warnings = (d: Device) =>
  d.host.lines.filter((l) => l.tag === "update" && l.level === "warn").map((l) => l.message);

/** The device still rings: a press publishes a sealed ring event. */
function assertStillRings(d: Device) {
  d.host.clock.advance(120_000); // past any ring cooldown of an earlier check
  const chimes = d.host.chime.writes.length;
  const rings = d.fw.ring.stats.rings;
  d.host.button.edge(1, d.host.clock.nowMs);
  d.host.clock.advance(200);
  d.host.button.edge(0, d.host.clock.nowMs);
  d.host.clock.advance(2000);
  assert.ok(d.host.chime.writes.length > chimes, "a press after the refusal still sounds the chime");
  assert.equal(d.fw.ring.stats.rings, rings + 1, "and rings");
}

const refusedWith = (d: Device, code: string) => {
  assert.ok(
    warnings(d).some((m) => m.startsWith(`update refused: ${code}:`)),
    `expected a refusal ${code}, got ${JSON.stringify(warnings(d))}`,
  );
  assert.equal(d.fw.update.stats.lastRefusal, code);
  assert.equal(d.flash.state.boot, "a", "the running slot still boots next");
  assert.ok(progressOf(d.host, ID).some((p) => p.state === "refused" && p.reason === code));
  assertStillRings(d);
};

describe("owner update: install and trial", () => {
  test("an owner's update installs chunk by chunk, activates the slot only after the SHA-256 matches, and restarts", () => {
    const d = newDevice();
    const image = testImage("1.1.0", 10_333, 3);
    const { chained, manifest } = pack(d, { version: "1.1.0", image });
    assert.ok(d.host.mqtt.subscriptions.some((s) => s.topic === topics.update));
    assert.ok(d.host.mqtt.subscriptions.some((s) => s.topic === topics.updateChunk));
    deliverManifest(d, manifest);
    const sent = serveChunks(d.host, ID, chained);
    assert.equal(sent, chained.chunks.length);
    assert.equal(d.flash.state.states.b, "new");
    assert.equal(d.flash.state.boot, "b");
    assert.deepEqual(d.flash.slot("b"), image);
    assert.ok(progressOf(d.host, ID).some((p) => p.state === "installed" && p.version === "1.1.0"));
    d.host.clock.advance(1000);
    assert.deepEqual(d.host.restarts, ["update to 1.1.0"]);
  });

  test("the new firmware keeps itself once its first status event is delivered", () => {
    const d = newDevice();
    const { chained, manifest } = pack(d, { version: "1.1.0" });
    deliverManifest(d, manifest);
    serveChunks(d.host, ID, chained);
    const next = boot(d.flash, d.host, false);
    assert.equal(next.flash.state.running, "b");
    assert.equal(next.flash.port.runningState(), "pending");
    next.host.mqtt.accept();
    next.host.clock.advance(1000);
    assert.equal(next.flash.state.states.b, "valid");
    assert.ok(next.host.lines.some((l) => l.message.startsWith("new firmware confirmed")));
    // And a later reboot stays on the new slot.
    assert.equal(boot(next.flash, next.host).flash.state.running, "b");
  });
});

describe("owner update: trial and rollback", () => {
  test("a new firmware that cannot reach its broker rolls back after updateConfirmS", () => {
    const d = newDevice();
    const { chained, manifest } = pack(d, { version: "1.1.0" });
    deliverManifest(d, manifest);
    serveChunks(d.host, ID, chained);
    let restarted = "";
    const flash = d.flash;
    const host = createFakeHost(d.host.storage);
    flash.boot();
    host.firmware = {
      ...flash.port,
      rollback: (reason) => {
        flash.port.rollback(reason);
        restarted = reason;
      },
    };
    startFirmware(host, { firmwareVersion: "1.1.0", config: { deviceId: ID, keys: owner.keysConfig } });
    assert.equal(flash.state.states.b, "pending");
    host.clock.advance(DEFAULT_CONFIRM_S * 1000 - 1);
    assert.equal(restarted, "");
    host.clock.advance(1);
    assert.match(restarted, /no status event delivered within 300 s/);
    assert.equal(flash.state.states.b, "aborted");
    assert.equal(flash.boot().slot, "a");
    assert.ok(host.lines.some((l) => l.level === "error" && l.message.includes("rolling back")));
  });

  test("a restart before the new firmware confirms returns to the previous slot (ESP-IDF app rollback)", () => {
    const d = newDevice();
    const { chained, manifest } = pack(d, { version: "1.1.0" });
    deliverManifest(d, manifest);
    serveChunks(d.host, ID, chained);
    boot(d.flash, d.host, false); // runs 1.1.0 on trial, never connects: power cut
    const after = d.flash.boot();
    assert.equal(after.slot, "a");
    assert.equal(after.rolledBackFrom, "b");
  });
});

describe("owner update: resume", () => {
  test("a power cut mid-transfer resumes at the last chunk verified, not at chunk 0", () => {
    const d = newDevice();
    const image = testImage("1.2.0", 10_333, 5);
    const { chained, manifest } = pack(d, { version: "1.2.0", image });
    deliverManifest(d, manifest);
    assert.equal(serveChunks(d.host, ID, chained, { maxChunks: 4 }), 4);
    const written = d.fw.update.stats.chunksWritten;
    assert.equal(written, 4);
    const again = boot(d.flash, d.host); // same slot a, storage kept
    assert.equal(again.flash.state.running, "a");
    assert.deepEqual(again.fw.update.inProgress?.next, 4);
    const wants = progressOf(again.host, ID).filter((p) => p.state === "want");
    assert.equal(wants[0].next, 4, "the first chunk asked after the restart is the one after the last verified");
    assert.equal(serveChunks(again.host, ID, chained), chained.chunks.length - 4);
    assert.deepEqual(again.flash.slot("b"), image);
    assert.equal(again.flash.state.states.b, "new");
  });

  test("the retained manifest coming back after the install is quiet, not a refusal", () => {
    const d = newDevice();
    const { chained, manifest } = pack(d, { version: "1.1.0" });
    deliverManifest(d, manifest);
    serveChunks(d.host, ID, chained);
    const next = boot(d.flash, d.host);
    next.host.mqtt.options?.onMessage(topics.update, manifest);
    assert.deepEqual(warnings(next), []);
    assert.equal(next.fw.update.inProgress, undefined);
  });
});

describe("owner update: refusals of the manifest (each logged, the device keeps running)", () => {
  test("forged: a manifest signed by another key is refused before it is opened", () => {
    const d = newDevice();
    const other = testSigningKey(testCrypto());
    const { manifest } = pack(d, { version: "1.1.0", sign: (m) => other.sign(m) });
    deliverManifest(d, manifest);
    refusedWith(d, "bad-signature");
  });

  test("forged: sealed by another X25519 key (signature by the owner's signing key) is refused as wrong-sender", () => {
    const d = newDevice();
    const { manifest } = pack(d, { version: "1.1.0", ownerSecret: testCrypto().randomBytes(32) });
    deliverManifest(d, manifest);
    refusedWith(d, "wrong-sender");
  });

  test("unsigned: a bare envelope is refused", () => {
    const d = newDevice();
    const { manifest } = pack(d, { version: "1.1.0" });
    deliverManifest(d, manifest.subarray(0, manifest.length - 64));
    refusedWith(d, "unsigned");
  });

  test("replayed: a manifest older than the last accepted one is refused", () => {
    const d = newDevice();
    const older = pack(d, { version: "1.1.0", seq: WALL_SEQ - 10 });
    const newer = pack(d, { version: "1.1.0", seq: WALL_SEQ });
    deliverManifest(d, newer.manifest);
    deliverManifest(d, older.manifest);
    refusedWith(d, "replayed");
  });

  test("truncated: a cut manifest is refused, and so is a cut chunk, which is not written", () => {
    const d = newDevice();
    const { manifest, chained } = pack(d, { version: "1.1.0" });
    deliverManifest(d, manifest.subarray(0, 100));
    refusedWith(d, "bad-envelope");
    deliverManifest(d, manifest.subarray(0, manifest.length - 1));
    assert.equal(d.fw.update.stats.refused, 2);
    deliverManifest(d, manifest);
    serveChunks(d.host, ID, chained, { maxChunks: 1, tamper: (_i, c) => c.subarray(0, c.length - 10) });
    refusedWith(d, "bad-chunk");
    assert.equal(d.fw.update.stats.chunksWritten, 0);
  });
});

describe("owner update: refusals of the content (each logged, the device keeps running)", () => {
  test("oversized: an image larger than the inactive slot is refused before anything is written", () => {
    const d = newDevice();
    const { manifest } = pack(d, { version: "1.1.0", image: testImage("1.1.0", SLOT_BYTES + 1) });
    deliverManifest(d, manifest);
    refusedWith(d, "oversized");
    assert.equal(d.flash.state.states.b, "empty");
  });

  test("other device: a manifest sealed for another doorbell is refused", () => {
    const d = newDevice();
    const { manifest } = packForTest({
      owner,
      devicePublicKey: d.fw.devicePublicKey,
      deviceId: "backdoor",
      image: testImage("1.1.0", 5000),
      version: "1.1.0",
      seq: WALL_SEQ,
    });
    deliverManifest(d, manifest);
    refusedWith(d, "bad-signature"); // the signature binds the device id and topic: checked first
  });

  test("other device: the same envelope re-signed for this device's topic still does not open", () => {
    const d = newDevice();
    const other = packForTest({
      owner,
      devicePublicKey: d.fw.devicePublicKey,
      deviceId: "backdoor",
      image: testImage("1.1.0", 5000),
      version: "1.1.0",
      seq: WALL_SEQ,
    });
    const envelope = other.manifest.subarray(0, other.manifest.length - 64);
    deliverManifest(d, signCommandEnvelope(owner.sign, ID, topics.update, envelope));
    refusedWith(d, "other-device");
  });

  test("downgrade: a version not newer than the running one is refused unless the owner allows it", () => {
    const d = newDevice("1.1.0");
    deliverManifest(d, pack(d, { version: "1.0.9", seq: WALL_SEQ }).manifest);
    refusedWith(d, "downgrade");
    deliverManifest(d, pack(d, { version: "1.1.0", seq: WALL_SEQ + 1 }).manifest);
    assert.equal(d.fw.update.stats.refused, 2, "the same version is not newer either");
    const allowed = pack(d, { version: "1.0.9", seq: WALL_SEQ + 2, allowDowngrade: true });
    deliverManifest(d, allowed.manifest);
    assert.equal(d.fw.update.stats.accepted, 1);
    serveChunks(d.host, ID, allowed.chained);
    assert.equal(d.flash.state.states.b, "new");
  });
});

describe("owner update: refusals of the image (each logged, the device keeps running)", () => {
  test("wrong hash: the owner's manifest names another SHA-256; the slot is not activated", () => {
    const d = newDevice();
    const { manifest, chained } = pack(d, {
      version: "1.1.0",
      edit: (m) => ({ ...m, sha256: "00".repeat(32) }),
    });
    deliverManifest(d, manifest);
    serveChunks(d.host, ID, chained);
    refusedWith(d, "wrong-hash");
    assert.equal(d.flash.state.states.b, "empty");
    assert.deepEqual(d.host.restarts, []);
  });

  test("tampered chunk: a chunk whose bytes differ from the signed chain is refused and not written", () => {
    const d = newDevice();
    const { manifest, chained } = pack(d, { version: "1.1.0" });
    deliverManifest(d, manifest);
    serveChunks(d.host, ID, chained, {
      maxChunks: 3,
      tamper: (i, c) => {
        if (i !== 2) return c;
        const bad = c.slice();
        bad[40] ^= 1;
        return bad;
      },
    });
    refusedWith(d, "chunk-hash");
    assert.equal(d.fw.update.stats.chunksWritten, 2);
    // The real chunk 2 then goes on.
    d.host.clock.advance(10_000);
    serveChunks(d.host, ID, chained);
    assert.equal(d.flash.state.states.b, "new");
  });

  test("bad manifest fields are refused with the field named", () => {
    const d = newDevice();
    const { manifest } = pack(d, { version: "1.1.0", edit: (m) => ({ ...m, chunks: m.chunks + 1 }) });
    deliverManifest(d, manifest);
    refusedWith(d, "bad-manifest");
    assert.ok(d.host.lines.some((l) => l.message.includes("manifest chunks")));
  });

  test("a host without a second slot refuses every update", () => {
    const host = createFakeHost();
    const fw = startFirmware(host, { firmwareVersion: "1.0.0", config: { deviceId: ID, keys: owner.keysConfig } });
    host.mqtt.accept();
    const { manifest } = packForTest({
      owner,
      devicePublicKey: fw.devicePublicKey,
      deviceId: ID,
      image: testImage("1.1.0", 5000),
      version: "1.1.0",
      seq: WALL_SEQ,
    });
    host.mqtt.options?.onMessage(topics.update, manifest);
    assert.equal(fw.update.stats.lastRefusal, "no-slots");
  });
});
