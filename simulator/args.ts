// SPDX-License-Identifier: MIT
// Command-line flags of `npm start`, validated with errors that name the flag.
import type { Zone } from "../modules/privacy/zone.js";
import { CAMERA_HELP, parseCameraSpec, type CameraSpec } from "./camera-source.js";
import { readZonesFile } from "./zones-file.js";

export interface SimulatorArgs {
  httpPort: number;
  mqttPort: number;
  host: string;
  /** Extra names the page answers to (Host header), beside loopback and this machine's addresses. */
  allowHosts: string[];
  engine: "xs" | "node";
  camera: CameraSpec;
  visitorEveryS: number;
  dataDir?: string;
  /** Privacy zones from `--zones <file>`, for the device's `privacy.zones`. */
  zones?: Zone[];
  /** Camera frames per second (`--fps`): the camera's period and the device's camera.framePeriodMs. */
  fps: number;
  /** The porch camera's frame size (`--frame-size WxH`): also the device's camera.width and camera.height. */
  frameWidth: number;
  frameHeight: number;
  verbose: boolean;
}

export const DEFAULT_HTTP_PORT = 8480;
export const DEFAULT_MQTT_PORT = 1883;

const USAGE = `usage: npm start -- [--http-port N] [--mqtt-port N] [--host ADDR] [--allow-host NAME]... [--engine xs|node]
                    [--camera SOURCE] [--fps N] [--frame-size WxH] [--visitor-every S] [--data-dir DIR] [--zones FILE]
                    [--verbose]
  --http-port     the page's port (default ${DEFAULT_HTTP_PORT}; 0 picks a free one; a busy default falls back to a free one)
  --mqtt-port     embedded broker port (default ${DEFAULT_MQTT_PORT}; 0 picks a free one; a busy default falls back to a free one)
  --host          address to listen on (default 127.0.0.1: loopback only); beyond loopback the broker
                  requires a user name and password, written to <data dir>/broker-credentials.json
  --allow-host    a name the page answers to besides loopback and this machine's addresses, e.g. sim.lan
                  (repeatable); any other Host header is refused
  --engine        run the firmware on the XS engine (default) or directly on Node for debugging
  --camera        ${CAMERA_HELP}; default porch
  --fps           camera frames per second, 1-30 (default 5): every camera source runs at this rate, and the
                  device's camera.framePeriodMs follows; clips and live view take at most video.clipFps and video.liveFps
  --frame-size    the porch scene's frame size, WxH, 96x96 to 1600x1200 (default 640x480); the device's
                  camera.width and camera.height follow
  --visitor-every seconds between visitors in the porch scene, who walk up and ring (default 60; 0: only from the page)
  --data-dir      keep the device's storage and the keys here across runs (default: a fresh temporary directory)
  --zones         a JSON file of privacy zones in image pixels, e.g. [{"x": 0, "y": 0, "width": 160, "height": 480}]
                  (docs/privacy.md); they are blanked in every snapshot. The page draws and removes zones too
  --verbose       also print the firmware's log lines to stderr`;

export function parseArgs(argv: string[]): SimulatorArgs {
  const args: SimulatorArgs = {
    httpPort: DEFAULT_HTTP_PORT,
    mqttPort: DEFAULT_MQTT_PORT,
    host: "127.0.0.1",
    allowHosts: [],
    engine: "xs",
    camera: { kind: "porch", light: "day" },
    visitorEveryS: 60,
    fps: 5,
    frameWidth: 640,
    frameHeight: 480,
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    const int = (min: number, max: number) => {
      const raw = value();
      const n = Number(raw);
      if (!Number.isInteger(n) || n < min || n > max)
        throw new Error(`${flag} ${raw}: expected an integer from ${min} to ${max}`);
      return n;
    };
    switch (flag) {
      case "--http-port":
        args.httpPort = int(0, 65535);
        break;
      case "--mqtt-port":
        args.mqttPort = int(0, 65535);
        break;
      case "--host":
        args.host = value();
        break;
      case "--allow-host": {
        const name = value().toLowerCase();
        if (!/^[a-z0-9.-]+$|^\[[0-9a-f:]+\]$/.test(name))
          throw new Error(`--allow-host ${name}: expected a host name or address without a port, e.g. sim.lan`);
        args.allowHosts.push(name);
        break;
      }
      case "--engine": {
        const e = value();
        if (e !== "xs" && e !== "node") throw new Error(`--engine ${e}: expected xs or node`);
        args.engine = e;
        break;
      }
      case "--camera":
        args.camera = parseCameraSpec(value());
        break;
      case "--fps":
        args.fps = int(1, 30);
        break;
      case "--frame-size": {
        const raw = value();
        const m = /^(\d+)x(\d+)$/.exec(raw);
        const [w, h] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
        if (!m || w < 96 || w > 1600 || h < 96 || h > 1200)
          throw new Error(`--frame-size ${raw}: expected WxH from 96x96 to 1600x1200, e.g. 640x480`);
        [args.frameWidth, args.frameHeight] = [w, h];
        break;
      }
      case "--visitor-every":
        args.visitorEveryS = int(0, 3600);
        break;
      case "--data-dir":
        args.dataDir = value();
        break;
      case "--zones":
        args.zones = readZonesFile(value());
        break;
      case "--verbose":
        args.verbose = true;
        break;
      case "-h":
      case "--help":
        console.log(USAGE);
        return process.exit(0);
      default:
        throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  return args;
}
