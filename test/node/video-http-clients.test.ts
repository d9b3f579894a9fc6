// SPDX-License-Identifier: MIT
// The bridge's MJPEG endpoint with plain HTTP clients (issue 10 acceptance): curl reads the live view on loopback;
// with the decision made for a bind address beyond loopback, curl without or with wrong credentials gets 401 and
// with the right ones reads the stream; and an address that keeps guessing is locked out for a doubling time
// (bridge/video/auth-throttle.ts) while other addresses are not. Only loopback is contacted.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  createAuthThrottle,
  FORGET_AFTER_MS,
  FREE_FAILURES,
  LOCKOUT_BASE_MS,
  LOCKOUT_MAX_MS,
} from "../../bridge/video/auth-throttle.js";
import { createHttpAuth } from "../../bridge/video/http-auth.js";
import { createMjpegReader, type MjpegPart } from "../../bridge/video/mjpeg.js";
import { createOwnerVideo, type OwnerVideo } from "../../bridge/video/owner-video.js";
import { startVideoServer, type VideoServer } from "../../bridge/video/video-server.js";
import { createLogger } from "../../modules/logger.js";
import { highwayJpegs, openedFrame } from "../support/opened-frames.js";

const JPEGS = highwayJpegs();
const lines: string[] = [];
const log = createLogger({ write: (level, tag, message) => void lines.push(`${level} ${tag} ${message}`) }, "video");
const credentials = { user: "owner", password: "correct horse battery" };
const noTimers = { set: () => 0, clear: () => undefined };
let clockMs = Date.UTC(2026, 9, 1, 8, 0, 0);
const now = () => clockMs;

/**
 * Runs curl with `args`; resolves with its HTTP status (-w) once it exits, or, with `enough`, the MJPEG parts it
 * printed once `enough` holds (curl is then stopped).
 */
function curl(args: string[], enough?: (parts: MjpegPart[]) => boolean, feed?: () => void) {
  const child = spawn("curl", ["-sS", "-N", "--max-time", "30", "-w", "\n%{http_code}", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const parts: MjpegPart[] = [];
  const read = createMjpegReader((p) => parts.push(p));
  let out = Buffer.alloc(0);
  child.stdout.on("data", (d: Buffer) => {
    out = Buffer.concat([out, d]);
    if (enough) read(d);
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => void (stderr += d));
  const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
  return (async () => {
    let exited = false;
    void closed.then(() => void (exited = true));
    if (enough) {
      for (let i = 0; i < 1000 && !exited && !enough(parts); i++) {
        feed?.();
        await new Promise((r) => setTimeout(r, 20));
      }
      if (!exited) child.kill();
    }
    await closed;
    const status = /(\d{3})$/.exec(out.toString("latin1"))?.[1];
    return { status: Number(status ?? 0), parts, stderr };
  })();
}

/** A GET from `localAddress` (another loopback address is another client). */
function request(url: string, localAddress: string, authorization?: string) {
  return new Promise<{ status: number; retryAfter?: string }>((resolve, reject) => {
    get(url, { localAddress, headers: authorization ? { Authorization: authorization } : {} }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"] }));
    }).on("error", reject);
  });
}
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/** The owner's video with its endpoint on loopback, deciding as for `host`. */
async function serve(host: string): Promise<{ video: OwnerVideo; server: VideoServer }> {
  const auth = createHttpAuth({ host, credentials: host === "127.0.0.1" ? undefined : credentials });
  const video = createOwnerVideo({
    deviceIds: ["frontdoor"],
    sendLiveView: () => undefined,
    authorize: auth.check,
    log,
    timers: noTimers,
    now,
  });
  const server = await startVideoServer({ host: "127.0.0.1", port: 0, handler: video.handler, log });
  return { video, server };
}

let loopback: Awaited<ReturnType<typeof serve>>;
let guarded: Awaited<ReturnType<typeof serve>>;
before(async () => {
  loopback = await serve("127.0.0.1");
  guarded = await serve("0.0.0.0"); // the decision for a bind beyond loopback, served on loopback for the test
});
after(async () => {
  for (const s of [loopback, guarded]) {
    await s?.server.close();
    await s?.video.close();
  }
});

const feeder = (video: OwnerVideo) => {
  let i = 0;
  const sent: Uint8Array[] = [];
  return {
    sent,
    feed: () => {
      if (video.hub.viewers("frontdoor") === 0) return;
      const jpeg = JPEGS[i % JPEGS.length];
      video.sink.frame(openedFrame({ i: i++, jpeg }));
      sent.push(jpeg);
    },
  };
};

describe("the MJPEG endpoint with a plain HTTP client (issue 10 acceptance)", () => {
  test("curl reads the live view on loopback: every part a JPEG that was sent, in order", async () => {
    const { sent, feed } = feeder(loopback.video);
    const got = await curl([`${loopback.server.url}/live/frontdoor.mjpeg`], (p) => p.length >= 5, feed);
    assert.ok(got.parts.length >= 5, got.stderr);
    const first = sent.findIndex((j) => Buffer.from(j).equals(Buffer.from(got.parts[0].jpeg)));
    assert.ok(first >= 0, "curl's first part is a frame that was sent");
    got.parts.forEach((p, i) => {
      assert.equal(p.headers["content-type"], "image/jpeg");
      assert.deepEqual(p.jpeg, sent[first + i], `part ${i}`);
    });
    const head = await curl(["-I", "-o", "/dev/null", `${loopback.server.url}/live/frontdoor.mjpeg`]);
    assert.equal(head.status, 200);
  });

  test("beyond loopback: curl without or with wrong credentials gets 401; with the right ones it reads the stream", async () => {
    const url = `${guarded.server.url}/live/frontdoor.mjpeg`;
    const none = await curl(["-o", "/dev/null", url]);
    assert.equal(none.status, 401);
    const wrong = await curl(["-o", "/dev/null", "-u", "owner:wrong password!", url]);
    assert.equal(wrong.status, 401);
    const other = await curl(["-o", "/dev/null", "-u", `intruder:${credentials.password}`, url]);
    assert.equal(other.status, 401);
    assert.equal(guarded.video.hub.viewers("frontdoor"), 0, "a refused request never becomes a viewer");
    const { sent, feed } = feeder(guarded.video);
    const ok = await curl(["-u", `${credentials.user}:${credentials.password}`, url], (p) => p.length >= 3, feed);
    assert.ok(ok.parts.length >= 3, ok.stderr);
    for (const p of ok.parts) assert.ok(sent.some((j) => Buffer.from(j).equals(Buffer.from(p.jpeg))));
    assert.ok(
      lines.some((l) => l.includes("wrong credentials")),
      "wrong credentials are logged",
    );
    assert.ok(!lines.some((l) => l.includes(credentials.password)), "never the password");
  });

  test("beyond loopback: ffmpeg with the credentials in its URL reads the stream; the JPEGs it copies out were sent", async () => {
    const out = mkdtempSync(join(tmpdir(), "doorbell-mjpeg-auth-"));
    const { port } = new URL(guarded.server.url);
    const url = `http://${credentials.user}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/live/frontdoor.mjpeg`;
    const args = ["-hide_banner", "-loglevel", "error", "-f", "mpjpeg", "-i", url, "-frames:v", "3", "-c", "copy"];
    const ffmpeg = spawn("ffmpeg", [...args, "-f", "image2", join(out, "%03d.jpg")], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    ffmpeg.stderr.on("data", (d: Buffer) => void (stderr += d));
    const exited = new Promise<number | null>((resolve) => ffmpeg.on("close", resolve));
    let done = false;
    void exited.then(() => void (done = true));
    const { sent, feed } = feeder(guarded.video);
    for (let i = 0; i < 1000 && !done; i++) {
      feed();
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(await exited, 0, stderr);
    const files = readdirSync(out).sort();
    assert.equal(files.length, 3);
    for (const f of files) {
      const jpeg = readFileSync(join(out, f));
      assert.ok(
        sent.some((j) => Buffer.from(j).equals(jpeg)),
        `${f} is a frame that was sent`,
      );
    }
  });
});

describe("the MJPEG endpoint beyond loopback: password guessing is bounded", () => {
  test("wrong passwords: after five, the address is locked out (429, Retry-After) for a doubling time; others are not", async () => {
    const url = `${guarded.server.url}/live/frontdoor.json`;
    const right = basic(credentials.user, credentials.password);
    const wrong = basic(credentials.user, "not the password");
    const guesser = "127.0.0.2";
    for (let i = 0; i < FREE_FAILURES; i++)
      assert.equal((await request(url, guesser, wrong)).status, 401, `guess ${i}`);
    assert.equal((await request(url, guesser, right)).status, 200, "five wrong guesses do not lock out");
    for (let i = 0; i < FREE_FAILURES; i++) await request(url, guesser, wrong);
    assert.equal((await request(url, guesser, wrong)).status, 401, "the sixth is refused and locks");
    const locked = await request(url, guesser, right);
    assert.deepEqual(locked, { status: 429, retryAfter: String(LOCKOUT_BASE_MS / 1000) }, "even the right password");
    assert.equal((await request(url, guesser)).status, 429, "and a request without any");
    assert.equal((await request(url, "127.0.0.3", right)).status, 200, "another address is not locked out");
    clockMs += LOCKOUT_BASE_MS;
    assert.equal((await request(url, guesser, wrong)).status, 401, "the next guess after the lockout");
    assert.equal((await request(url, guesser, right)).retryAfter, String((2 * LOCKOUT_BASE_MS) / 1000), "doubled");
    clockMs += 2 * LOCKOUT_BASE_MS;
    assert.equal((await request(url, guesser, right)).status, 200, "the right password after the lockout clears it");
    assert.equal((await request(url, guesser, wrong)).status, 401);
    assert.equal((await request(url, guesser, right)).status, 200, "counted afresh");
  });

  test("the lockout is bounded in time and the addresses tracked are bounded in number", () => {
    let t = 0;
    const throttle = createAuthThrottle({ now: () => t, maxAddresses: 100 });
    for (let i = 0; i < 40; i++) throttle.failed("a");
    assert.equal(throttle.retryAfterMs("a"), LOCKOUT_MAX_MS);
    t += LOCKOUT_MAX_MS + FORGET_AFTER_MS + 1;
    assert.equal(throttle.retryAfterMs("a"), 0);
    throttle.failed("a");
    assert.equal(throttle.retryAfterMs("a"), 0, "an hour without a failure forgets the address");
    for (let i = 0; i < 1000; i++) throttle.failed(`10.0.${i >> 8}.${i & 255}`);
    assert.equal(throttle.tracked, 100);
  });
});
