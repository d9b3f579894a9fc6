// SPDX-License-Identifier: MIT
// `doorbell update pack`: the folder it writes installs on the firmware itself (a fake host with the virtual
// two-slot flash), for one doorbell or each of the home, a manifest for one doorbell is refused by another,
// and misuse exits 2 naming the flag.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { fromUtf8 } from "../../modules/bytes.js";
import { startFirmware } from "../../modules/firmware.js";
import { readPrivateKey } from "../../bridge/key-files.js";
import { openUpdateFolder } from "../../bridge/update/update-folder.js";
import { createVirtualFlash } from "../../hosts/node/virtual-flash.js";
import { createFakeHost } from "../support/fake-host.js";
import { testImage } from "../support/update-owner.js";

const CLI = fileURLToPath(new URL("../../bridge/cli/doorbell.js", import.meta.url));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const base = mkdtempSync(join(tmpdir(), "doorbell-update-"));
const home = join(base, "home");
assert.equal(cli(["keys", "init", "--out", home]).status, 0);
for (const name of ["frontdoor", "backdoor"])
  assert.equal(cli(["device", "add", name, "--out", home, "--broker-host", "localhost"]).status, 0);
const imageFile = join(base, "firmware.bin");
const image = testImage("1.1.0", 50_000, 4);
writeFileSync(imageFile, image);

/** The firmware of `name`, flashed from its bundle, running 1.0.0 from slot a of a virtual flash. */
function device(name: string) {
  const bundle = JSON.parse(readFileSync(join(home, `devices/${name}/device-config.json`), "utf8"));
  const host = createFakeHost();
  host.clock.wallOriginMs = Date.now();
  const flash = createVirtualFlash({ slotBytes: 128 * 1024 });
  flash.flashFactory(testImage("1.0.0", 1000));
  flash.boot();
  host.firmware = flash.port;
  const deviceKey = readPrivateKey(join(home, `devices/${name}/device.key`));
  const fw = startFirmware(host, { firmwareVersion: "1.0.0", config: bundle.config, deviceKey });
  host.mqtt.accept();
  return {
    host,
    flash,
    fw,
    topicRoot: (bundle.config.mqtt.topicRoot ?? "doorbell") as string,
    id: bundle.config.deviceId as string,
  };
}

/** Plays the bridge from an update folder: the manifest, then each chunk the device asks for. */
function install(d: ReturnType<typeof device>, folder: string, manifestOf = d.id) {
  const f = openUpdateFolder(folder);
  const base = `${d.topicRoot}/${d.id}`;
  d.host.mqtt.options?.onMessage(`${base}/sealed/update`, f.manifest(manifestOf)!);
  for (let i = 0; i < f.info.chunks + 2; i++) {
    const last = d.host.mqtt.published.filter((p) => p.topic === `${base}/update/progress`).at(-1);
    const p = last && JSON.parse(fromUtf8(last.payload));
    if (p?.state !== "want") break;
    d.host.mqtt.options?.onMessage(`${base}/update/chunk`, f.chunk(p.next));
  }
}

describe("doorbell update pack", () => {
  test("--all: one chunk stream and a manifest per doorbell; each installs its own on the firmware", () => {
    const out = join(base, "all");
    const r = cli([
      "update",
      "pack",
      "--home",
      home,
      "--all",
      "--image",
      imageFile,
      "--version",
      "1.1.0",
      "--out",
      out,
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readdirSync(join(out, "manifests")).sort(), ["backdoor.bin", "frontdoor.bin"]);
    const info = JSON.parse(readFileSync(join(out, "update.json"), "utf8"));
    assert.equal(info.size, image.length);
    assert.equal(info.chunks, Math.ceil(image.length / 4096));
    for (const name of ["frontdoor", "backdoor"]) {
      const d = device(name);
      install(d, out);
      assert.equal(d.flash.state.states.b, "new", `${name}: slot b activated`);
      assert.deepEqual(d.flash.slot("b"), image);
    }
    assert.ok(!readFileSync(join(out, "update.json"), "utf8").includes("BEGIN"), "no key material in the folder");
  });

  test("--device: only that doorbell's manifest; given to another doorbell it is refused", () => {
    const out = join(base, "front");
    const r = cli([
      "update",
      "pack",
      "--home",
      home,
      "--device",
      "frontdoor",
      "--image",
      imageFile,
      "--version",
      "1.1.0",
      "--out",
      out,
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readdirSync(join(out, "manifests")), ["frontdoor.bin"]);
    const back = device("backdoor");
    install(back, out, "frontdoor");
    assert.equal(back.fw.update.stats.refused, 1);
    assert.equal(back.flash.state.states.b, "empty");
    assert.ok(statSync(join(out, "chunks.bin")).size > image.length);
  });

  test("--version not newer than the doorbell's is refused unless --allow-downgrade", () => {
    const out = join(base, "old");
    const flags = ["--home", home, "--device", "frontdoor", "--image", imageFile, "--version", "0.9.0"];
    assert.equal(cli(["update", "pack", ...flags, "--out", out]).status, 0);
    const d = device("frontdoor");
    install(d, out);
    assert.equal(d.fw.update.stats.lastRefusal, "downgrade");
    const allowed = join(base, "old-allowed");
    assert.equal(cli(["update", "pack", ...flags, "--allow-downgrade", "--out", allowed]).status, 0);
    install(d, allowed);
    assert.equal(d.flash.state.states.b, "new");
  });
});

describe("doorbell update pack: misuse", () => {
  test("misuse exits 2 and names the flag; --help describes the package", () => {
    const common = ["update", "pack", "--home", home, "--image", imageFile];
    const cases: [string[], RegExp][] = [
      [[...common, "--device", "frontdoor", "--out", join(base, "x1")], /missing --version/],
      [[...common, "--device", "frontdoor", "--version", "1.2", "--out", join(base, "x2")], /--version "1.2"/],
      [[...common, "--all", "--device", "frontdoor", "--version", "1.2.0", "--out", join(base, "x3")], /exactly one/],
      [[...common, "--device", "frontdoor", "--version", "1.2.0", "--out", base], /already exists/],
      [
        [...common, "--device", "frontdoor", "--version", "1.2.0", "--chunk-bytes", "1000", "--out", join(base, "x4")],
        /--chunk-bytes/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = cli(args);
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.ok(!existsSync(join(base, "x1")));
    const help = cli(["update", "pack", "--help"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /SHA-256/);
  });
});
