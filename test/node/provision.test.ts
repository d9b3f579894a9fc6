// SPDX-License-Identifier: MIT
// `doorbell device add`: the device bundle of docs/build-and-flash.md, RSA certificates from one reused
// CA, and a Mosquitto listener and ACL (exercised against a real Mosquitto in mosquitto.test.ts).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { readPrivateKey } from "../../bridge/key-files.js";
import { addDevice } from "../../bridge/provision/add-device.js";
import { homeLayout } from "../../bridge/provision/home-layout.js";
import { BUNDLE_PARTITION_BYTES } from "../../hosts/esp32/flash-layout.js";
import { decodeBundleImage } from "../../modules/bundle-image.js";
import { toHex } from "../../modules/bytes.js";

const CLI = fileURLToPath(new URL("../../bridge/cli/doorbell.js", import.meta.url));
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** An owner's home (`doorbell keys init`) with one device, frontdoor, added through the CLI. */
function provisionFrontdoor() {
  const home = mkdtempSync(join(tmpdir(), "doorbell-provision-"));
  const init = run(["keys", "init", "--out", home]);
  const cli = run([
    "device",
    "add",
    "frontdoor",
    "--out",
    home,
    "--broker-host",
    "broker.home.arpa",
    "--broker-port",
    "8884",
    "--display-name",
    "Front door",
  ]);
  const layout = homeLayout(home);
  return { home, init, cli, layout, bundle: layout.deviceDir("frontdoor") };
}

type Provisioned = ReturnType<typeof provisionFrontdoor>;

function assertBundle({ init, cli, layout, bundle }: Provisioned) {
  assert.equal(init.status, 0, init.stderr);
  assert.equal(cli.status, 0, cli.stderr);
  assert.deepEqual(readdirSync(bundle).sort(), [
    "broker-ca.der",
    "bundle.bin",
    "device-cert.der",
    "device-config.json",
    "device-key.der",
    "device.key",
    "device.pub",
  ]);
  for (const f of ["device-config.json", "device-key.der", "device.key", "bundle.bin"])
    assert.equal(statSync(join(bundle, f)).mode & 0o777, 0o600, f);
  const cfg = JSON.parse(readFileSync(join(bundle, "device-config.json"), "utf8"));
  assert.equal(cfg.format, "doorbell-device/1");
  assert.deepEqual(cfg.tls, { ca: "broker-ca.der", cert: "device-cert.der", key: "device-key.der" });
  assert.deepEqual(cfg.config, {
    deviceId: "frontdoor",
    deviceName: "Front door",
    mqtt: { host: "broker.home.arpa", port: 8884 },
    keys: {
      ownerPublic: readFileSync(layout.ownerPublic, "utf8").trim(),
      ownerSigningPublic: readFileSync(layout.ownerSigningPublic, "utf8").trim(),
    },
    outbox: { confirm: true }, // a new device waits for the owner's confirmations (docs/delivery.md)
  });
  const crypto = createNodeCrypto();
  assert.equal(
    toHex(crypto.x25519(readPrivateKey(join(bundle, "device.key")))),
    readFileSync(join(bundle, "device.pub"), "utf8").trim(),
  );
  assert.equal(cfg.deviceKey, toHex(readPrivateKey(join(bundle, "device.key"))), "the flashed secret is the pair's");
}

/** bundle.bin is the bundle partition's image: exactly the four bundle files, for esptool.py at the partition's offset. */
function assertBundleImage({ cli, bundle, home }: Provisioned) {
  const image = new Uint8Array(readFileSync(join(bundle, "bundle.bin")));
  assert.equal(image.length, BUNDLE_PARTITION_BYTES);
  const files = decodeBundleImage(image);
  assert.deepEqual(
    files.map((f) => f.name),
    ["device-config.json", "broker-ca.der", "device-cert.der", "device-key.der"],
  );
  for (const f of files) assert.deepEqual(Buffer.from(f.bytes), readFileSync(join(bundle, f.name)), f.name);
  const command = `esptool.py --chip esp32 write_flash 0x12000 ${join(bundle, "bundle.bin")}`;
  assert.ok(cli.stdout.includes(command), cli.stdout);
  // After a hand edit, `device image` rewrites it from the files.
  const config = JSON.parse(readFileSync(join(bundle, "device-config.json"), "utf8"));
  config.config.deviceName = "Porch";
  writeFileSync(join(bundle, "device-config.json"), JSON.stringify(config));
  const again = run(["device", "image", "frontdoor", "--out", home]);
  assert.equal(again.status, 0, again.stderr);
  assert.ok(again.stdout.includes(command), again.stdout);
  const rewritten = decodeBundleImage(new Uint8Array(readFileSync(join(bundle, "bundle.bin"))));
  assert.equal(JSON.parse(Buffer.from(rewritten[0].bytes).toString("utf8")).config.deviceName, "Porch");
  assert.equal(statSync(join(bundle, "bundle.bin")).mode & 0o777, 0o600);
  const missing = run(["device", "image", "nosuch", "--out", home]);
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /nosuch\/device-config\.json not found: no such device/);
}

function assertDeviceTls({ layout, bundle }: Provisioned) {
  const key = createPrivateKey({ key: readFileSync(join(bundle, "device-key.der")), format: "der", type: "pkcs8" });
  assert.equal(key.asymmetricKeyType, "rsa", "Moddable's TLS signs CertificateVerify with RSA only");
  assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
  const ca = new X509Certificate(readFileSync(join(bundle, "broker-ca.der")));
  assert.ok(ca.ca);
  assert.equal(
    ca.fingerprint256,
    new X509Certificate(readFileSync(layout.caCert)).fingerprint256,
    "the bundle pins the broker CA",
  );
  const cert = new X509Certificate(readFileSync(join(bundle, "device-cert.der")));
  assert.match(cert.subject, /CN=frontdoor/);
  assert.ok(cert.verify(ca.publicKey));
  assert.ok(cert.checkPrivateKey(key));
  assert.deepEqual(cert.keyUsage, ["1.3.6.1.5.5.7.3.2"], "clientAuth");
  assert.equal(cert.publicKey.asymmetricKeyType, "rsa");
}

function assertMosquittoSnippet({ layout }: Provisioned) {
  const conf = readFileSync(layout.mosquittoConf, "utf8");
  for (const line of [
    "listener 8884",
    "require_certificate true",
    "use_identity_as_username true",
    "tls_version tlsv1.2",
    `acl_file ${layout.mosquittoAcl}`,
    `cafile ${layout.caCert}`,
    "allow_anonymous false",
  ]) {
    assert.ok(conf.split("\n").includes(line), line);
  }
  assert.match(conf, /^ciphers .*ECDHE-RSA-AES128-GCM-SHA256/m);
  const acl = readFileSync(layout.mosquittoAcl, "utf8").split("\n");
  for (const line of [
    "pattern write doorbell/%u/status",
    "pattern write doorbell/%u/sealed/event",
    "pattern write doorbell/%u/sealed/video",
    "topic read doorbell/+/sealed/video",
    "pattern read doorbell/%u/sealed/cmd",
    "pattern read doorbell/%u/sealed/ack",
    "user doorbell-bridge",
    "topic write doorbell/+/sealed/cmd",
    "topic write doorbell/+/sealed/ack",
    "user homeassistant",
  ]) {
    assert.ok(acl.includes(line), line);
  }
}

function assertSecondDeviceAndRefusals({ home, layout, bundle }: Provisioned) {
  const caBefore = readFileSync(layout.caCert, "utf8");
  const serverBefore = readFileSync(layout.serverCert, "utf8");
  const deviceKeyBefore = readFileSync(join(bundle, "device.key"), "utf8");
  addDevice({ home, name: "backdoor", brokerHost: "broker.home.arpa", brokerPort: 8884, crypto: createNodeCrypto() });
  assert.equal(readFileSync(layout.caCert, "utf8"), caBefore);
  assert.equal(readFileSync(layout.serverCert, "utf8"), serverBefore);
  const second = new X509Certificate(readFileSync(join(layout.deviceDir("backdoor"), "device-cert.der")));
  assert.ok(second.verify(new X509Certificate(caBefore).publicKey));

  const again = run(["device", "add", "frontdoor", "--out", home, "--broker-host", "broker.home.arpa"]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /refusing to overwrite device frontdoor.s keys. To re-provision it, pass --replace/);
  assert.equal(readFileSync(join(bundle, "device.key"), "utf8"), deviceKeyBefore);
  assert.match(
    run(["device", "add", "doorbell-bridge", "--out", home]).stderr,
    /reserved for the bridges. broker identities/,
  );
  assert.match(
    run(["device", "add", "doorbell-bridge-2", "--out", home]).stderr,
    /reserved for the bridges. broker identities/,
  );
  const bad = run(["device", "add", "Front Door", "--out", home]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /device name: "Front Door" is not accepted; expected .*lowercase letters/);
  const noOwner = run(["device", "add", "x", "--out", mkdtempSync(join(tmpdir(), "doorbell-empty-"))]);
  assert.match(noOwner.stderr, /run doorbell keys init --out/);
}

describe("doorbell device add", () => {
  const provisioned = provisionFrontdoor();
  const { home, cli, layout } = provisioned;

  test("writes exactly the doorbell-device/1 bundle plus the device's X25519 pair, secrets mode 0600", () =>
    assertBundle(provisioned));

  test("writes bundle.bin, the bundle partition's image, prints the esptool.py command, and device image rewrites it", () =>
    assertBundleImage(provisioned));

  test("the device's TLS key is RSA 2048 in DER PKCS#8, and its certificate (CN = device id, clientAuth) chains to the CA", () =>
    assertDeviceTls(provisioned));

  test("the broker certificate is RSA too and names the broker host, localhost and 127.0.0.1", () => {
    const server = new X509Certificate(readFileSync(layout.serverCert));
    assert.equal(
      server.publicKey.asymmetricKeyType,
      "rsa",
      "ECDHE_RSA suites: the only ones in which the SDK sends a client certificate",
    );
    assert.ok(server.verify(new X509Certificate(readFileSync(layout.caCert)).publicKey));
    assert.equal(server.checkHost("broker.home.arpa"), "broker.home.arpa");
    assert.equal(server.checkIP("127.0.0.1"), "127.0.0.1");
    assert.deepEqual(server.keyUsage, ["1.3.6.1.5.5.7.3.1"], "serverAuth");
  });

  test("the Mosquitto snippet requires client certificates, takes the CN as user name and confines devices by ACL", () =>
    assertMosquittoSnippet(provisioned));

  test("the output explains why the certificates are RSA, not the P-256 the issue asked for", () => {
    assert.match(cli.stdout, /RSA 2048, not P-256/);
    assert.match(run(["device", "add", "--help"]).stdout, /P-256 is the curve of the ECDHE key exchange/);
  });

  test("a second device reuses the CA and the broker certificate; an existing device, a reserved or a bad name is refused", () =>
    assertSecondDeviceAndRefusals(provisioned));

  test("a new broker host re-issues the broker certificate with both names", () => {
    addDevice({ home, name: "garage", brokerHost: "192.168.1.5", brokerPort: 8884, crypto: createNodeCrypto() });
    const server = new X509Certificate(readFileSync(layout.serverCert));
    assert.equal(server.checkIP("192.168.1.5"), "192.168.1.5");
    assert.equal(server.checkHost("broker.home.arpa"), "broker.home.arpa");
  });
});
