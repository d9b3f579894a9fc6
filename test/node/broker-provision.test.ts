// SPDX-License-Identifier: MIT
// The broker side of provisioning: the listener's identity binding, CRL and bounds; `device revoke`,
// `device add --replace`, `bridge add` and `broker renew`; and broker/server.key, never replaced unless
// forced. The CRL is read back with OpenSSL, an independent parser. Against Mosquitto: broker-identity.test.ts.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { addDevice } from "../../bridge/provision/add-device.js";
import { MAX_PACKET_BYTES, MAX_PAYLOAD_BYTES } from "../../bridge/provision/broker-limits.js";
import { CRL_VALID_DAYS, readRevocationList, writeRevocationList } from "../../bridge/provision/crl.js";
import { homeLayout } from "../../bridge/provision/home-layout.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { MAX_ENVELOPE_BYTES } from "../../modules/envelope/layout.js";

const CLI = fileURLToPath(new URL("../../bridge/cli/doorbell.js", import.meta.url));
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const home = mkdtempSync(join(tmpdir(), "doorbell-revocation-"));
const layout = homeLayout(home);
const bundle = layout.deviceDir("frontdoor");
run(["keys", "init", "--out", home]);
for (const name of ["frontdoor", "garage"])
  addDevice({ home, name, brokerHost: "broker.home.arpa", brokerPort: 8884, crypto: createNodeCrypto() });
/** The CRL as OpenSSL reads it (an independent parser): verified against the CA, with its revoked serials. */
const crlText = () => {
  const r = spawnSync("openssl", ["crl", "-in", layout.crl, "-CAfile", layout.caCert, "-noout", "-text"], {
    encoding: "utf8",
  });
  assert.match(r.stderr, /verify OK/, r.stderr);
  return r.stdout;
};
const serialOf = (name: string) =>
  new X509Certificate(readFileSync(join(layout.deviceDir(name), "device-cert.der"))).serialNumber.toUpperCase();

test("the listener binds the client id to the certificate, loads the CRL and bounds sizes and queues", () => {
  const conf = readFileSync(layout.mosquittoConf, "utf8").split("\n");
  for (const line of [
    "use_username_as_clientid true",
    `crlfile ${layout.crl}`,
    `max_packet_size ${MAX_PACKET_BYTES}`,
    `message_size_limit ${MAX_PAYLOAD_BYTES}`,
    "max_queued_messages 1000",
    `max_queued_bytes ${64 * 1024 * 1024}`,
  ])
    assert.ok(conf.includes(line), line);
  assert.equal(MAX_PAYLOAD_BYTES, MAX_ENVELOPE_BYTES, "the largest legitimate payload is a sealed event at its limit");
});

test("the CRL is a v2 CRL signed by the CA (RFC 5280 §5), valid CRL_VALID_DAYS, with a CRL number, empty at first", () => {
  const text = crlText();
  assert.match(text, /Version 2/);
  assert.match(text, /X509v3 CRL Number:\s+\d+/);
  assert.match(text, /X509v3 Authority Key Identifier/);
  assert.match(text, /No Revoked Certificates/);
  const next = new Date(/Next Update: (.+)/.exec(text)![1]).getTime();
  assert.ok(Math.abs(next - Date.now() - CRL_VALID_DAYS * 86_400_000) < 2 * 3_600_000, "nextUpdate");
});

test("device revoke puts the certificate on the CRL and keeps the bundle; device add --replace does so, then re-provisions", () => {
  const garageSerial = serialOf("garage");
  const revoke = run(["device", "revoke", "garage", "--out", home]);
  assert.equal(revoke.status, 0, revoke.stderr);
  assert.match(revoke.stdout, /Restart Mosquitto/);
  assert.ok(!existsSync(layout.deviceDir("garage")));
  const kept = readdirSync(layout.revokedDir).find((d) => d.startsWith("garage-"))!;
  assert.ok(existsSync(join(layout.revokedDir, kept, "device.key")), "the old keys are kept, not deleted");
  assert.match(crlText(), new RegExp(`Serial Number: ${garageSerial}`));
  assert.match(run(["device", "revoke", "garage", "--out", home]).stderr, /device garage: .* not found/);

  const frontSerial = serialOf("frontdoor");
  const oldKey = readFileSync(join(bundle, "device.key"), "utf8");
  const replace = run(["device", "add", "frontdoor", "--out", home, "--broker-host", "broker.home.arpa", "--replace"]);
  assert.equal(replace.status, 0, replace.stderr);
  assert.notEqual(serialOf("frontdoor"), frontSerial);
  assert.notEqual(readFileSync(join(bundle, "device.key"), "utf8"), oldKey);
  const text = crlText();
  assert.match(text, new RegExp(`Serial Number: ${frontSerial}`), "the old certificate is revoked");
  assert.match(text, new RegExp(`Serial Number: ${garageSerial}`), "and the earlier revocation is kept");
  assert.doesNotMatch(text, new RegExp(`Serial Number: ${serialOf("frontdoor")}`), "the new one is not");
  const oldDir = readdirSync(layout.revokedDir).find((d) => d.startsWith("frontdoor-"))!;
  assert.equal(readFileSync(join(layout.revokedDir, oldDir, "device.key"), "utf8"), oldKey);
});

test("bridge add gives a further bridge its own certificate (CN doorbell-bridge-<name>) and the bridge's rights in the ACL", () => {
  const r = run(["bridge", "add", "second", "--out", home]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /--broker-client-id doorbell-bridge-second --broker-share-group/);
  const cert = new X509Certificate(readFileSync(join(layout.bridgesDir, "second", "bridge.pem")));
  assert.match(cert.subject, /CN=doorbell-bridge-second/);
  assert.equal(statSync(join(layout.bridgesDir, "second", "bridge.key")).mode & 0o777, 0o600);
  const acl = readFileSync(layout.mosquittoAcl, "utf8");
  const rules = (user: string) => acl.split(`user ${user}\n`)[1].split("\n\n")[0];
  assert.equal(rules("doorbell-bridge-second"), rules("doorbell-bridge"));
  assert.match(run(["bridge", "add", "second", "--out", home]).stderr, /refusing to overwrite bridge second/);
  assert.match(run(["bridge", "add", "Bad Name", "--out", home]).stderr, /bridge name: "Bad Name" is not accepted/);
});

test("broker/server.key is never overwritten without --force: a new host, broker renew and an unreadable key keep it", () => {
  const key = readFileSync(layout.serverKey, "utf8");
  addDevice({ home, name: "shed", brokerHost: "10.0.0.9", brokerPort: 8884, crypto: createNodeCrypto() });
  const server = new X509Certificate(readFileSync(layout.serverCert));
  assert.equal(server.checkIP("10.0.0.9"), "10.0.0.9", "re-issued for the new host");
  assert.equal(readFileSync(layout.serverKey, "utf8"), key, "for the same key");
  assert.ok(server.checkPrivateKey(createPrivateKey(key)));
  assert.equal(run(["broker", "renew", "--out", home]).status, 0);
  assert.equal(readFileSync(layout.serverKey, "utf8"), key);
  writeFileSync(layout.serverKey, "damaged");
  const refused = run(["broker", "renew", "--out", home]);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /server\.key: not a readable RSA private key .* It was kept; .* --force/);
  assert.equal(readFileSync(layout.serverKey, "utf8"), "damaged", "kept as it was");
  const forced = run(["broker", "renew", "--out", home, "--force"]);
  assert.equal(forced.status, 0, forced.stderr);
  assert.ok(
    new X509Certificate(readFileSync(layout.serverCert)).checkPrivateKey(
      createPrivateKey(readFileSync(layout.serverKey)),
    ),
  );
  assert.equal(statSync(layout.serverKey).mode & 0o777, 0o600);
});

test("the revocation list (ca/revoked.txt) reads back what was written; a damaged one is refused naming the line", () => {
  const dir = mkdtempSync(join(tmpdir(), "doorbell-revoked-"));
  const path = join(dir, "revoked.txt");
  assert.deepEqual(readRevocationList(path), { crlNumber: 0, revoked: [] }, "absent: empty");
  const list = {
    crlNumber: 7,
    revoked: [
      { serialHex: "0a1b2c", revokedAt: "2026-12-04T15:00:00.000Z", commonName: "frontdoor" },
      { serialHex: "ff00", revokedAt: "2026-12-05T08:30:00.000Z", commonName: "shed door" },
    ],
  };
  writeRevocationList(path, list);
  assert.deepEqual(readRevocationList(path), list);
  for (const [text, line] of [
    ["crlNumber: 7\n", "line 1"],
    ["# doorbell revocation list, crl-number 7\nnot-hex 2026-12-04T15:00:00.000Z frontdoor\n", "line 2"],
    ["# doorbell revocation list, crl-number 7\n0a1b2c yesterday frontdoor\n", "line 2"],
  ] as const) {
    writeFileSync(path, text);
    assert.throws(
      () => readRevocationList(path),
      (e: Error) => e.message.includes(line) && e.message.includes(path),
    );
  }
});
