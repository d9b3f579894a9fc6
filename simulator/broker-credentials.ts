// SPDX-License-Identifier: MIT
// The embedded broker's credentials when it listens beyond loopback: a user name and a random password made
// per run, written mode 0600 to `<data dir>/broker-credentials.json` for a tester's own MQTT client, and
// passed to the firmware and the bridge. Never logged: the simulator prints the file's path only.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface BrokerCredentials {
  username: string;
  password: string;
}

export const BROKER_USERNAME = "doorbell-sim";

/** Where the simulator writes the credentials under its data directory. */
export function brokerCredentialsPath(dataDir: string): string {
  return join(dataDir, "broker-credentials.json");
}

/** True for an address that only this machine can reach: 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Fresh credentials (a 128-bit random password, hex), written to `file` mode 0600. */
export function createBrokerCredentials(file: string): BrokerCredentials {
  const credentials = { username: BROKER_USERNAME, password: randomBytes(16).toString("hex") };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(credentials)}\n`, { mode: 0o600 });
  return credentials;
}

/** Compares in constant time what a client sent with the expected credentials. */
export function credentialsMatch(expected: BrokerCredentials, username?: string, password?: Buffer): boolean {
  const same = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);
  return (
    same(Buffer.from(username ?? ""), Buffer.from(expected.username)) &&
    same(password ?? Buffer.alloc(0), Buffer.from(expected.password))
  );
}
