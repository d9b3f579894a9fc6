// SPDX-License-Identifier: MIT
// The firmware's on-device cost, measured with the XS engine's deterministic meter: compute units for one
// ring (debounced edge to the sealed publish handed to the MQTT port; crypto primitives are host calls,
// as on the device) and live heap slots after 10 and after 1,000 rings.
import { startXsFirmware } from "../hosts/xs/xs-firmware.js";
import { createFakeHost } from "../test/support/fake-host.js";
import { advanceXs } from "../test/support/xs-clock.js";
import { openEventForTest, testOwnerKeys } from "../test/support/owner.js";

export interface XsCoreFigures {
  ringComputeUnits: number;
  ringComputeUnitsMax: number;
  heapAfter10Rings: number;
  heapAfter1000Rings: number;
  rings: number;
  sealedBytesPerRing: number;
  frameBytes: number;
}

export async function benchXsCore(options: {
  rings: number;
  progress?: (done: number) => void;
}): Promise<XsCoreFigures> {
  const host = createFakeHost();
  const owner = testOwnerKeys();
  const ringCranks: number[] = [];
  let sealedBytes = 0;
  const fw = await startXsFirmware({
    host,
    firmwareVersion: "bench",
    config: { deviceId: "bench", keys: { ownerPublic: owner.publicHex }, camera: { followUpMs: 0 } },
    onCrank(kind, meter) {
      for (const p of host.mqtt.published) {
        if (!p.topic.endsWith("/sealed/event")) continue;
        const { header } = openEventForTest(owner, devicePublic, "bench", p.topic, p.payload);
        if (header.type === "status") continue; // the periodic diagnostics event, not part of a ring
        if (header.type !== "ring") throw new Error(`bench: unexpected ${header.type} event`);
        if (kind !== "timer") throw new Error(`bench: ring published outside the debounce timer crank (${kind})`);
        ringCranks.push(meter.compute);
        sealedBytes = p.payload.length;
      }
      host.mqtt.published.length = 0; // keep the Node side flat too
    },
  });
  const devicePublic = fw.devicePublic;
  host.mqtt.accept();
  await fw.idle();

  // A JPEG-sized stand-in (SOI marker, then filler): the firmware copies and seals frames, it never decodes them here.
  const frame = new Uint8Array(12_000).map((_, i) => (i * 31) & 255);
  frame.set([0xff, 0xd8]);
  let heapAfter10 = 0;
  for (let i = 1; i <= options.rings; i++) {
    host.clock.advance(6_000); // past the 5 s cooldown
    host.camera.onFrame?.({ jpeg: frame, capturedAtMs: host.clock.nowMs - 10, release() {} });
    host.button.edge(1, host.clock.nowMs);
    await advanceXs(host.clock, fw, 100); // the debounce timer fires: the ring is sealed and published in that crank
    host.button.edge(0, host.clock.nowMs);
    await advanceXs(host.clock, fw, 100);
    if (i === 10) heapAfter10 = await heapSlots();
    if (i % 100 === 0) options.progress?.(i);
  }
  const heapAfterAll = await heapSlots();
  await fw.close();
  if (ringCranks.length !== options.rings)
    throw new Error(`bench: expected ${options.rings} ring publishes, saw ${ringCranks.length}`);
  const sorted = [...ringCranks].sort((a, b) => a - b);
  return {
    ringComputeUnits: sorted[Math.floor(sorted.length / 2)],
    ringComputeUnitsMax: sorted[sorted.length - 1],
    heapAfter10Rings: heapAfter10,
    heapAfter1000Rings: heapAfterAll,
    rings: options.rings,
    sealedBytesPerRing: sealedBytes,
    frameBytes: frame.length,
  };

  async function heapSlots(): Promise<number> {
    await fw.control("gc");
    return (await fw.control("gc")).meter.currentHeapCount;
  }
}
