// SPDX-License-Identifier: MIT
// The simulator's virtual hardware: the Wi-Fi link fault, the power domain that a power cut silences, the
// camera socket with the ESP32's three frame buffers, the porch scene, and the ffmpeg camera source.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, mock, test } from "node:test";
import type { CameraPort, Frame } from "../../modules/ports.js";
import { createCameraSwitch } from "../../hosts/node/camera-switch.js";
import { createNodeClock } from "../../hosts/node/clock.js";
import { createFfmpegCamera, createMjpegSplitter, ffmpegAvailable } from "../../hosts/node/ffmpeg-camera.js";
import { createPowerDomain } from "../../hosts/node/power-domain.js";
import { createWifiLink } from "../../hosts/node/wifi-link.js";
import { BELL_AFTER_ARRIVAL_MS, createPorchScene } from "../../simulator/scene/porch-scene.js";
import { createFakeHost, FakeMqtt } from "../support/fake-host.js";

const session = (log: string[]) => ({
  clientId: "d",
  keepAliveS: 60,
  will: { topic: "s", payload: new Uint8Array(), qos: 1 as const, retain: true },
  onConnect: () => log.push("connect"),
  onDisconnect: (r: string) => log.push(`down: ${r}`),
  onMessage: () => undefined,
});

describe("Wi-Fi link", () => {
  test("dropping Wi-Fi cuts the open session at once; publishes fail until it is back", () => {
    const inner = new FakeMqtt();
    const link = createWifiLink({ inner });
    const log: string[] = [];
    link.connect(session(log));
    inner.accept();
    assert.equal(link.connected, true);
    link.setUp(false);
    assert.deepEqual(log, ["connect", "down: Wi-Fi lost"]);
    assert.equal(inner.connected, false, "the real session is closed");
    let ack: string | undefined;
    link.publish("t", new Uint8Array(1), { qos: 1, retain: false }, (e) => (ack = e));
    assert.equal(ack, "not connected");
  });

  test("a connect while Wi-Fi is down fails after a while; after restoring, connects reach the broker", async () => {
    const inner = new FakeMqtt();
    const link = createWifiLink({ inner, failAfterMs: 5 });
    const log: string[] = [];
    link.setUp(false);
    link.connect(session(log));
    assert.equal(inner.options, undefined, "nothing reaches the broker");
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(log, ["down: connect failed: no Wi-Fi"]);
    link.setUp(true);
    link.connect(session(log));
    inner.accept();
    assert.deepEqual(log, ["down: connect failed: no Wi-Fi", "connect"]);
  });
});

describe("power domain", () => {
  test("a power cut silences every port: no timer fires, no edge or message gets in, storage refuses writes but keeps what it had", () => {
    const base = createFakeHost();
    const domain = createPowerDomain(base);
    const { host } = domain;
    const seen: string[] = [];
    host.storage.kv.set("k", new Uint8Array([7]));
    host.timers.set(() => seen.push("timer"), 100);
    host.button.open({ onEdge: () => seen.push("edge") });
    host.camera.start({ onFrame: (f) => seen.push("frame") && f.release() });
    host.mqtt.connect(session(seen));
    base.mqtt.accept();
    domain.cut();
    base.clock.advance(1000);
    base.button.edge(1, 1000);
    base.camera.capture(1000);
    assert.deepEqual(seen, ["connect"], "nothing after the cut");
    assert.equal(base.clock.pending, 0, "its timers are cleared");
    assert.equal(base.mqtt.connected, false, "the session is dropped (the broker sends the last will)");
    assert.equal(base.camera.onFrame, undefined, "the camera is stopped");
    assert.throws(() => host.storage.kv.set("k", new Uint8Array([8])), /no power/);
    assert.throws(() => host.storage.log.append(new Uint8Array([1])), /no power/);
    assert.deepEqual(
      createPowerDomain(base).host.storage.kv.get("k"),
      new Uint8Array([7]),
      "the next power-on reads what was stored",
    );
  });
});

describe("camera socket", () => {
  function source() {
    let onFrame: ((f: Frame) => void) | undefined;
    const released: number[] = [];
    const camera: CameraPort = {
      start: (o) => void (onFrame = o.onFrame),
      restart() {},
      stop: () => void (onFrame = undefined),
    };
    const emit = (n: number) =>
      onFrame?.({ jpeg: new Uint8Array([n]), capturedAtMs: n, release: () => void released.push(n) });
    return { camera, emit, released, running: () => onFrame !== undefined };
  }

  test("the firmware holds at most three frames; the next is dropped, as by the ESP32 driver, while the tap sees them all", () => {
    const a = source();
    const tapped: number[] = [];
    const socket = createCameraSwitch({ initial: a.camera, onTap: (f) => void tapped.push(f.capturedAtMs) });
    const held: Frame[] = [];
    socket.start({ onFrame: (f) => void held.push(f) });
    for (let n = 1; n <= 4; n++) a.emit(n);
    assert.deepEqual(
      held.map((f) => f.capturedAtMs),
      [1, 2, 3],
    );
    assert.deepEqual(a.released, [4]);
    assert.equal(socket.dropped, 1);
    assert.deepEqual(tapped, [1, 2, 3, 4]);
    held[0].release();
    a.emit(5);
    assert.deepEqual(
      held.map((f) => f.capturedAtMs),
      [1, 2, 3, 5],
    );
  });

  test("switching the source moves a running capture over and stops the old source", () => {
    const a = source();
    const b = source();
    const socket = createCameraSwitch({ initial: a.camera });
    const got: number[] = [];
    socket.start({ onFrame: (f) => got.push(f.capturedAtMs) && f.release() });
    socket.use(b.camera);
    assert.equal(a.running(), false);
    b.emit(9);
    assert.deepEqual(got, [9]);
  });
});

describe("porch scene", () => {
  const W = 160,
    H = 120;
  const meanLuma = (rgba: Uint8Array, y0: number, y1: number) => {
    let sum = 0;
    for (let i = y0 * W * 4; i < y1 * W * 4; i += 4) sum += 0.299 * rgba[i] + 0.587 * rgba[i + 1] + 0.114 * rgba[i + 2];
    return sum / ((y1 - y0) * W);
  };
  const render = (o: Parameters<typeof createPorchScene>[0], tMs: number, visitorAtMs?: number) => {
    const scene = createPorchScene(o);
    if (visitorAtMs !== undefined) scene.sendVisitor(visitorAtMs, { ring: false });
    const rgba = new Uint8Array(W * H * 4);
    scene.render(rgba, W, H, tMs);
    scene.close();
    return rgba;
  };

  test("the same instant renders the same pixels (sensor noise is seeded by the time)", () => {
    assert.deepEqual(render({}, 1234), render({}, 1234));
    assert.notDeepEqual(render({}, 1234), render({}, 1434));
  });

  test("night is dark, and the porch lamp brightens the whole view by about the same factor top and bottom", () => {
    const day = meanLuma(render({ light: "day" }, 0), 0, H);
    const night = meanLuma(render({ light: "night" }, 0), 0, H);
    assert.ok(night < day / 3, `night ${night} vs day ${day}`);
    const off = render({ light: "night", lamp: false }, 0);
    const on = render({ light: "night", lamp: true }, 0);
    const top = meanLuma(on, 0, H / 2) / meanLuma(off, 0, H / 2);
    const bottom = meanLuma(on, H / 2, H) / meanLuma(off, H / 2, H);
    assert.ok(top > 2 && bottom > 2, `the lamp's gain: top ${top.toFixed(2)}, bottom ${bottom.toFixed(2)}`);
    assert.ok(Math.abs(top - bottom) / top < 0.25, "a global change, not a local one");
  });

  test("a visitor walks up the path, stands at the door and presses the bell 11 s after setting off, then leaves", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const bell: number[] = [];
      const scene = createPorchScene({ onBell: (level) => bell.push(level) });
      scene.sendVisitor(0);
      assert.deepEqual(
        [1000, 5000, 10_500, 18_000, 23_000, 40_000].map((t) => scene.visitorPhase(t)),
        ["street-in", "approach", "at-door", "leave", "street-out", "none"],
      );
      mock.timers.tick(10_000 + BELL_AFTER_ARRIVAL_MS - 1);
      assert.deepEqual(bell, []);
      mock.timers.tick(1);
      assert.deepEqual(bell, [1]);
      mock.timers.tick(200);
      assert.deepEqual(bell, [1, 0]);
      // Close to the camera, the visitor fills the middle of the frame: far brighter red than the empty path.
      const empty = render({}, 10_500);
      const visitor = render({}, 10_500, 0);
      const red = (rgba: Uint8Array) => rgba[((H / 2) * W + W / 2) * 4] - rgba[((H / 2) * W + W / 2) * 4 + 2];
      assert.ok(red(visitor) > 80 && red(empty) < 40, `red ${red(visitor)} vs ${red(empty)}`);
    } finally {
      mock.timers.reset();
    }
  });
});

describe("ffmpeg camera", () => {
  test("an MJPEG stream is split into whole JPEGs, across chunk boundaries", () => {
    const jpegs: number[][] = [];
    const split = createMjpegSplitter((j) => jpegs.push([...j]));
    const a = [0xff, 0xd8, 1, 0xff, 0x00, 2, 0xff, 0xd9];
    const b = [0xff, 0xd8, 3, 0xff, 0xd9];
    const stream = [...a, ...b];
    split(new Uint8Array(stream.slice(0, 5)));
    split(new Uint8Array(stream.slice(5, 9)));
    split(new Uint8Array(stream.slice(9)));
    assert.deepEqual(jpegs, [a, b]);
  });

  test("without ffmpeg the error says how to install it", () => {
    assert.throws(
      () => createFfmpegCamera({ clock: createNodeClock(), input: "x.mp4", ffmpeg: "/nonexistent/ffmpeg" }),
      /apt-get install ffmpeg/,
    );
  });

  test("a video file plays as JPEG frames at the frame period", {
    skip: ffmpegAvailable() ? false : "ffmpeg is not installed",
  }, async () => {
    const clip = join(mkdtempSync(join(tmpdir(), "ffmpeg-cam-")), "clip.mp4");
    const made = spawnSync("ffmpeg", [
      "-hide_banner",
      "-loglevel",
      "error",
      "-f",
      "lavfi",
      "-i",
      "testsrc=size=320x240:rate=10:duration=2",
      "-pix_fmt",
      "yuv420p",
      clip,
    ]);
    assert.equal(made.status, 0, String(made.stderr));
    const camera = createFfmpegCamera({ clock: createNodeClock(), input: clip, framePeriodMs: 100, width: 320 });
    const frames: Frame[] = [];
    camera.start({ onFrame: (f) => void frames.push(f) });
    const start = Date.now();
    while (frames.length < 3 && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 20));
    camera.stop();
    assert.ok(frames.length >= 3, `frames: ${frames.length}`);
    for (const f of frames)
      assert.deepEqual([f.jpeg[0], f.jpeg[1], f.jpeg.at(-2), f.jpeg.at(-1)], [0xff, 0xd8, 0xff, 0xd9]);
    frames.forEach((f) => f.release());
  });
});
