// SPDX-License-Identifier: MIT
// `doorbell bridge add <name> --out <dir>`: a further bridge's certificate (bridge/provision/add-bridge.ts).
import { addBridge } from "../provision/add-bridge.js";
import { parseFlags, UsageError, wantsHelp } from "./args.js";

const ADD_USAGE = `usage: doorbell bridge add <name> --out <dir>
  A further bridge for a shared group (several doorbell-bridge processes splitting the events with
  --broker-share-group): its own RSA client certificate, bridges/<name>/bridge.pem and bridge.key (0600),
  CN doorbell-bridge-<name>. The broker binds each client id to its certificate, so every bridge needs
  its own. Rewrites broker/acl to give the new identity the bridge's rights; restart Mosquitto.
  The first bridge uses bridge/bridge.pem (CN doorbell-bridge), made by doorbell device add.`;

export function bridgeCommand(argv: string[]): number {
  const [sub, name, ...rest] = argv;
  if (sub !== "add") throw new UsageError(ADD_USAGE);
  if (wantsHelp([name ?? "", ...rest])) return (void console.log(ADD_USAGE), 0);
  if (!name || name.startsWith("--")) throw new UsageError(`missing <name>\n${ADD_USAGE}`);
  const flags = parseFlags(rest, { values: ["out"], required: ["out"] }, ADD_USAGE);
  const r = addBridge({ home: String(flags.out), name });
  for (const note of r.notes) console.log(note);
  console.log(`bridge ${name}: broker identity ${r.identity}. Run it with:`);
  console.log(
    `  doorbell-bridge --home ${r.layout.root} --broker-cert ${r.cert} --broker-key ${r.key} ` +
      `--broker-client-id ${r.identity} --broker-share-group <group>`,
  );
  console.log("Restart Mosquitto so it loads the new ACL.");
  return 0;
}
