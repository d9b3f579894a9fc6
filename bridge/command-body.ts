// SPDX-License-Identifier: MIT
// The bodies of the owner's `set-config` and `set-identity` commands, validated by the firmware's own schema
// and rules (modules/config.ts, modules/identity.ts) before anything is sealed, so the owner gets the error the
// device would log, naming the field, the value and what is accepted.
import { formatConfigErrors, parseConfig, type Config } from "../modules/config.js";
import { CONFIG_SCHEMA } from "../modules/config-schema.js";
import { checkIdentityChange, IDENTITY_FIELDS, setPath, withIdentity } from "../modules/identity.js";

export class CommandBodyError extends Error {}

/** `path=value`: the value as JSON when it parses (10, true, [[...]], "text"), else as the text itself. */
export function parseSetting(text: string): { path: string; value: unknown } {
  const eq = text.indexOf("=");
  if (eq <= 0)
    throw new CommandBodyError(`--set ${JSON.stringify(text)}: expected <setting>=<value>, e.g. button.cooldownS=10`);
  const path = text.slice(0, eq);
  const raw = text.slice(eq + 1);
  if (!(path in CONFIG_SCHEMA))
    throw new CommandBodyError(`--set ${path}: not a setting; expected one of the settings in docs/config.md`);
  if ((IDENTITY_FIELDS as readonly string[]).includes(path))
    throw new CommandBodyError(
      `--set ${path}: an identity field cannot change with set-config; use doorbell command set-identity`,
    );
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // plain text, e.g. deviceName=Front door
  }
  return { path, value };
}

/**
 * The config a `set-config` carries: `recorded` (the bundle's config, what the owner last set) with `settings`
 * applied, validated whole as the device validates it, without the identity fields (the device keeps its own).
 */
export function setConfigBody(
  recorded: Record<string, unknown>,
  settings: { path: string; value: unknown }[],
): { config: Record<string, unknown>; recorded: Record<string, unknown> } {
  if (!settings.length) throw new CommandBodyError("set-config: give at least one --set <setting>=<value>");
  const next = structuredClone(recorded);
  for (const s of settings) setPath(next, s.path, s.value);
  const parsed = parseConfig(next);
  if (!parsed.ok) throw new CommandBodyError(formatConfigErrors(parsed.errors));
  const config = structuredClone(parsed.config) as unknown as Record<string, unknown>;
  for (const field of IDENTITY_FIELDS) {
    const [section, key] = field.split(".");
    if (key === undefined) delete config[section];
    else delete (config[section] as Record<string, unknown>)[key];
  }
  return { config, recorded: next };
}

/** The `identity` a `set-identity` carries, checked by the device's rules and against the whole config. */
export function setIdentityBody(
  current: Config,
  changes: { path: string; value: unknown }[],
): { identity: Record<string, unknown>; config: Config } {
  if (!changes.length)
    throw new CommandBodyError(
      "set-identity: name at least one of --owner-public, --owner-signing-public, --device-id, --mqtt-host, --mqtt-port, --mqtt-topic-root",
    );
  const identity: Record<string, unknown> = {};
  for (const c of changes) setPath(identity, c.path, c.value);
  const error = checkIdentityChange(identity);
  if (error) throw new CommandBodyError(error);
  const parsed = parseConfig(withIdentity(current, identity));
  if (!parsed.ok) throw new CommandBodyError(formatConfigErrors(parsed.errors));
  return { identity, config: parsed.config };
}
