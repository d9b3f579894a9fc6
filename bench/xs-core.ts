// SPDX-License-Identifier: MIT
// The firmware's on-device cost, measured with the XS engine's deterministic meter: compute units for one
// ring (debounced edge to the sealed publish handed to the MQTT port; crypto primitives are host calls,
// as on the device), live heap slots after 10 and after 1,000 rings, and the heap (slots and chunk bytes)
// at rest beside the heap with the outbox full at its default limit while the broker is unreachable.
import { CONFIG_SCHEMA } from "../modules/config-schema.js";
import { startXsFirmware, type XsFirmware } from "../hosts/xs/xs-firmware.js";
import { createFakeHost } from "../test/support/fake-host.js";
import { advanceXs } from "../test/support/xs-clock.js";
import { openEventForTest, testOwnerKeys } from "../test/support/owner.js";

/** The live heap after a full GC. */
export interface XsHeap {
  slots: number;
  /** Live chunk bytes (strings, array and buffer storage), from a heap snapshot. */
  chunkBytes: number;
}

export interface XsCoreFigures {
  ringComputeUnits: number;
  ringComputeUnitsMax: number;
  heapAfter10Rings: number;
  /** The heap at rest (after 10 rings, the outbox empty): slots as heapAfter10Rings, and chunk bytes. */
  heapAtRest: XsHeap;
  heapAfter1000Rings: number;
  /** The heap with the outbox full at its default limit (broker unreachable), and what the outbox held. */
  heapAfterFullOutbox: XsHeap & { events: number; queuedBytes: number; maxEvents: number; maxKiB: number };
  /** heapAfterFullOutbox above heapAtRest in device bytes: slots at 16 B (the ESP32's slot) plus chunk bytes. */
  fullOutboxGrowthBytes: number;
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
  let filling = false; // the full-outbox phase: no publish reaches the broker, nothing to count
  const fw = await startXsFirmware({
    host,
    firmwareVersion: "bench",
    config: { deviceId: "bench", keys: { ownerPublic: owner.publicHex }, camera: { followUpMs: 0 } },
    onCrank(kind, meter) {
      if (filling) return;
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
  const ring = async () => {
    host.clock.advance(6_000); // past the 5 s cooldown
    host.camera.onFrame?.({ jpeg: frame, capturedAtMs: host.clock.nowMs - 10, release() {} });
    host.button.edge(1, host.clock.nowMs);
    await advanceXs(host.clock, fw, 100); // the debounce timer fires: the ring is sealed and published in that crank
    host.button.edge(0, host.clock.nowMs);
    await advanceXs(host.clock, fw, 100);
  };
  let heapAtRest: XsHeap = { slots: 0, chunkBytes: 0 };
  for (let i = 1; i <= options.rings; i++) {
    await ring();
    if (i === 10) heapAtRest = await fw.heap();
    if (i % 100 === 0) options.progress?.(i);
  }
  const heapAfterAll = (await fw.heap()).slots;
  if (ringCranks.length !== options.rings)
    throw new Error(`bench: expected ${options.rings} ring publishes, saw ${ringCranks.length}`);
  filling = true;
  const full = await fillOutbox(fw, host, ring);
  await fw.close();
  const sorted = [...ringCranks].sort((a, b) => a - b);
  return {
    ringComputeUnits: sorted[Math.floor(sorted.length / 2)],
    ringComputeUnitsMax: sorted[sorted.length - 1],
    heapAfter10Rings: heapAtRest.slots,
    heapAtRest,
    heapAfter1000Rings: heapAfterAll,
    heapAfterFullOutbox: full,
    fullOutboxGrowthBytes: (full.slots - heapAtRest.slots) * 16 + (full.chunkBytes - heapAtRest.chunkBytes),
    rings: options.rings,
    sealedBytesPerRing: sealedBytes,
    frameBytes: frame.length,
  };
}

/**
 * Drops the broker session, then rings until the outbox holds `outbox.maxEvents` (the schema's default limit)
 * and one more ring has been queued at the bound; the heap is then measured with every event queued.
 */
async function fillOutbox(
  fw: XsFirmware,
  host: ReturnType<typeof createFakeHost>,
  ring: () => Promise<void>,
): Promise<XsCoreFigures["heapAfterFullOutbox"]> {
  const maxEvents = CONFIG_SCHEMA["outbox.maxEvents"].default as number;
  const maxKiB = CONFIG_SCHEMA["outbox.maxKiB"].default as number;
  host.mqtt.drop("bench: broker unreachable");
  await fw.idle();
  const queued = async () => (await fw.control("stats")).fields.delivery as { queued: number; queuedBytes: number };
  for (let i = 0; i < maxEvents * 3 && (await queued()).queued < maxEvents; i++) await ring();
  await ring(); // one more at the bound: the drop policy runs too
  const delivery = await queued();
  if (delivery.queued < maxEvents)
    throw new Error(`bench: the outbox holds ${delivery.queued} events, not its limit of ${maxEvents}`);
  const heap = await fw.heap();
  return { ...heap, events: delivery.queued, queuedBytes: delivery.queuedBytes, maxEvents, maxKiB };
}
