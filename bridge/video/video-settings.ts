// SPDX-License-Identifier: MIT
// The video endpoint's settings turned into what it runs with: the access decision (credentials beyond loopback,
// from a password file of mode 0600) and the optional TLS certificate. Errors name the setting and what to do.
import { readFileSync, statSync } from "node:fs";
import { BridgeConfigError, type BridgeConfig } from "../bridge-config.js";
import { createHttpAuth, isLoopbackHost } from "./http-auth.js";

/** Reads a password file: refused unless only its owner may read it; one trailing newline is not part of it. */
export function readPasswordFile(path: string): string {
  let mode: number;
  let text: string;
  try {
    mode = statSync(path).mode;
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new BridgeConfigError(
      `bridge setting video.passwordFile: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "error"}); ` +
        "write a password of at least 12 characters there with mode 0600",
    );
  }
  if (process.platform !== "win32" && (mode & 0o077) !== 0)
    throw new BridgeConfigError(
      `bridge setting video.passwordFile: ${path} has mode 0${(mode & 0o777).toString(8)}; others may read it: chmod 600 ${path}`,
    );
  return text.replace(/\r?\n$/, "");
}

/** The access decision and TLS material for `config.video`; throws BridgeConfigError on a bad setting. */
export function videoAccess(video: BridgeConfig["video"]): {
  authorize(authorization: string | undefined): boolean;
  required: boolean;
  tls?: { cert: Buffer; key: Buffer };
} {
  const loopback = isLoopbackHost(video.host);
  const credentials = loopback ? undefined : { user: video.user, password: readPasswordFile(video.passwordFile) };
  let auth: ReturnType<typeof createHttpAuth>;
  try {
    auth = createHttpAuth({ host: video.host, credentials });
  } catch (error) {
    throw new BridgeConfigError(`bridge setting ${(error as Error).message}`);
  }
  let tls: { cert: Buffer; key: Buffer } | undefined;
  if (video.tlsCert) {
    const read = (setting: string, path: string) => {
      try {
        return readFileSync(path);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? "error";
        throw new BridgeConfigError(`bridge setting ${setting}: cannot read ${path} (${code})`);
      }
    };
    tls = { cert: read("video.tlsCert", video.tlsCert), key: read("video.tlsKey", video.tlsKey) };
  }
  return { authorize: auth.check, required: auth.required, tls };
}
