// SPDX-License-Identifier: MIT
// Acts on an accepted owner command: snapshot now, set config, set identity, reboot, live view. A change of config or
// identity is validated whole, persisted, and followed by a restart that brings every component up on it.
import type { Command, LiveViewRequest } from "./commands.js";
import type { ConfigStore } from "./config-store.js";
import { identityChanges, keepIdentity, withIdentity } from "./identity.js";
import type { Logger } from "./logger.js";
import type { CryptoPort, SystemPort, TimerPort } from "./ports.js";
import type { SnapshotGate } from "./snapshot-gate.js";

/** How long a restart waits, so the log line and the command's PUBACK get out first. */
export const RESTART_DELAY_MS = 500;

export interface CommandDispatchOptions {
  config: ConfigStore;
  crypto: CryptoPort;
  timers: TimerPort;
  system: SystemPort;
  log: Logger;
  /** Takes a snapshot of the newest frame now (the ring flow's `snapshotNow`); returns its event id. */
  snapshotNow(reason: "command"): string;
  /** Bounds the command snapshots outstanding (modules/snapshot-gate.ts); without it every snapshot is taken. */
  snapshotGate?: SnapshotGate;
  /** Starts, renews or stops the live view (modules/video/live-view.ts); without it live-view is refused. */
  liveView?(live: LiveViewRequest): void;
  /** Answers the bridge's `sync` with the delivery floor (firmware.ts); without it (`outbox.confirm` off) refused. */
  sync?(commandId: string): void;
}

/** Returns the `onCommand` callback for the command handler. */
export function createCommandDispatch(o: CommandDispatchOptions): (command: Command) => void {
  const { config, log } = o;
  const restartSoon = (reason: string) => {
    log.warn("restarting", { reason });
    o.timers.set(() => o.system.restart(reason), RESTART_DELAY_MS);
  };
  const setConfig = (raw: Record<string, unknown>) => {
    const kept = keepIdentity(config.current, raw);
    if (!kept.ok) return log.warn(`command refused: ${kept.error}`);
    // Applied whole or not at all; a restart brings every component up on the new values.
    if (config.apply(kept.raw).ok) restartSoon("config changed");
  };
  const setIdentity = (identity: Record<string, unknown>) => {
    const before = config.current;
    if (!config.apply(withIdentity(before, identity)).ok)
      return log.warn("identity unchanged; still on the last good config");
    const changes = identityChanges(o.crypto, before, config.current);
    // Logged at warn on purpose: who owns and reaches this doorbell changed. Keys appear as fingerprints only.
    for (const c of changes) log.warn("identity changed", { field: c.field, from: c.from, to: c.to });
    if (changes.length) restartSoon("identity changed");
    else log.info("identity unchanged: every field already had that value");
  };
  return (command) => {
    switch (command.cmd) {
      case "snapshot":
        if (o.snapshotGate) o.snapshotGate.request(() => o.snapshotNow("command"));
        else o.snapshotNow("command");
        break;
      case "set-config":
        setConfig(command.config);
        break;
      case "set-identity":
        setIdentity(command.identity);
        break;
      case "reboot":
        restartSoon("owner command");
        break;
      case "live-view":
        if (o.liveView) o.liveView(command.live);
        else log.warn("command refused: live-view: this device sends no video (video is not set up)");
        break;
      case "sync":
        if (o.sync) o.sync(command.id);
        else log.warn("command refused: sync: delivery confirmations are off (outbox.confirm)");
        break;
    }
  };
}
