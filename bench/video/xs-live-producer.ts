// SPDX-License-Identifier: MIT
// The video bench's default producer: the real firmware inside the XS engine, as the simulator runs it
// (simulator/simulation.ts: embedded broker, virtual hardware, the real bridge as the owner's side), its camera fed
// the bench's JPEGs. A live-view command goes sealed and signed to the device; its sealed frames come back through
// the broker and the bridge's stream opener, and the opened ones reach the bench's FrameSink. One device per run.
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulation, type Simulation } from "../../simulator/simulation.js";
import type { LiveProducerFactory } from "./live-producer.js";

export interface XsLiveOptions {
  /**
   * The device's video.clips. The bench's highway frames are all motion, so with clips on a motion clip records
   * throughout and live frames yield to its frames (modules/video/live-view.ts): off measures the live view alone.
   */
  clips: boolean;
}

/**
 * A doorbell on XS whose camera hands the given JPEGs round-robin every 1000/fps ms (its clock: this machine's, so
 * OpenedFrame.captureMs is the device's stamp on the bridge's clock), with camera.framePeriodMs and video.liveFps set
 * to the run's rate. `ready` resolves once the firmware has booted and is online; a boot failure rejects it.
 */
export function xsLiveProducer(jpegs: readonly Uint8Array[], o: XsLiveOptions): LiveProducerFactory {
  return ({ sink, deviceId, fps }) => {
    const dir = mkdtempSync(join(tmpdir(), "doorbell-bench-video-"));
    const framesDir = join(dir, "frames");
    writeFrames(framesDir, jpegs);
    let frames = 0;
    let closed = false;
    let sim: Simulation | undefined;
    const ready = startSimulation({
      engine: "xs",
      host: "127.0.0.1",
      mqttPort: 0,
      fallbackWhenBusy: false,
      dataDir: join(dir, "data"),
      camera: { kind: "folder", dir: framesDir, loop: true },
      framePeriodMs: Math.round(1000 / fps),
      frameSize: { width: 640, height: 480 },
      deviceConfig: { video: { liveFps: fps, clips: o.clips } },
      frameSink: {
        frame: (f) => {
          if (f.kind !== "live") return;
          frames++;
          sink.frame({ ...f, deviceId }); // the simulated device's frames, under the bench's name for it
        },
        streamEnded: (s) => sink.streamEnded({ ...s, deviceId }),
      },
    }).then(async (started) => {
      sim = started;
      if (closed) return started.close();
      await online(started);
    });
    const cleanUp = () => rmSync(dir, { recursive: true, force: true });
    return {
      name: `the firmware on XS, video.clips ${o.clips ? "on" : "off"} (simulator: embedded broker, doorbell-bridge's stream opener)`,
      ready,
      command(live) {
        // A stop that comes as the run closes finds the device gone: nothing to stop.
        void ready
          .then(() => (closed ? undefined : sim?.liveView(live)))
          .catch((error: Error) => process.stderr.write(`bench: live-view ${live.action}: ${error.message}\n`));
      },
      get frames() {
        return frames;
      },
      async close() {
        closed = true;
        await ready.catch(() => undefined);
        await sim?.close();
        cleanUp();
      },
    };
  };
}

/** Resolves once the device is connected and has said so (a command sent before would find no subscriber). */
function online(sim: Simulation, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (sim.status().deviceOnline) return resolve();
    const timer = setTimeout(
      () => reject(new Error(`the device on XS was not online within ${timeoutMs} ms`)),
      timeoutMs,
    );
    sim.bus.on("status", (status) => {
      if (!status.deviceOnline) return;
      clearTimeout(timer);
      resolve();
    });
  });
}

function writeFrames(dir: string, jpegs: readonly Uint8Array[]): void {
  mkdirSync(dir, { recursive: true });
  jpegs.forEach((jpeg, i) => writeFileSync(join(dir, `in${String(i + 1).padStart(6, "0")}.jpg`), jpeg));
}
