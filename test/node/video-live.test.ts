// SPDX-License-Identifier: MIT
// The bridge's live view over HTTP on loopback: MJPEG framing (multipart/x-mixed-replace, RFC 2046 §5.1) read by a
// plain client and by ffmpeg, one device stream shared by every viewer, a slow viewer that misses frames without
// holding up a fast one, the live-view start/renew/stop it sends, the still and the figures, and who may watch.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { BridgeTimers } from "../../bridge/ha-sync.js";
import { createSnapshotStore } from "../../bridge/snapshot-store.js";
import { createHttpAuth } from "../../bridge/video/http-auth.js";
import { RENEW_AT_FRACTION, STOP_GRACE_MS } from "../../bridge/video/live-demand.js";
import { MJPEG_BOUNDARY } from "../../bridge/video/mjpeg.js";
import type { OpenedFrame } from "../../bridge/video/opened-frame.js";
import { createOwnerVideo, type OwnerVideo } from "../../bridge/video/owner-video.js";
import { startVideoServer, type VideoServer } from "../../bridge/video/video-server.js";
import type { LiveViewRequest } from "../../modules/commands.js";
import { createLogger } from "../../modules/logger.js";
import { until } from "../support/mqtt-watch.js";
import { fetchBytes, openMjpeg } from "../support/mjpeg-client.js";
import { highwayJpegs, openedFrame } from "../support/opened-frames.js";

const JPEGS = highwayJpegs();
const lines: string[] = [];
const log = createLogger({ write: (level, tag, message) => void lines.push(`${level} ${tag} ${message}`) }, "video");

/** Timers fired by hand, with a clock they advance: nothing waits on real time. */
function manualTimers() {
  let nowMs = Date.UTC(2026, 9, 1, 8, 0, 0);
  let queue: { at: number; fn: () => void; id: number }[] = [];
  let ids = 0;
  const timers: BridgeTimers = {
    set: (fn, ms) => {
      queue.push({ at: nowMs + ms, fn, id: ++ids });
      return ids;
    },
    clear: (id) => {
      queue = queue.filter((t) => t.id !== id);
    },
  };
  return {
    timers,
    now: () => nowMs,
    advance(ms: number) {
      const end = nowMs + ms;
      for (let guard = 0; guard < 10_000; guard++) {
        const due = queue.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        queue = queue.filter((t) => t !== due);
        nowMs = due.at;
        due.fn();
      }
      nowMs = end;
    },
  };
}

let video: OwnerVideo;
let server: VideoServer;
let clock: ReturnType<typeof manualTimers>;
const sent: { deviceId: string; live: LiveViewRequest }[] = [];
let frameNo = 0;
const push = (jpeg = JPEGS[frameNo % JPEGS.length]) => {
  const f = openedFrame({ i: frameNo++, jpeg });
  video.sink.frame(f);
  return f;
};

before(async () => {
  clock = manualTimers();
  video = createOwnerVideo({
    deviceIds: ["frontdoor", "backdoor"],
    sendLiveView: (deviceId, live) => void sent.push({ deviceId, live }),
    liveSeconds: 60,
    log,
    timers: clock.timers,
    now: clock.now,
  });
  server = await startVideoServer({ host: "127.0.0.1", port: 0, handler: video.handler, log });
});
after(async () => {
  await server.close();
  await video.close();
});

describe("live view: MJPEG over HTTP", () => {
  test("a plain client gets multipart/x-mixed-replace parts, each image/jpeg with Content-Length, the bytes sent", async () => {
    const client = await openMjpeg(`${server.url}/live/frontdoor.mjpeg`);
    assert.equal(client.status, 200);
    assert.equal(client.headers["content-type"], `multipart/x-mixed-replace; boundary=${MJPEG_BOUNDARY}`);
    await until(() => video.hub.viewers("frontdoor") === 1, "the viewer to join");
    const frames = [push(), push(), push()];
    await until(() => client.parts.length === 3, "three parts");
    client.parts.forEach((p, i) => {
      assert.equal(p.headers["content-type"], "image/jpeg");
      assert.equal(Number(p.headers["content-length"]), frames[i].jpeg.length);
      assert.equal(Number(p.headers["x-capture-ms"]), frames[i].captureMs);
      assert.deepEqual(p.jpeg, frames[i].jpeg);
    });
    client.close();
    await until(() => video.hub.viewers("frontdoor") === 0, "the viewer to leave");
  });

  test("ffmpeg reads the stream (mpjpeg demuxer); the JPEGs it copies out are the ones sent, in order", async () => {
    const out = mkdtempSync(join(tmpdir(), "doorbell-mjpeg-"));
    const ffmpeg = spawn(
      "ffmpeg",
      [
        "-hide_banner",
        "-loglevel",
        "error",
        "-f",
        "mpjpeg",
        "-i",
        `${server.url}/live/frontdoor.mjpeg`,
        "-frames:v",
        "5",
        "-c",
        "copy",
        "-f",
        "image2",
        join(out, "%03d.jpg"),
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    ffmpeg.stderr.on("data", (d: Buffer) => void (stderr += d));
    const exited = new Promise<number | null>((resolve) => ffmpeg.on("close", resolve));
    let done = false;
    void exited.then(() => void (done = true));
    await until(() => video.hub.viewers("frontdoor") === 1, "ffmpeg to connect");
    const sentFrames: OpenedFrame[] = [];
    for (let i = 0; i < 200 && !done; i++) {
      sentFrames.push(push());
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(await exited, 0, stderr);
    const files = readdirSync(out).sort();
    assert.equal(files.length, 5);
    const bytes = files.map((f) => new Uint8Array(readFileSync(join(out, f))));
    const first = sentFrames.findIndex((f) => Buffer.from(f.jpeg).equals(bytes[0]));
    assert.ok(first >= 0, "ffmpeg's first frame is one that was sent");
    bytes.forEach((b, i) => assert.deepEqual(b, sentFrames[first + i].jpeg, `frame ${i}`));
    await until(() => video.hub.viewers("frontdoor") === 0, "ffmpeg to leave");
  });
});

describe("live view: one device stream, started by demand", () => {
  test("two viewers share one device stream: one start, the same frames to both", async () => {
    clock.advance(60_000);
    sent.length = 0;
    const a = await openMjpeg(`${server.url}/live/frontdoor.mjpeg`);
    await until(() => video.hub.viewers("frontdoor") === 1, "the first viewer");
    const b = await openMjpeg(`${server.url}/live/frontdoor.mjpeg`);
    await until(() => video.hub.viewers("frontdoor") === 2, "the second viewer");
    assert.deepEqual(sent, [{ deviceId: "frontdoor", live: { action: "start", seconds: 60 } }]);
    const frames = [push(), push()];
    await until(() => a.parts.length === 2 && b.parts.length === 2, "both viewers to get both frames");
    for (const c of [a, b]) c.parts.forEach((p, i) => assert.deepEqual(p.jpeg, frames[i].jpeg));
    a.close();
    b.close();
    await until(() => video.hub.viewers("frontdoor") === 0, "both to leave");
  });

  test("start on the first viewer, renew before the device's expiry while watched, stop after the last leaves", async () => {
    clock.advance(60_000);
    sent.length = 0;
    const c = await openMjpeg(`${server.url}/live/frontdoor.mjpeg`);
    await until(() => sent.length === 1, "the start");
    assert.deepEqual(sent[0].live, { action: "start", seconds: 60 });
    clock.advance(60_000 * RENEW_AT_FRACTION - 1);
    assert.equal(sent.length, 1, "no renew before two thirds of the time");
    clock.advance(1);
    assert.deepEqual(sent[1]?.live, { action: "start", seconds: 60 }, "renewed before the device stops by itself");
    clock.advance(60_000 * RENEW_AT_FRACTION);
    assert.equal(sent.length, 3, "renewed again");
    c.close();
    await until(() => video.hub.viewers("frontdoor") === 0, "the viewer to leave");
    assert.equal(sent.length, 3, "no stop within the grace (a reload must not stop the stream)");
    clock.advance(STOP_GRACE_MS);
    assert.deepEqual(sent[3], { deviceId: "frontdoor", live: { action: "stop" } });
    clock.advance(10 * 60_000);
    assert.equal(sent.length, 4, "nothing more once stopped");
  });
});

describe("live view: viewers", () => {
  test("a bridge that closes stops the live views it started (the device would otherwise run until its expiry)", () => {
    const stops: { deviceId: string; live: LiveViewRequest }[] = [];
    const own = createOwnerVideo({
      deviceIds: ["frontdoor", "backdoor"],
      sendLiveView: (deviceId, live) => void stops.push({ deviceId, live }),
      log,
      timers: manualTimers().timers,
    });
    own.hub.join("frontdoor", { offer: () => true });
    void own.close();
    assert.deepEqual(stops, [
      { deviceId: "frontdoor", live: { action: "start", seconds: 60 } },
      { deviceId: "frontdoor", live: { action: "stop" } },
    ]);
  });

  test("a slow viewer misses frames (bounded buffer) while a fast one gets every frame, in order", async () => {
    const fast = await openMjpeg(`${server.url}/live/frontdoor.mjpeg`);
    const slow = connect(server.port, "127.0.0.1");
    slow.write("GET /live/frontdoor.mjpeg HTTP/1.1\r\nHost: x\r\n\r\n");
    slow.pause(); // never reads: the kernel buffers fill, then the bridge's
    await until(() => video.hub.viewers("frontdoor") === 2, "both viewers");
    const before = video.hub.stats("frontdoor").droppedForSlowViewers;
    const frames: OpenedFrame[] = [];
    for (let i = 0; i < 3000 && video.hub.stats("frontdoor").droppedForSlowViewers < before + 20; i++) {
      frames.push(push());
      await until(() => fast.parts.length === frames.length, `the fast viewer to get frame ${frames.length}`);
    }
    assert.ok(video.hub.stats("frontdoor").droppedForSlowViewers >= before + 20, "the slow viewer missed frames");
    assert.equal(fast.parts.length, frames.length);
    fast.parts.forEach((p, i) => assert.deepEqual(p.jpeg, frames[i].jpeg));
    slow.destroy();
    fast.close();
    await until(() => video.hub.viewers("frontdoor") === 0, "both to leave");
  });

  test("the still is the latest live frame; the figures count frames; unknown doorbells and paths are 404", async () => {
    const last = push();
    const still = await fetchBytes(`${server.url}/live/frontdoor.jpg`);
    assert.equal(still.status, 200);
    assert.equal(still.headers["content-type"], "image/jpeg");
    assert.deepEqual(new Uint8Array(still.body), last.jpeg);
    const none = await fetchBytes(`${server.url}/live/backdoor.jpg`);
    assert.equal(none.status, 404, "no frame from that doorbell yet");
    const figures = JSON.parse((await fetchBytes(`${server.url}/live/frontdoor.json`)).body.toString("utf8"));
    assert.equal(figures.device, "frontdoor");
    assert.equal(figures.latestCaptureMs, last.captureMs);
    assert.ok(figures.frames > 0);
    for (const path of ["/live/nobody.mjpeg", "/live/../etc/passwd", "/clips/frontdoor.json", "/other"])
      assert.equal((await fetchBytes(`${server.url}${path}`)).status, 404, path);
    sent.length = 0;
    assert.equal((await fetchBytes(`${server.url}/live/nobody.mjpeg`)).status, 404);
    assert.deepEqual(sent, [], "an unknown doorbell starts nothing");
  });
});

describe("live view: who may watch", () => {
  const credentials = { user: "owner", password: "correct horse battery" };
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

  test("on a loopback address no credentials are needed (127.0.0.1, ::1, localhost)", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "localhost", "[::1]"])
      assert.equal(createHttpAuth({ host }).check(undefined), true, host);
  });

  test("beyond loopback the endpoint refuses to start without credentials or with a short password", () => {
    for (const host of ["0.0.0.0", "::", "192.168.1.20", "doorbell.home.arpa"])
      assert.throws(() => createHttpAuth({ host }), /beyond loopback: a user and password are required/, host);
    assert.throws(
      () => createHttpAuth({ host: "0.0.0.0", credentials: { user: "owner", password: "short" } }),
      /at least 12 characters/,
    );
  });

  test("beyond loopback (RFC 7617 Basic): 401 with a challenge unless user and password both match", async () => {
    const auth = createHttpAuth({ host: "0.0.0.0", credentials });
    const guarded = createOwnerVideo({
      deviceIds: ["frontdoor"],
      sendLiveView: () => undefined,
      authorize: auth.check,
      log,
      timers: manualTimers().timers,
    });
    // Served on loopback for the test, with the decision made for a non-loopback bind address.
    const s = await startVideoServer({ host: "127.0.0.1", port: 0, handler: guarded.handler, log });
    try {
      const url = `${s.url}/live/frontdoor.json`;
      const none = await fetchBytes(url);
      assert.equal(none.status, 401);
      assert.match(String(none.headers["www-authenticate"]), /^Basic realm="doorbell"/);
      for (const bad of [
        basic("owner", "wrong password!"),
        basic("other", credentials.password),
        "Bearer x",
        "Basic !!",
      ])
        assert.equal((await fetchBytes(url, { Authorization: bad })).status, 401, bad);
      const stream = await fetchBytes(`${s.url}/live/frontdoor.mjpeg`);
      assert.equal(stream.status, 401, "the stream too");
      assert.equal(guarded.hub.viewers("frontdoor"), 0, "an unauthenticated request never becomes a viewer");
      const ok = await fetchBytes(url, { Authorization: basic(credentials.user, credentials.password) });
      assert.equal(ok.status, 200);
    } finally {
      await s.close();
      await guarded.close();
    }
  });

  test("beyond loopback a picture link needs no password, its token is the credential: a wrong one is 404, never 401", async () => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-pictures-"));
    const store = createSnapshotStore({ dir, keepDays: 1, maxMB: 1, log, timers: manualTimers().timers });
    const jpeg = new Uint8Array([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);
    const saved = store.save("frontdoor", { type: "ring", id: "00000000000000a1", receivedAtMs: Date.now() }, jpeg);
    const auth = createHttpAuth({ host: "0.0.0.0", credentials });
    const guarded = createOwnerVideo({
      deviceIds: ["frontdoor"],
      sendLiveView: () => undefined,
      authorize: auth.check,
      pictures: store,
      log,
      timers: manualTimers().timers,
    });
    const s = await startVideoServer({ host: "127.0.0.1", port: 0, handler: guarded.handler, log });
    try {
      const got = await fetchBytes(`${s.url}/pictures/${saved.token}.jpg`);
      assert.deepEqual([got.status, got.headers["content-type"]], [200, "image/jpeg"]);
      assert.deepEqual(new Uint8Array(got.body), jpeg);
      const wrong = saved.token.slice(0, -1) + (saved.token.endsWith("0") ? "1" : "0");
      for (const path of [`/pictures/${wrong}.jpg`, `/pictures/${saved.token}.png`, "/pictures/"])
        assert.equal((await fetchBytes(`${s.url}${path}`)).status, 404, path);
      assert.equal((await fetchBytes(`${s.url}/live/frontdoor.json`)).status, 401, "everything else still asks");
    } finally {
      await s.close();
      await guarded.close();
      store.close();
    }
  });
});
