// SPDX-License-Identifier: MIT
// Node-only test helper: the bridge's real per-device state store, with its asynchronous commits held until the
// test lets them through, so a test can see what the bridge does before and after its group commit is durable.
import { createDeviceStateStore, type DeviceStateStore } from "../../bridge/device-state.js";

/** A real store whose asynchronous commits wait until the test lets them through. */
export function heldStore(dir: string) {
  const store = createDeviceStateStore(dir);
  const waiting: (() => void)[] = [];
  let requested = 0;
  const held: DeviceStateStore = {
    ...store,
    commitAsync(done) {
      requested++;
      waiting.push(() => store.commitAsync(done));
    },
  };
  return {
    store: held,
    get requested() {
      return requested;
    },
    /** Lets every commit asked for so far through. */
    letThrough: () => {
      for (const run of waiting.splice(0)) run();
    },
  };
}
