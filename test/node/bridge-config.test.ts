// SPDX-License-Identifier: MIT
// doorbell-bridge settings: a YAML or JSON file, then environment variables, then flags; every error
// names the setting, where the bad value came from and what is accepted.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pictureLinkBase, pictureLinkHost } from "../../bridge/ha-pictures.js";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { envName, flagName, loadBridgeConfig } from "../../bridge/bridge-config.js";

const BRIDGE = fileURLToPath(new URL("../../bridge/cli/doorbell-bridge.js", import.meta.url));

describe("doorbell-bridge settings", () => {
  const dir = mkdtempSync(join(tmpdir(), "doorbell-bridge-config-"));
  const file = join(dir, "bridge.yaml");
  writeFileSync(
    file,
    "home: ./doorbell\nbroker:\n  url: mqtts://broker.home.arpa:8883\nsnapshots:\n  keepDays: 7\n  maxMB: 500\n",
  );

  test("defaults put every file under home", () => {
    const c = loadBridgeConfig({ argv: [], env: {}, cwd: "/srv" });
    assert.equal(c.home, "/srv/provisioned");
    assert.equal(c.ownerKey, "/srv/provisioned/owner.key");
    assert.equal(c.broker.ca, "/srv/provisioned/ca/ca.pem");
    assert.equal(c.broker.cert, "/srv/provisioned/bridge/bridge.pem");
    assert.equal(c.devicesDir, "/srv/provisioned/devices");
    assert.deepEqual(c.snapshots, { dir: "/srv/provisioned/snapshots", keepDays: 30, maxMB: 1000 });
    assert.equal(c.discovery.prefix, "homeassistant");
    assert.deepEqual(c.ha, { pictures: "url", pictureHost: "", liveStillsOverMqtt: false }, "pictures off the broker");
  });

  test("file < environment < flags; relative paths in the file are relative to the file", () => {
    const c = loadBridgeConfig({
      argv: ["--config", file, "--snapshots-keep-days", "3"],
      env: { DOORBELL_SNAPSHOTS_KEEP_DAYS: "5", DOORBELL_SNAPSHOTS_MAX_MB: "200" },
      cwd: "/elsewhere",
    });
    assert.equal(c.home, join(dir, "doorbell"));
    assert.equal(c.ownerKey, join(dir, "doorbell", "owner.key"));
    assert.equal(c.broker.url, "mqtts://broker.home.arpa:8883");
    assert.equal(c.snapshots.keepDays, 3, "the flag wins");
    assert.equal(c.snapshots.maxMB, 200, "the environment beats the file");
    assert.equal(loadBridgeConfig({ argv: [], env: { DOORBELL_BRIDGE_CONFIG: file }, cwd: "/" }).snapshots.keepDays, 7);
  });

  test("names follow the setting: flags in kebab case, environment variables in upper snake case", () => {
    assert.equal(flagName("snapshots.keepDays"), "--snapshots-keep-days");
    assert.equal(envName("snapshots.keepDays"), "DOORBELL_SNAPSHOTS_KEEP_DAYS");
    assert.equal(envName("broker.url"), "DOORBELL_BROKER_URL");
  });

  test("errors name the setting, the source and what is accepted", () => {
    const bad = (argv: string[], env: Record<string, string> = {}) => {
      try {
        loadBridgeConfig({ argv, env, cwd: dir });
      } catch (error) {
        return (error as Error).message;
      }
      return "no error";
    };
    assert.equal(
      bad(["--snapshots-keep-days", "0"]),
      'bridge setting snapshots.keepDays (flag --snapshots-keep-days): "0" is not accepted; expected an integer from 1 to 3650 days',
    );
    assert.equal(
      bad([], { DOORBELL_BROKER_URL: "http://x" }),
      'bridge setting broker.url (environment DOORBELL_BROKER_URL): "http://x" is not accepted; ' +
        "expected an mqtts:// or mqtt:// URL with a host",
    );
    assert.match(bad(["--snapshot-days", "1"]), /unknown option --snapshot-days; the settings are --home, /);
    writeFileSync(join(dir, "typo.yaml"), "snapshots:\n  keepdays: 3\n");
    assert.match(
      bad(["--config", join(dir, "typo.yaml")]),
      /typo\.yaml: unknown setting snapshots\.keepdays; known: home, /,
    );
    writeFileSync(join(dir, "wrong.json"), '{"motion": {"offDelayS": "soon"}}');
    assert.match(
      bad(["--config", join(dir, "wrong.json")]),
      /bridge setting motion\.offDelayS \(config file .*wrong\.json\): "soon" is not accepted; expected an integer from 0 to 3600 s/,
    );
    assert.match(bad(["--config", join(dir, "missing.yaml")]), /missing\.yaml: cannot read it \(ENOENT\)/);
  });

  test("the command exits 2 naming the setting, and 1 when a file a setting names is missing", () => {
    const run = (args: string[]) => spawnSync(process.execPath, [BRIDGE, ...args], { encoding: "utf8", cwd: dir });
    const usage = run(["--bridge-typo", "1"]);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /^doorbell-bridge: unknown option --bridge-typo/);
    const missing = run(["--home", join(dir, "nowhere")]);
    assert.equal(missing.status, 2);
    assert.match(
      missing.stderr,
      /bridge setting ownerKey \(--owner-key, DOORBELL_OWNER_KEY\): .*owner\.key: cannot read the key file \(ENOENT\)/,
    );
    assert.match(run(["--help"]).stdout, /--snapshots-max-mb\s+DOORBELL_SNAPSHOTS_MAX_MB/);
  });
});

describe("doorbell-bridge settings: Home Assistant's pictures", () => {
  const dir = mkdtempSync(join(tmpdir(), "doorbell-bridge-config-"));

  test("the pictures settings: a choice, a boolean (YAML's or a string), and the host picture links name", () => {
    writeFileSync(join(dir, "ha.yaml"), "ha:\n  pictures: mqtt\n  liveStillsOverMqtt: true\n");
    const c = loadBridgeConfig({ argv: ["--config", join(dir, "ha.yaml")], env: {}, cwd: dir });
    assert.deepEqual(c.ha, { pictures: "mqtt", pictureHost: "", liveStillsOverMqtt: true });
    const e = loadBridgeConfig({ argv: [], env: { DOORBELL_HA_LIVE_STILLS_OVER_MQTT: "false" }, cwd: dir });
    assert.equal(e.ha.liveStillsOverMqtt, false);
    const message = (argv: string[]) => {
      try {
        loadBridgeConfig({ argv, env: {}, cwd: dir });
      } catch (error) {
        return (error as Error).message;
      }
      return "no error";
    };
    assert.equal(
      message(["--ha-pictures", "base64"]),
      'bridge setting ha.pictures (flag --ha-pictures): "base64" is not accepted; expected one of url, mqtt',
    );
    assert.equal(
      message(["--ha-live-stills-over-mqtt", "yes"]),
      'bridge setting ha.liveStillsOverMqtt (flag --ha-live-stills-over-mqtt): "yes" is not accepted; expected true or false',
    );
    const set = loadBridgeConfig({ argv: ["--ha-picture-host", "bridge.home.arpa"], env: {}, cwd: dir });
    assert.equal(set.ha.pictureHost, "bridge.home.arpa");
    // The host in links: ha.pictureHost, else video.host; an any-address video.host gives its loopback address,
    // with a warning at start (it reaches the bridge only from its own machine).
    assert.deepEqual(pictureLinkHost("0.0.0.0", ""), { host: "127.0.0.1", guessed: true });
    assert.deepEqual(pictureLinkHost("::", ""), { host: "::1", guessed: true });
    assert.deepEqual(pictureLinkHost("0.0.0.0", "bridge.home.arpa"), { host: "bridge.home.arpa", guessed: false });
    assert.deepEqual(pictureLinkHost("192.168.1.5", ""), { host: "192.168.1.5", guessed: false });
    assert.equal(pictureLinkBase({ host: "::1", port: 8081, tls: true }), "https://[::1]:8081/pictures/");
    assert.equal(pictureLinkBase({ host: "127.0.0.1", port: 8081, tls: false }), "http://127.0.0.1:8081/pictures/");
  });
});
