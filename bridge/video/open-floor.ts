// SPDX-License-Identifier: MIT
// The stream opener's replay floor kept with the bridge's device state (bridge/device-state.ts, `lastOpenSeq`):
// each accepted open's number is written durably before its stream is accepted, so it survives a restart.
import type { DeviceStateStore } from "../device-state.js";
import type { OpenFloor } from "./stream-opener.js";

/** The floor in `state`; `set` never lowers it. */
export function stateOpenFloor(state: DeviceStateStore): OpenFloor {
  return {
    get: (deviceId) => state.peek(deviceId).lastOpenSeq,
    set: (deviceId, openSeq) =>
      void state.update(deviceId, (s) => void (s.lastOpenSeq = Math.max(s.lastOpenSeq ?? 0, openSeq))),
  };
}
