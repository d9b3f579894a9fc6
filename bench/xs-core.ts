// SPDX-License-Identifier: MIT
// The firmware's on-device cost, measured with the XS engine's deterministic meter: compute units for one
// ring (debounced edge to the sealed publish handed to the MQTT port; crypto primitives are host calls,
// as on the device) and live heap slots after 10 and after 1,000 rings.
import { startXsFirmware } from "../hosts/xs/xs-firmware.js";
import { createFakeHost } from "../test/support/fake-host.js";
import { testOwnerKeys } from "../test/support/owner.js";

export interface XsCoreFigures {
  ringComputeUnits: number;
  ringComputeUnitsMax: number;
  heapAfter10Rings: number;
  heapAfter1000Rings: number;
  rings: number;
  sealedBytesPerRing: number;
  frameBytes: number;
}

export async function benchXsCore(options: { rings: number; progress?: (done: number) => void }): Promise<XsCoreFigures> {
  const host = createFakeHost();
  const owner = testOwnerKeys();
  const ringCranks: number[] = [];
  let sealedBytes = 0;
  const fw = await startXsFirmware({
    host,
    firmwareVersion: "bench",
    config: { deviceId: "bench", keys: { ownerPublic: owner.publicHex }, camera: { followUpMs: 0 } },
    onCrank(kind, meter) {
      const events = host.mqtt.published.filter((p) => p.topic.endsWith("/sealed/event"));
      if (kind === "timer" && events.length) {
        ringCranks.push(meter.compute);
        sealedBytes = events[events.length - 1].payload.length;
      }
      host.mqtt.published.length = 0; // keep the Node side flat too
    },
  });
  host.mqtt.accept();
  await fw.idle();

  // A realistic VGA-sized JPEG stand-in: the frame's bytes are only copied and sealed, never decoded here.
  const frame = new Uint8Array(12_000).map((_, i) => (i * 31) & 255);
  let heapAfter10 = 0;
  for (let i = 1; i <= options.rings; i++) {
    host.clock.advance(6_000); // past the 5 s cooldown
    host.camera.onFrame?.({ jpeg: frame, capturedAtMs: host.clock.nowMs - 10, release() {} });
    host.button.edge(1, host.clock.nowMs);
    await fw.idle();
    for (let step = 0; step < 4 && host.clock.nextDueMs() !== undefined; step++) {
      host.clock.advance(Math.max(0, host.clock.nextDueMs()! - host.clock.nowMs));
      await fw.idle();
    }
    host.button.edge(0, host.clock.nowMs);
    host.clock.advance(100);
    await fw.idle();
    host.clock.advance(2_000);
    await fw.idle();
    if (i === 10) heapAfter10 = await heapSlots();
    if (i % 100 === 0) options.progress?.(i);
  }
  const heapAfterAll = await heapSlots();
  await fw.close();
  if (ringCranks.length !== options.rings) throw new Error(`bench: expected ${options.rings} ring publishes, saw ${ringCranks.length}`);
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
