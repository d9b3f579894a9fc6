// SPDX-License-Identifier: MIT
// `doorbell`: the owner's and maker's command line. Errors go to stderr as one clear line; exit 2 is misuse.
import { brokerCommand } from "./broker.js";
import { bridgeCommand } from "./bridges.js";
import { commandCommand } from "./command.js";
import { deviceCommand } from "./device.js";
import { envelopeCommand } from "./envelope.js";
import { haDiscoveryCommand } from "./ha-discovery.js";
import { keysCommand } from "./keys.js";
import { picturesCommand } from "./pictures.js";
import { updateCommand } from "./update.js";
import { UsageError } from "./args.js";

const USAGE = `usage: doorbell <command>
  keys init --out <dir>            create the owner's key pair
  keys show --public <key-file>    print a key file's public key
  device add <name> --out <dir>    provision a doorbell: keys, RSA certificates, device bundle, Mosquitto config
  device revoke <name> --out <dir> revoke a doorbell's certificate (CRL) and keep its bundle aside
  bridge add <name> --out <dir>    a further bridge's own certificate, for a shared group
  broker renew --out <dir>         re-issue the CRL and the Mosquitto files (--force: a new broker key)
  ha-discovery --device-config <f> print the Home Assistant discovery messages for a device
  envelope seal|open|inspect ...   seal, open or take apart a sealed event (--help on each)
  command snapshot|reboot|set-config|set-identity ...  sign a command for a doorbell (--help on each)
  update pack ...                  pack a firmware image as an owner-signed update (--help)
  pictures export --from <d> --out <d>  the bridge's kept pictures as JPEG files (--help)`;

function run(argv: string[]): number {
  const [command, ...rest] = argv;
  switch (command) {
    case "keys":
      return keysCommand(rest);
    case "envelope":
      return envelopeCommand(rest);
    case "device":
      return deviceCommand(rest);
    case "bridge":
      return bridgeCommand(rest);
    case "broker":
      return brokerCommand(rest);
    case "ha-discovery":
      return haDiscoveryCommand(rest);
    case "command":
      return commandCommand(rest);
    case "update":
      return updateCommand(rest);
    case "pictures":
      return picturesCommand(rest);
    case undefined:
    case "-h":
    case "--help":
      console.log(USAGE);
      return command ? 0 : 2;
  }
  throw new UsageError(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
}

try {
  process.exitCode = run(process.argv.slice(2));
} catch (error) {
  console.error(`doorbell: ${(error as Error).message}`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
