// SPDX-License-Identifier: MIT
// The `doorbell` CLI as a maker runs it: keys, then seal, inspect and open through stdin and stdout.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../bridge/cli/doorbell.js", import.meta.url));
const TOPIC = "doorbell/frontdoor/sealed/event";

function run(args: string[], input?: Uint8Array) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, maxBuffer: 1 << 24 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

// One key directory for the whole file, made as a maker makes it: the owner's keys, then the device's pair
// from provisioning. The first test checks that both steps succeeded.
const dir = mkdtempSync(join(tmpdir(), "doorbell-cli-"));
const keys = join(dir, "keys");
const init = run(["keys", "init", "--out", keys]);
const added = run(["device", "add", "frontdoor", "--out", keys, "--broker-host", "localhost"]);
/** The path of a key file: the owner's at the top, the device's (`device.*`) under devices/frontdoor/. */
const k = (f: string) => join(keys, f.startsWith("device.") ? `devices/frontdoor/${f}` : f);
/** `envelope seal` with the device's key to the owner's, on TOPIC, plus `extra` flags. */
const sealArgs = (...extra: string[]) => [
  "envelope",
  "seal",
  "--device-key",
  k("device.key"),
  "--owner-public",
  k("owner.pub"),
  "--topic",
  TOPIC,
  ...extra,
];

describe("doorbell CLI: keys", () => {
  test("keys init writes private keys with mode 0600 and refuses to overwrite them", () => {
    assert.equal(init.status, 0, init.stderr);
    assert.equal(added.status, 0, added.stderr);
    assert.deepEqual(
      readdirSync(keys)
        .filter((f) => f.endsWith(".key") || f.endsWith(".pub"))
        .sort(),
      ["owner-sign.key", "owner-sign.pub", "owner.key", "owner.pub"],
      "keys init makes the owner's two pairs only (X25519 and the P-256 command signing key)",
    );
    for (const f of ["owner.key", "owner-sign.key", "device.key"]) assert.equal(statSync(k(f)).mode & 0o777, 0o600, f);
    assert.match(readFileSync(k("owner-sign.pub"), "utf8"), /^04[0-9a-f]{128}\n$/, "an uncompressed P-256 point");
    const before = readFileSync(k("owner-sign.key"), "utf8");
    const again = run(["keys", "init", "--out", keys]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /refusing to overwrite/);
    assert.equal(readFileSync(k("owner-sign.key"), "utf8"), before, "the signing key is untouched");
  });

  test("keys init adds only the signing pair to a directory that has the X25519 pair alone", () => {
    const older = join(dir, "older");
    assert.equal(run(["keys", "init", "--out", older]).status, 0);
    const ownerKey = readFileSync(join(older, "owner.key"), "utf8");
    for (const f of ["owner-sign.key", "owner-sign.pub"]) rmSync(join(older, f));
    const r = run(["keys", "init", "--out", older]);
    assert.equal(r.status, 0, r.stderr.toString());
    assert.equal(readFileSync(join(older, "owner.key"), "utf8"), ownerKey, "owner.key is untouched");
    assert.equal(statSync(join(older, "owner-sign.key")).mode & 0o777, 0o600);
  });

  test("keys show prints the public key of a private key file", () => {
    const r = run(["keys", "show", "--public", k("owner.key")]);
    assert.equal(r.stdout.toString().trim(), readFileSync(k("owner.pub"), "utf8").trim());
  });
});

describe("doorbell CLI: envelope seal, inspect and open", () => {
  test("seal, inspect and open round-trip an event with a JPEG; nothing secret is printed", () => {
    const jpeg = Uint8Array.from([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);
    writeFileSync(join(dir, "in.jpg"), jpeg);
    const ring = '{"v":1,"type":"ring","id":"0123456789abcdef"}';
    const sealed = run(sealArgs("--event", ring, "--jpeg", join(dir, "in.jpg"), "--seq", "42"));
    assert.equal(sealed.status, 0, sealed.stderr);

    const inspected = JSON.parse(
      run(
        ["envelope", "inspect", "--topic", TOPIC, "--device-public", k("device.pub")],
        sealed.stdout,
      ).stdout.toString(),
    );
    assert.equal(inspected.mode, 2);
    assert.equal(inspected.kem_id, 0x20);
    assert.equal(inspected.kdf_id, 1);
    assert.equal(inspected.aead_id, 3);
    assert.equal(inspected.seq, 42);
    assert.equal(inspected.sender_matches, true);
    assert.equal(inspected.topic_matches, true);
    assert.match(inspected.enc, /^[0-9a-f]{64}$/);

    const opened = run(
      [
        "envelope",
        "open",
        "--owner-key",
        k("owner.key"),
        "--device-public",
        k("device.pub"),
        "--topic",
        TOPIC,
        "--jpeg-out",
        join(dir, "out.jpg"),
      ],
      sealed.stdout,
    );
    assert.equal(opened.status, 0, opened.stderr);
    const event = JSON.parse(opened.stdout.toString());
    assert.equal(event.type, "ring");
    assert.equal(event.$seq, 42);
    assert.deepEqual(new Uint8Array(readFileSync(join(dir, "out.jpg"))), jpeg);
    const secretPem = readFileSync(k("owner.key"), "utf8").split("\n")[1];
    assert.ok(!opened.stdout.toString().includes(secretPem) && !opened.stderr.includes(secretPem));
  });

  test("open refuses a moved, replayed or foreign envelope with the reason and exit 1", () => {
    const sealed = run(sealArgs("--event", '{"type":"ring"}', "--seq", "5")).stdout;
    const cases: [string[], RegExp][] = [
      [["--topic", "doorbell/frontdoor/sealed/other", "--device-id", "frontdoor"], /wrong-topic/],
      [["--topic", TOPIC, "--last-seq", "5"], /replayed/],
      [["--topic", TOPIC, "--device-public", k("owner.pub")], /wrong-sender/],
    ];
    for (const [extra, reason] of cases) {
      const args = ["envelope", "open", "--owner-key", k("owner.key"), "--device-public", k("device.pub"), ...extra];
      const r = run(args, sealed);
      assert.equal(r.status, 1);
      assert.match(r.stderr, reason);
    }
  });
});

describe("doorbell CLI: help and misuse", () => {
  test("every subcommand has --help, and misuse exits 2 naming the flag", () => {
    for (const sub of ["seal", "open", "inspect"]) assert.equal(run(["envelope", sub, "--help"]).status, 0, sub);
    const r = run(["envelope", "seal", "--device-key", k("device.key")]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /missing --owner-public/);
    const bad = run([
      "envelope",
      "seal",
      "--device-key",
      k("owner.pub"),
      "--owner-public",
      k("owner.pub"),
      "--topic",
      TOPIC,
      "--event",
      "{}",
    ]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /not an X25519 private key/);
  });
});
