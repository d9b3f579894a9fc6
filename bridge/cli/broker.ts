// SPDX-License-Identifier: MIT
// `doorbell broker renew --out <dir> [--force]` (bridge/provision/renew-broker.ts).
import { CRL_VALID_DAYS } from "../provision/crl.js";
import { renewBroker } from "../provision/renew-broker.js";
import { parseFlags, UsageError, wantsHelp } from "./args.js";

const RENEW_USAGE = `usage: doorbell broker renew --out <dir> [--force]
  Re-issues the CA's revocation list (ca/crl.pem, valid ${CRL_VALID_DAYS} days: Mosquitto refuses every
  client once it has expired, so run this before then, e.g. yearly), and rewrites broker/mosquitto.conf
  and broker/acl. Issues the broker's certificate if it is missing, for the existing broker/server.key.
  --force  replace broker/server.key with a new key (and re-issue its certificate); without it the key is
           never overwritten
  Restart Mosquitto afterwards so it loads the new files.`;

export function brokerCommand(argv: string[]): number {
  const [sub, ...rest] = argv;
  if (sub !== "renew") throw new UsageError(RENEW_USAGE);
  if (wantsHelp(rest)) return (void console.log(RENEW_USAGE), 0);
  const flags = parseFlags(rest, { values: ["out"], booleans: ["force"], required: ["out"] }, RENEW_USAGE);
  const r = renewBroker({ home: String(flags.out), force: flags.force === true });
  for (const note of r.notes) console.log(note);
  console.log("Restart Mosquitto to load them.");
  return 0;
}
