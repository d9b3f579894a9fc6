// SPDX-License-Identifier: MIT
// The video endpoint's settings: defaults on loopback, clear errors for bad values, and beyond loopback a password
// file that only its owner may read (mode 0600) and that is long enough, or the bridge does not start.
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { BridgeConfigError, loadBridgeConfig } from "../../bridge/bridge-config.js";
import { videoAccess } from "../../bridge/video/video-settings.js";

const dir = mkdtempSync(join(tmpdir(), "doorbell-video-settings-"));
const load = (argv: string[]) => loadBridgeConfig({ argv: ["--home", dir, ...argv], env: {}, cwd: dir });
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("video settings", () => {
  test("defaults: loopback 127.0.0.1:8081, no TLS, clips under home, no credentials needed", () => {
    const c = load([]);
    assert.deepEqual(
      [c.video.host, c.video.port, c.video.tlsCert, c.video.liveSeconds, c.clips.dir],
      ["127.0.0.1", 8081, "", 60, join(dir, "clips")],
    );
    const access = videoAccess(c.video);
    assert.equal(access.required, false);
    assert.equal(access.authorize(undefined), true);
  });

  test("bad values name the setting, where it came from and what is accepted", () => {
    assert.throws(() => load(["--video-port", "70000"]), /video\.port \(flag --video-port\): "70000" .* 1 to 65535/);
    assert.throws(() => load(["--video-live-seconds", "301"]), /video\.liveSeconds .* 1 to 300 s/);
    assert.throws(() => load(["--video-host", "a b"]), /video\.host .* an IP address or a host name/);
    assert.throws(
      () => load(["--video-tls-cert", "cert.pem"]),
      (e: Error) => e instanceof BridgeConfigError && /video\.tlsCert and video\.tlsKey: set both/.test(e.message),
    );
  });

  test("beyond loopback: no password file, one others may read, or a short password stops the bridge", () => {
    const file = join(dir, "video-password");
    const beyond = (extra: string[] = []) => load(["--video-host", "0.0.0.0", "--video-password-file", file, ...extra]);
    assert.throws(() => videoAccess(beyond().video), /video\.passwordFile: cannot read .* \(ENOENT\).*mode 0600/);
    writeFileSync(file, "a long enough password\n", { mode: 0o644 });
    chmodSync(file, 0o644);
    assert.throws(() => videoAccess(beyond().video), /has mode 0644; others may read it: chmod 600/);
    chmodSync(file, 0o600);
    writeFileSync(file, "short\n");
    assert.throws(() => videoAccess(beyond().video), /at least 12 characters/);
    writeFileSync(file, "a long enough password\n");
    const access = videoAccess(beyond(["--video-user", "owner"]).video);
    assert.equal(access.required, true);
    assert.equal(access.authorize(undefined), false);
    assert.equal(
      access.authorize(basic("owner", "a long enough password\n")),
      false,
      "the file's newline is not in it",
    );
    assert.equal(access.authorize(basic("owner", "a long enough password")), true);
  });
});
