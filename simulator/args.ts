// SPDX-License-Identifier: MIT
// Command-line flags of `npm start`, validated with errors that name the flag.

export interface SimulatorArgs {
  mqttPort: number;
  host: string;
  engine: "xs" | "node";
  pressEveryS: number;
  dataDir?: string;
}

const USAGE = `usage: npm start -- [--mqtt-port N] [--host ADDR] [--engine xs|node] [--press-every S] [--data-dir DIR]
  --mqtt-port   embedded broker port (default 1883; 0 picks a free one; a busy default falls back to a free one)
  --host        address to listen on (default 127.0.0.1: loopback only)
  --engine      run the firmware on the XS engine (default) or directly on Node for debugging
  --press-every seconds between simulated presses (default 8; 0 disables)
  --data-dir    keep the device's storage here across runs (default: a fresh temporary directory)`;

export function parseArgs(argv: string[]): SimulatorArgs {
  const args: SimulatorArgs = { mqttPort: 1883, host: "127.0.0.1", engine: "xs", pressEveryS: 8 };
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
      if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${flag} ${raw}: expected an integer from ${min} to ${max}`);
      return n;
    };
    switch (flag) {
      case "--mqtt-port": args.mqttPort = int(0, 65535); break;
      case "--host": args.host = value(); break;
      case "--engine": {
        const e = value();
        if (e !== "xs" && e !== "node") throw new Error(`--engine ${e}: expected xs or node`);
        args.engine = e;
        break;
      }
      case "--press-every": args.pressEveryS = int(0, 3600); break;
      case "--data-dir": args.dataDir = value(); break;
      case "-h": case "--help": console.log(USAGE); process.exit(0);
      default: throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  return args;
}
