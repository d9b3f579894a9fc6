// SPDX-License-Identifier: MIT
// `doorbell command`: what it signs is accepted by the firmware itself (on a fake host), a set-identity re-key
// hands the doorbell to the new keys only, misuse exits 2 naming the flag, and the numbering stays above the
// bridge's, even while a bridge holds the state in memory.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { decodeBundleImage } from "../../modules/bundle-image.js";
import { utf8 } from "../../modules/bytes.js";
import { COMMAND_SIGNATURE_BYTES } from "../../modules/command-signature.js";
import { readEnvelopeHeader } from "../../modules/envelope/layout.js";
import { startFirmware } from "../../modules/firmware.js";
import { RESTART_DELAY_MS } from "../../modules/command-dispatch.js";
import { nextCommandSeq } from "../../bridge/command-sender.js";
import { createDeviceStateStore } from "../../bridge/device-state.js";
import { readPrivateKey } from "../../bridge/key-files.js";
import { createFakeHost } from "../support/fake-host.js";

const CLI = fileURLToPath(new URL("../../bridge/cli/doorbell.js", import.meta.url));
const TOPIC = "doorbell/frontdoor/sealed/cmd";

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A home with owner keys and one provisioned doorbell, as an owner makes it. */
function provision(): string {
  const home = join(mkdtempSync(join(tmpdir(), "doorbell-command-")), "home");
  assert.equal(cli(["keys", "init", "--out", home]).status, 0);
  const added = cli(["device", "add", "frontdoor", "--out", home, "--broker-host", "localhost"]);
  assert.equal(added.status, 0, added.stderr);
  return home;
}

let outs = 0;
/** Runs `doorbell command <args>` for frontdoor and returns the signed bytes. */
function sign(home: string, sub: string, ...extra: string[]): Uint8Array {
  const out = join(home, "..", `cmd-${++outs}.bin`);
  const r = cli(["command", sub, "--home", home, "--device", "frontdoor", "--out", out, ...extra]);
  assert.equal(r.status, 0, r.stderr);
  return new Uint8Array(readFileSync(out));
}

/** The firmware on a fake host, flashed from the bundle, its wall clock at the owner's. */
function flash(home: string) {
  const bundle = JSON.parse(readFileSync(join(home, "devices/frontdoor/device-config.json"), "utf8"));
  const host = createFakeHost();
  host.clock.wallOriginMs = Date.now();
  const deviceKey = readPrivateKey(join(home, "devices/frontdoor/device.key"));
  // No bridge here to confirm delivery (docs/delivery.md): events end on their PUBACK, as before outbox.confirm.
  const config = { ...bundle.config, outbox: { ...bundle.config.outbox, confirm: false } };
  const fw = startFirmware(host, { firmwareVersion: "test", config, deviceKey });
  host.mqtt.accept();
  host.clock.advance(0); // the connect-time status event's PUBACK, on a later turn
  host.mqtt.published.length = 0;
  /** Delivers a command, then ends the turn: PUBACKs arrive on a later turn (ports.ts). */
  const deliver = (bytes: Uint8Array) => {
    host.mqtt.options!.onMessage(TOPIC, bytes);
    host.clock.advance(0);
  };
  const refusals = () => host.lines.filter((l) => l.message.startsWith("command refused")).map((l) => l.message);
  const events = () => host.mqtt.published.filter((p) => p.topic.endsWith("/sealed/event")).length;
  return { host, fw, deliver, refusals, events };
}

const seqOf = (bytes: Uint8Array) => {
  const r = readEnvelopeHeader(bytes.subarray(0, bytes.length - COMMAND_SIGNATURE_BYTES));
  assert.ok(r.ok);
  return r.header.seq;
};

describe("doorbell command: accepted by the firmware", () => {
  const home = provision();

  test("snapshot and reboot are accepted and acted on; the file is mode 0600", () => {
    const d = flash(home);
    d.host.camera.capture(0);
    d.deliver(sign(home, "snapshot"));
    assert.equal(d.events(), 1, "a snapshot event");
    d.deliver(sign(home, "reboot"));
    d.host.clock.advance(RESTART_DELAY_MS);
    assert.deepEqual(d.host.restarts, ["owner command"]);
    assert.deepEqual(d.refusals(), []);
    assert.equal(statSync(join(home, "..", `cmd-${outs}.bin`)).mode & 0o777, 0o600);
  });

  test("live-view --start starts the doorbell's live stream, a second renews it, --stop ends it", () => {
    const d = flash(home);
    d.deliver(sign(home, "live-view", "--start", "--seconds", "30"));
    assert.equal(d.fw.video.live.running, true);
    const id = d.fw.video.live.streamId;
    d.deliver(sign(home, "live-view", "--start"));
    assert.equal(d.fw.video.live.streamId, id);
    d.deliver(sign(home, "live-view", "--stop"));
    assert.equal(d.fw.video.live.running, false);
    assert.deepEqual(d.refusals(), []);
  });

  test("set-config changes the settings and keeps the rest; the bundle records it; no plaintext in the file", () => {
    const d = flash(home);
    const name = "Front door of the blue house";
    const bytes = sign(home, "set-config", "--set", "button.cooldownS=10", "--set", `deviceName=${name}`);
    for (const clear of [name, "cooldownS", "button", '"config"'])
      assert.ok(!Buffer.from(bytes).includes(Buffer.from(utf8(clear))), `${clear} in the clear`);
    d.deliver(bytes);
    assert.equal(d.fw.config.current.button.cooldownS, 10);
    assert.equal(d.fw.config.current.deviceName, name);
    assert.equal(d.fw.config.current.mqtt.host, "localhost", "identity fields kept");
    assert.deepEqual(d.refusals(), []);
    // The next set-config builds on what the bundle recorded.
    d.deliver(sign(home, "set-config", "--set", "chime.pulseMs=0"));
    assert.equal(d.fw.config.current.button.cooldownS, 10);
    assert.equal(d.fw.config.current.chime.pulseMs, 0);
    // bundle.bin, the bundle partition's image, records it too, so flashing it keeps the changes.
    const image = decodeBundleImage(new Uint8Array(readFileSync(join(home, "devices/frontdoor/bundle.bin"))));
    const recorded = JSON.parse(Buffer.from(image[0].bytes).toString("utf8"));
    assert.equal(recorded.config.chime.pulseMs, 0);
    assert.equal(recorded.config.button.cooldownS, 10);
  });

  test("set-identity re-keys: the old keys' commands are refused after it, the new keys' accepted", () => {
    const d = flash(home);
    const next = join(home, "..", "new-keys");
    assert.equal(cli(["keys", "init", "--out", next]).status, 0);
    const rekey = sign(
      home,
      "set-identity",
      "--owner-public",
      join(next, "owner.pub"),
      "--owner-signing-public",
      join(next, "owner-sign.pub"),
    );
    d.deliver(rekey);
    assert.deepEqual(d.refusals(), []);
    assert.equal(d.fw.config.current.keys.ownerPublic, readFileSync(join(next, "owner.pub"), "utf8").trim());
    // The owner keeps the old home aside and moves the new keys in (docs/provisioning.md, "Sending a command").
    const old = join(home, "..", "old-home");
    cpSync(home, old, { recursive: true });
    for (const f of ["owner.key", "owner.pub", "owner-sign.key", "owner-sign.pub"])
      renameSync(join(next, f), join(home, f));
    d.host.camera.capture(0);
    d.deliver(sign(old, "snapshot"));
    assert.equal(d.events(), 0);
    assert.match(d.refusals()[0], /bad-signature/);
    d.deliver(sign(home, "snapshot"));
    assert.equal(d.events(), 1);
    assert.equal(d.refusals().length, 1);
  });
});

describe("doorbell command: misuse exits 2 naming the flag", () => {
  const home = provision();
  const out = join(home, "..", "bad.bin");
  const base = ["--home", home, "--device", "frontdoor", "--out", out];
  const cases: [string[], RegExp][] = [
    [
      ["set-config", ...base, "--set", "button.cooldownS=1000"],
      /button\.cooldownS: 1000 is not accepted; expected an integer from 0 to 300 s/,
    ],
    [["set-config", ...base, "--set", "button.cooldown=1"], /--set button\.cooldown: not a setting/],
    [
      ["set-config", ...base, "--set", "keys.ownerPublic=00"],
      /identity field cannot change with set-config; use doorbell command set-identity/,
    ],
    [["set-config", ...base, "--set", "novalue"], /expected <setting>=<value>/],
    [["set-config", ...base], /give at least one --set/],
    [["set-identity", ...base], /name at least one of --owner-public/],
    [
      ["set-identity", ...base, "--owner-public", "zz"],
      /--owner-public: "zz" is neither 64 hex digits nor a readable file/,
    ],
    [["set-identity", ...base, "--mqtt-port", "70000"], /mqtt\.port: 70000 is not accepted/],
    [["snapshot", ...base, "--set", "a=1"], /--set: only set-config takes it/],
    [["snapshot", "--home", home, "--device", "backdoor", "--out", out], /--device "backdoor": no device bundle/],
    [["snapshot", "--home", home, "--device", "frontdoor", "--out", "-"], /not to standard output/],
    [["snapshot", "--home", home, "--device", "frontdoor"], /missing --out/],
    [["format-flash", ...base], /expected snapshot, reboot, set-config, set-identity, live-view/],
    [["live-view", ...base], /give exactly one of --start and --stop/],
    [["live-view", ...base, "--start", "--stop"], /give exactly one of --start and --stop/],
    [
      ["live-view", ...base, "--start", "--seconds", "301"],
      /--seconds 301 is not accepted; expected an integer 1..300/,
    ],
    [["live-view", ...base, "--start", "--seconds", "ten"], /--seconds "ten": expected a whole number/],
    [["live-view", ...base, "--stop", "--seconds", "5"], /--seconds goes with --start only/],
  ];
  for (const [args, message] of cases) {
    test(args.filter((a) => !a.startsWith("/")).join(" "), () => {
      const r = cli(["command", ...args]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
    });
  }

  test("--help prints each subcommand's usage and exits 0", () => {
    for (const sub of ["snapshot", "reboot", "set-config", "set-identity", "live-view"]) {
      const r = cli(["command", sub, "--help"]);
      assert.equal(r.status, 0);
      assert.match(r.stdout, new RegExp(`^usage: doorbell command ${sub} `));
    }
  });
});

describe("doorbell command: numbering shared with the bridge", () => {
  test("the seq is above the bridge's last, and a running bridge's next is above the CLI's", () => {
    const home = provision();
    const stateDir = join(home, "bridge/state");
    mkdirSync(stateDir, { recursive: true });
    const bridge = createDeviceStateStore(stateDir); // a running bridge: it caches the state
    const ahead = Date.now() + 3_600_000; // past any clock in this test, so only last + 1 counts
    assert.equal(nextCommandSeq(bridge, "frontdoor", ahead), ahead);
    const bytes = sign(home, "snapshot");
    assert.equal(seqOf(bytes), ahead + 1);
    assert.equal(createDeviceStateStore(stateDir).get("frontdoor").lastCommandSeq, ahead + 1, "persisted");
    assert.equal(nextCommandSeq(bridge, "frontdoor", Date.now()), ahead + 2, "the bridge never reuses the CLI's");
  });

  test("the publish hint names the topic, the broker and a bridge certificate of its own", () => {
    const home = provision();
    const out = join(home, "..", "hint.bin");
    const r = cli(["command", "snapshot", "--home", home, "--device", "frontdoor", "--out", out]);
    assert.equal(r.status, 0, r.stderr);
    const hint = r.stderr.split("\n").find((l) => l.includes("mosquitto_pub"));
    assert.ok(hint, r.stderr);
    // The broker binds client ids to certificates, so the hint uses a bridge identity of its own, not the bridge's.
    const cert = join(home, "bridges/commands/bridge.pem");
    for (const part of [`-t ${TOPIC}`, `-f ${out}`, "-q 1", cert, "-h localhost -p 8883"])
      assert.ok(hint.includes(part), `${part} in ${hint}`);
    assert.match(r.stderr, /first, once: doorbell bridge add commands --out /);
  });
});
