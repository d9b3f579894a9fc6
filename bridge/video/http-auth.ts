// SPDX-License-Identifier: MIT
// Who may watch: on a loopback address anyone on this machine, beyond it only with the configured user and
// password (HTTP Basic, RFC 7617), compared in constant time. Basic sends the password in the clear, so beyond
// loopback the endpoint belongs behind TLS: its own (video.tlsCert) or a reverse proxy's.
import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";

export interface HttpCredentials {
  user: string;
  password: string;
}

/** The shortest password accepted beyond loopback. */
export const MIN_PASSWORD_CHARS = 12;
export const REALM = "doorbell";

/** Whether `host` (a bind address or name) only reaches this machine: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  return mapped?.[1].startsWith("127.") ?? false;
}

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/**
 * The decision for each request, fixed at start from the bind address: `check(authorization header)` returns
 * true when the request may proceed. Throws, naming what to set, when `host` is beyond loopback and no
 * credentials (or too short a password) are given.
 */
export function createHttpAuth(o: { host: string; credentials?: HttpCredentials }): {
  required: boolean;
  check(authorization: string | undefined): boolean;
} {
  if (isLoopbackHost(o.host)) return { required: false, check: () => true };
  const c = o.credentials;
  if (!c)
    throw new Error(
      `video.host ${o.host} is beyond loopback: a user and password are required (video.user, video.passwordFile)`,
    );
  if (c.password.length < MIN_PASSWORD_CHARS)
    throw new Error(`video.passwordFile: the password must have at least ${MIN_PASSWORD_CHARS} characters`);
  if (!c.user || c.user.includes(":")) throw new Error("video.user: expected a non-empty name without ':'");
  const userDigest = digest(c.user);
  const passwordDigest = digest(c.password);
  return {
    required: true,
    check(authorization) {
      const m = /^Basic ([A-Za-z0-9+/=]{1,1024})$/i.exec(authorization?.trim() ?? "");
      if (!m) return false;
      const decoded = Buffer.from(m[1], "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon < 0) return false;
      // Both compared in full, over fixed-length digests, so neither the length nor the first wrong byte shows.
      const userOk = timingSafeEqual(digest(decoded.slice(0, colon)), userDigest);
      const passwordOk = timingSafeEqual(digest(decoded.slice(colon + 1)), passwordDigest);
      return userOk && passwordOk;
    },
  };
}

/** The `WWW-Authenticate` challenge of a 401 (RFC 7617 §2). */
export const BASIC_CHALLENGE = `Basic realm="${REALM}", charset="UTF-8"`;
